"""Statuses and the workflow bar: flags, allowed moves, In progress, Close on save."""

import pytest
from django.apps import apps
from django.utils import formats, timezone

from cases import services
from cases.defaults import load_defaults
from cases.models import CaseEvent, CaseStatus
from tests.cases.factories import agreement, make_case, status
from tests.support.workflow_bar import bar_stages

pytestmark = pytest.mark.django_db


def test_the_default_statuses_exist_with_their_flags():
    flags = {
        s.name: (s.is_final, s.is_resolved, s.is_paused, s.close_on_save, s.is_active)
        for s in CaseStatus.objects.all()
    }
    assert flags == {
        "New": (False, False, False, False, True),
        "In progress": (False, False, False, False, True),
        "Waiting for response": (False, False, True, False, False),
        "Resolved": (False, True, False, False, False),
        "Closed": (True, True, False, True, False),
        "Canceled": (True, False, False, True, False),
        "Reopened": (False, False, False, False, True),
    }
    assert set(status("new").next_statuses.values_list("code", flat=True)) == {
        "in_progress",
        "waiting",
        "resolved",
        "canceled",
    }


def test_the_defaults_loader_is_idempotent_and_keeps_admin_edits():
    CaseStatus.objects.filter(code="resolved").update(close_on_save=True)
    load_defaults(apps)
    load_defaults(apps)
    assert CaseStatus.objects.count() == 7
    assert status("resolved").close_on_save is True


def test_the_workflow_bar_moves_the_case_with_an_htmx_post(client, agent):
    case = make_case(by=agent)
    client.force_login(agent)
    response = client.post(
        f"/cases/{case.pk}/status/",
        {"status": status("waiting").pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="case-record"')
    assert 'aria-current="step">Waiting for response<' in html
    case.refresh_from_db()
    assert case.status.code == "waiting"
    event = case.events.filter(kind=CaseEvent.Kind.STATUS).get()
    assert (event.actor, event.data) == (agent, {"old": "New", "new": "Waiting for response"})


def test_a_move_from_a_final_status_is_refused_with_the_reason(client, agent):
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("canceled"), user=agent)
    with pytest.raises(services.CaseError, match="“Canceled” is a final status"):
        services.case_set_status(case=case, status=status("in_progress"), user=agent)

    client.force_login(agent)
    response = client.post(
        f"/cases/{case.pk}/status/",
        {"status": status("reopened").pk},
        headers={"HX-Request": "true"},
    )
    assert "“Canceled” is a final status: a case in it cannot change status." in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.status.code == "canceled"


def test_a_move_to_a_status_not_allowed_next_is_refused_with_the_reason(client, agent):
    case = make_case(by=agent)
    client.force_login(agent)
    response = client.post(
        f"/cases/{case.pk}/status/", {"status": status("closed").pk}, follow=True
    )
    assert "A case cannot move from “New” to “Closed”." in response.content.decode()
    case.refresh_from_db()
    assert case.status.code == "new"


def test_in_progress_makes_the_mover_the_assignee_and_emails_the_customer_the_deadline(
    client, agent, mailoutbox, django_capture_on_commit_callbacks
):
    case = make_case(by=agent, service_agreement=agreement())
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/cases/{case.pk}/status/",
            {"status": status("in_progress").pk},
            headers={"HX-Request": "true"},
        )
    case.refresh_from_db()
    assert case.assignee == agent
    assert case.responded_at is not None
    [email] = mailoutbox
    assert email.to == ["clara@northwind.example"]
    assert email.subject == f"[{case.number}] We are working on your case"
    assert "Bob Agent has started working on your case" in email.body

    # The same words for the moment as the case page (no "Dec." here and "Dec" there).
    due = formats.date_format(timezone.localtime(case.resolution_due), "DATETIME_FORMAT")
    assert f"We aim to resolve it by {due}." in email.body
    assert "." not in due.split(",")[0]
    assert email.alternatives and "<strong>" in email.alternatives[0][0]
    logged = case.events.get(kind=CaseEvent.Kind.EMAIL)
    assert logged.text == email.subject and logged.data["to"] == email.to


def test_a_status_with_close_on_save_returns_to_the_cases_list(client, agent):
    case = make_case(by=agent)
    client.force_login(agent)
    response = client.post(
        f"/cases/{case.pk}/status/",
        {"status": status("canceled").pk},
        headers={"HX-Request": "true"},
    )
    assert response.headers["HX-Redirect"] == "/cases/"
    response = client.post(
        f"/cases/{make_case(by=agent).pk}/status/", {"status": status("canceled").pk}
    )
    assert response.url == "/cases/"


def test_resolving_records_the_actual_resolution_time_and_reopening_clears_it(agent):
    case = make_case(by=agent)
    case = services.case_set_status(case=case, status=status("resolved"), user=agent)
    assert case.resolved_at is not None
    case = services.case_set_status(case=case, status=status("reopened"), user=agent)
    assert case.resolved_at is None


def test_the_workflow_bar_shows_every_status_and_colours_the_current_by_its_flags(client, agent):
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("waiting"), user=agent)
    client.force_login(agent)

    stages = bar_stages(client.get(case.get_absolute_url()).content.decode())

    assert list(stages) == list(CaseStatus.objects.values_list("name", flat=True))
    waiting = stages["Waiting for response"]
    assert {"is-current", "tone-paused"} <= waiting["classes"] and waiting["posts"] is None
    next_ones = {name for name, s in stages.items() if "is-allowed" in s["classes"]}
    assert next_ones == set(status("waiting").next_statuses.values_list("name", flat=True))
    assert stages["Closed"]["posts"] == ("status", str(status("closed").pk))
