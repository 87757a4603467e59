"""Claiming a role's user step, and a case's profile edited through the API as on its page."""

import pytest

from cases import services as case_services
from cases.models import CaseEvent, Tag
from crm.models import Contact
from processes.models import Step
from tests.activities.factories import one_step_process, start, waiting_step
from tests.cases.factories import make_case, priority, status

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
ROLE_STEP = 'flowdesk:page="question" flowdesk:answers="A" flowdesk:owner="role:1st line support"'


def test_a_role_step_is_listed_for_the_role_claimed_by_one_member_and_gone_for_the_other(
    agent, other_agent, outsider, token_client
):
    instance = start(one_step_process("claim", ROLE_STEP), user=outsider)
    step = waiting_step(instance)
    bob, carol = token_client(agent), token_client(other_agent)
    assert bob.get("/api/user-steps", {"whose": "my_roles"}).json()["count"] == 1
    assert bob.get("/api/user-steps", {"whose": "mine"}).json()["count"] == 0

    claimed = bob.post(f"/api/user-steps/{instance.pk}/{step.number}/claim")
    assert claimed.status_code == 200, claimed.content
    assert claimed.json()["owner_id"] == agent.pk
    assert Step.objects.get(pk=step.pk).owner == agent
    assert [s["number"] for s in bob.get("/api/user-steps", {"whose": "mine"}).json()["items"]] == [
        step.number
    ]
    assert carol.get("/api/user-steps").json()["count"] == 0
    taken = carol.post(f"/api/user-steps/{instance.pk}/{step.number}/claim")
    assert taken.status_code == 403 and taken["Content-Type"] == PROBLEM
    assert Step.objects.get(pk=step.pk).owner == agent

    bob.post(f"/api/user-steps/{instance.pk}/{step.number}/complete", {"result": "A"})
    done = bob.post(f"/api/user-steps/{instance.pk}/{step.number}/claim")
    assert done.status_code == 409
    bad = bob.get("/api/user-steps", {"whose": "everyone"})
    assert bad.status_code == 400 and bad.json()["field"] == "whose"


def test_patching_a_case_changes_only_what_was_sent_with_one_history_entry(
    agent, other_agent, token_client, default_lookups
):
    case = make_case(by=agent, subject="Printer on fire", assignee=agent)
    other = Contact.objects.create(full_name="Hiro Tanaka")
    tag = Tag.objects.create(name="hardware")
    api = token_client(agent)
    response = api.patch(
        f"/api/cases/{case.pk}",
        {"subject": "Printer smoking", "contact": other.pk, "tags": [tag.pk]},
    )
    assert response.status_code == 200, response.content
    assert response.json()["subject"] == "Printer smoking" and response.json()["tags"] == [tag.pk]
    case.refresh_from_db()
    assert case.contact == other and case.priority.code == "medium" and case.assignee == agent
    event = case.events.get(kind=CaseEvent.Kind.EDITED)
    assert event.actor == agent and "Subject: Printer smoking" in event.text
    assert "Tags: hardware" in event.text and "Priority" not in event.text
    assert not case.events.filter(kind=CaseEvent.Kind.ASSIGNMENT).exists()

    critical = api.patch(f"/api/cases/{case.pk}", {"priority": priority("critical").pk})
    assert critical.status_code == 200 and critical.json()["priority_id"] == priority("critical").pk
    assert case.events.filter(kind=CaseEvent.Kind.EDITED, text__startswith="Priority").exists()
    handed = api.patch(f"/api/cases/{case.pk}", {"assignee": other_agent.pk})
    assert handed.json()["assignee_id"] == other_agent.pk
    assert case.events.filter(kind=CaseEvent.Kind.ASSIGNMENT, actor=agent).exists()


def test_a_bad_case_edit_names_the_field_and_the_pages_refusals_hold(
    agent, other_agent, token_client, default_lookups
):
    case = make_case(by=agent, assignee=agent)
    api = token_client(agent)
    empty = api.patch(f"/api/cases/{case.pk}", {"subject": ""})
    assert empty.status_code == 400 and empty.json()["field"] == "subject"
    unknown = api.patch(f"/api/cases/{case.pk}", {"contact": 999999})
    assert unknown.status_code == 400 and unknown.json()["field"] == "contact"
    case.refresh_from_db()
    assert case.subject == "Printer on fire"

    theirs = make_case(by=agent, assignee=other_agent)
    refused = api.patch(f"/api/cases/{theirs.pk}", {"subject": "Mine now"})
    assert refused.status_code == 403 and "Carol Agent works on" in refused.json()["detail"]
    closed = make_case(by=agent, assignee=agent)
    case_services.case_set_status(case=closed, status=status("canceled"), user=agent)
    final = api.patch(f"/api/cases/{closed.pk}", {"subject": "x"})
    assert final.status_code == 409 and final["Content-Type"] == PROBLEM


def test_the_case_list_filters_by_priority_and_group_and_names_an_unknown_code(
    agent, token_client, default_lookups
):
    group = agent.groups.get()
    urgent = make_case(by=agent, priority=priority("critical"), assignee_group=group)
    make_case(by=agent, priority=priority("low"))
    api = token_client(agent)
    found = api.get("/api/cases", {"priority": "critical"}).json()
    assert [c["id"] for c in found["items"]] == [urgent.pk]
    grouped = api.get("/api/cases", {"assignee_group": group.pk}).json()
    assert [c["id"] for c in grouped["items"]] == [urgent.pk]
    unknown = api.get("/api/cases", {"priority": "whenever"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "priority"
