"""The desk as agents live in it: true queue counts with paging, return to queue,
bring a postponed case back early, who is offered as assignee, the diagnosis task
after reclassifying and after canceling."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import assignment, services
from cases.models import Case, CaseEvent
from processes.models import Step
from tests.cases.factories import agreement, category, contact, make_case, status

pytestmark = pytest.mark.django_db


def clone_cases(template, count, **fields):
    """`count` more cases like `template` (made by the real service), in one insert:
    the desktop and the list must not care how many there are."""
    Case.objects.bulk_create(
        Case(
            subject=f"{template.subject} {n}",
            number=f"BULK-{template.pk}-{n:05d}",
            status_id=template.status_id,
            priority_id=template.priority_id,
            category_id=template.category_id,
            contact_id=template.contact_id,
            account_id=template.account_id,
            resolution_due=template.resolution_due,
            **fields,
        )
        for n in range(count)
    )


def desktop_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/cases/desktop/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_desktop_counts_every_case_and_its_queries_do_not_grow_with_them(client, agent):
    first_line = Group.objects.get(name="1st line support")
    mine = make_case(by=agent, subject="Mine", assignee=agent)
    grouped = make_case(by=agent, subject="Grouped", assignee_group=first_line)
    loose = make_case(by=agent, subject="Loose")
    client.force_login(agent)
    few, _page = desktop_queries(client)

    clone_cases(mine, 1226, assignee=agent)
    clone_cases(grouped, 544, assignee_group=first_line)
    clone_cases(loose, 227)
    many, page = desktop_queries(client)

    assert Case.objects.count() == 2000
    assert many == few
    assert 'id="count-mine">1227<' in page
    assert 'id="count-groups">545<' in page
    assert 'id="count-unassigned">228<' in page


def test_every_queue_pages_through_to_its_last_case(client, agent):
    first_line = Group.objects.get(name="1st line support")
    grouped = make_case(by=agent, subject="Grouped", assignee_group=first_line)
    clone_cases(grouped, 60, assignee_group=first_line)
    client.force_login(agent)
    page = client.get("/cases/desktop/").content.decode()
    assert "1–25 of 61" in page
    assert 'id="queue-groups-next"' in page
    last = client.get("/cases/desktop/", {"groups_page": 3}).content.decode()
    assert "51–61 of 61" in last
    assert last.count('class="case-row') == 11


def test_an_agent_returns_their_case_to_the_groups_queue(client, agent, other_agent):
    first_line = Group.objects.get(name="1st line support")
    case = make_case(
        by=agent, subject="Not mine after all", assignee=agent, assignee_group=first_line
    )
    client.force_login(agent)
    assert f'id="return-{case.pk}"' in client.get("/cases/desktop/").content.decode()

    response = client.post(f"/cases/{case.pk}/return/", follow=True)

    assert f"{case.number} is back in the queue." in response.content.decode()
    case.refresh_from_db()
    assert case.assignee is None and case.assignee_group == first_line
    event = case.events.filter(kind=CaseEvent.Kind.ASSIGNMENT).first()
    assert event.actor == agent and "Returned to the queue" in event.text
    client.force_login(other_agent)
    page = client.get("/cases/desktop/").content.decode()
    assert f'id="take-{case.pk}"' in page


def test_only_the_assignee_returns_a_case_to_the_queue(client, agent, other_agent):
    case = make_case(by=agent, assignee=agent)
    client.force_login(other_agent)
    response = client.post(f"/cases/{case.pk}/return/", follow=True)
    assert "only they can return it to the queue" in response.content.decode()
    case.refresh_from_db()
    assert case.assignee == agent


def test_a_postponed_case_comes_back_early_on_request(client, agent):
    case = make_case(by=agent, subject="Later please")
    assignment.case_postpone(case=case, user=agent, until=timezone.now() + timedelta(days=2))
    client.force_login(agent)
    page = client.get("/cases/desktop/").content.decode()
    assert 'id="count-postponed">1<' in page and f'id="bring-back-{case.pk}"' in page

    client.post(f"/cases/{case.pk}/bring-back/")

    case.refresh_from_db()
    assert case.postponed_until is None
    page = client.get("/cases/desktop/").content.decode()
    assert 'id="count-unassigned">1<' in page and 'id="count-postponed">0<' in page
    assert case.events.filter(kind=CaseEvent.Kind.POSTPONED, actor=agent).count() == 2


def test_the_desktop_offers_a_new_case(client, agent):
    client.force_login(agent)
    page = client.get("/cases/desktop/").content.decode()
    assert 'id="desktop-new-case" href="/cases/new/"' in page


# -- who is offered as assignee -----------------------------------------------------------


@pytest.fixture
def portal_customer():
    customer = User.objects.create_user("clara", first_name="Clara", last_name="Customer")
    customer.groups.add(Group.objects.get_or_create(name="Portal users")[0])
    found = contact()
    found.portal_user = customer
    found.save(update_fields=["portal_user"])
    return customer


def select_of(page, name):
    return re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)


@pytest.mark.parametrize("url", ["/cases/new/", "/cases/{pk}/reassign/", "/cases/{pk}/escalate/"])
def test_assignee_choices_hold_people_and_groups_who_work_cases_not_customers(
    client, agent, second_line_agent, portal_customer, url
):
    case = make_case(by=agent)
    client.force_login(agent)
    page = client.get(url.format(pk=case.pk)).content.decode()
    people, groups = select_of(page, "assignee"), select_of(page, "assignee_group")
    assert "Bob Agent" in people and "Dave Expert" in people
    assert "Clara Customer" not in people
    assert "1st line support" in groups and "2nd line support" in groups
    assert "Portal users" not in groups


# -- the diagnosis task -------------------------------------------------------------------


def diagnosis_steps(case):
    return list(
        Step.objects.filter(
            instance__definition__code="case_diagnosis",
            instance__record_id=str(case.pk),
            is_user_step=True,
        )
        .order_by("instance_id")
        .values_list("status", "owner__username")
    )


def test_reclassifying_into_an_incident_agreement_starts_the_task_for_the_assignee(
    admin_user, agent
):
    case = make_case(by=admin_user, assignee=agent, category=category("service_request"))
    assert diagnosis_steps(case) == []
    incidents = agreement("Incident support", category_code="incident")

    services.case_reclassify(case=case, user=admin_user, service_agreement=incidents)

    assert diagnosis_steps(case) == [("waiting", "bob")]


def test_a_canceled_case_cancels_its_diagnosis_task(admin_user, agent):
    case = make_case(by=admin_user, assignee=agent)
    services.case_set_status(case=case, status=status("canceled"), user=agent)
    assert diagnosis_steps(case) == [("canceled", "bob")]


def test_the_cases_list_runs_the_same_queries_for_3_cases_and_for_2000(client, agent):
    first_line = Group.objects.get(name="1st line support")
    cases = [
        make_case(by=agent, subject="Mine", assignee=agent),
        make_case(by=agent, subject="Grouped", assignee_group=first_line),
        make_case(by=agent, subject="Loose"),
    ]
    client.force_login(agent)

    def list_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/cases/", {"sort": "deadline"}).status_code == 200
        return len(queries)

    few = list_queries()
    for template in cases:
        clone_cases(
            template, 665, assignee=template.assignee, assignee_group=template.assignee_group
        )
    assert Case.objects.count() == 1998
    assert list_queries() == few


def page_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_cases_list_and_a_case_page_run_as_many_queries_with_2000_cases(client, agent):
    sla = agreement()
    first = make_case(by=agent, subject="First", assignee=agent, service_agreement=sla)
    case = make_case(by=agent, subject="Second", assignee=agent, service_agreement=sla)
    client.force_login(agent)
    client.get("/cases/")
    client.get(case.get_absolute_url())  # the first visit of a page warms what it caches
    few_list, _page = page_queries(client, "/cases/")
    few_case, _page = page_queries(client, case.get_absolute_url())

    # Same contact: the case page's contact card counts them all, lists five.
    clone_cases(first, 1998, assignee=agent, service_agreement=sla)
    many_list, listed = page_queries(client, "/cases/")
    many_case, page = page_queries(client, case.get_absolute_url())

    assert Case.objects.count() == 2000
    assert (many_list, many_case) == (few_list, few_case)
    assert "1999 other open cases" in page
    assert "1–25 of 2000" in listed and listed.count('class="case-row') == 25
