"""Statuses by their flags: an admin renames "New", "In progress", "Reopened" and
"Closed" (name and code) and adds a second pause status through the Case statuses
lookup; the desk still behaves."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from cases import services
from cases.closing import cases_close_resolved
from cases.correspondence.messages import message_receive
from cases.models import Case, CaseMessage, CaseStatus
from notifications.models import Notification
from processes.models import Step
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db

FLAGS = (
    "is_final",
    "is_resolved",
    "is_paused",
    "close_on_save",
    "is_initial",
    "assigns_mover",
    "is_reopen",
)


def _admin_save(client, status=None, **changes):
    """Save a status through the admin's form, as an admin editing the lookup would."""
    values = {"code": "", "name": "", "order": 100, "next_statuses": []}
    if status is not None:
        values.update(
            code=status.code,
            name=status.name,
            order=status.order,
            next_statuses=list(status.next_statuses.values_list("pk", flat=True)),
            **{flag: getattr(status, flag) for flag in FLAGS},
        )
    values.update(changes)
    data = {key: value for key, value in values.items() if key not in FLAGS}
    data.update({flag: "on" for flag in FLAGS if values.get(flag)})
    url = (
        "/admin/cases/casestatus/add/"
        if status is None
        else f"/admin/cases/casestatus/{status.pk}/change/"
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return CaseStatus.objects.get(code=values["code"])


@pytest.fixture
def renamed(client, admin_user):
    """The lookup as an admin left it: New → Open ("open"), In progress → Working on it
    ("working"), Reopened → Back with us ("back"), Closed → Done ("done"), and a second
    pause status, Waiting for a supplier ("supplier")."""
    client.force_login(admin_user)
    opened = _admin_save(client, CaseStatus.objects.get(code="new"), code="open", name="Open")
    working = _admin_save(
        client, CaseStatus.objects.get(code="in_progress"), code="working", name="Working on it"
    )
    resolved = CaseStatus.objects.get(code="resolved")
    reopened = _admin_save(
        client, CaseStatus.objects.get(code="reopened"), code="back", name="Back with us"
    )
    done = _admin_save(client, CaseStatus.objects.get(code="closed"), code="done", name="Done")
    supplier = _admin_save(
        client,
        code="supplier",
        name="Waiting for a supplier",
        order=35,
        is_paused=True,
        next_statuses=[working.pk, resolved.pk, reopened.pk],
    )
    for status in (opened, working, reopened):
        _admin_save(
            client,
            status,
            next_statuses=[*status.next_statuses.values_list("pk", flat=True), supplier.pk],
        )
    client.logout()
    return {
        "open": opened,
        "working": working,
        "supplier": supplier,
        "resolved": resolved,
        "back": reopened,
        "done": done,
    }


def _diagnosis(case):
    return list(
        Step.objects.filter(
            instance__definition__code="case_diagnosis",
            instance__record_id=str(case.pk),
            is_user_step=True,
        )
        .order_by("instance_id", "number")
        .values_list("status", "result")
    )


def test_a_new_case_starts_in_the_renamed_start_status(renamed, agent):
    case = make_case(by=agent)
    assert case.status == renamed["open"]
    assert case.responded_at is None


def test_the_workflow_bar_shows_the_renamed_statuses_and_moves_into_the_new_pause(
    renamed, client, agent
):
    case = make_case(by=agent, assignee=agent)
    client.force_login(agent)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Working on it" in page and "Waiting for a supplier" in page
    assert "tone-new" in client.get("/cases/").content.decode()
    response = client.post(
        f"/cases/{case.pk}/status/",
        {"status": renamed["supplier"].pk},
        headers={"HX-Request": "true"},
    )
    assert 'aria-current="step">Waiting for a supplier<' in response.content.decode()
    case.refresh_from_db()
    assert case.status == renamed["supplier"] and case.paused_at is not None


def test_the_renamed_work_status_makes_the_mover_the_assignee_and_tells_the_customer(
    renamed, agent, committed
):
    case = make_case(by=agent)
    mail.outbox.clear()
    with committed():
        services.case_set_status(case=case, status=renamed["working"], user=agent)
    case.refresh_from_db()
    assert case.assignee == agent
    assert [m.subject for m in mail.outbox] == [f"[{case.number}] We are working on your case"]


def test_the_diagnosis_task_closes_as_waiting_in_the_second_pause_and_comes_back(renamed, agent):
    case = make_case(by=agent, assignee=agent)
    services.case_set_status(case=case, status=renamed["working"], user=agent)
    assert _diagnosis(case) == [("waiting", "")]
    services.case_set_status(case=case, status=renamed["supplier"], user=agent)
    assert _diagnosis(case) == [("completed", "Additional information required")]
    services.case_set_status(case=case, status=renamed["working"], user=agent)
    assert _diagnosis(case)[-1] == ("waiting", "")


def test_a_reply_reopens_from_the_second_pause_and_the_group_hears_of_it(
    renamed, agent, other_agent, committed
):
    group = Group.objects.get(name="1st line support")
    case = make_case(by=agent, assignee=agent, assignee_group=group)
    services.case_set_status(case=case, status=renamed["supplier"], user=agent)
    Notification.objects.all().delete()
    with committed():
        _message, reopened = message_receive(
            case=case,
            channel=CaseMessage.Channel.PORTAL,
            body="The supplier answered: the part ships on Monday.",
            contact=case.contact,
        )
    case = Case.objects.select_related("status").get(pk=case.pk)
    assert reopened and case.status == renamed["back"] and case.assignee is None
    titles = set(Notification.objects.values_list("recipient__username", "title"))
    assert titles == {
        ("bob", f"{case.number} is waiting in the 1st line support queue"),
        ("carol", f"{case.number} is waiting in the 1st line support queue"),
    }


def test_the_sweep_closes_a_case_resolved_from_the_renamed_work_status(renamed, agent):
    case = make_case(by=agent)
    services.case_set_status(case=case, status=renamed["working"], user=agent)
    services.case_set_status(case=case, status=renamed["resolved"], user=agent)
    resolved_at = Case.objects.get(pk=case.pk).resolved_at
    assert cases_close_resolved(now=resolved_at + timedelta(days=8)) == {
        "reminded": 0,
        "closed": 1,
    }
    assert Case.objects.get(pk=case.pk).status == renamed["done"]
