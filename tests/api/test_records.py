"""Cases, contacts, accounts and activities through the API: the pages' forms and services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity
from cases.models import Case, CaseEvent
from crm.models import Account, Contact
from tests.cases.factories import priority

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def api(agent, token_client):
    return token_client(agent)


def test_a_contact_is_created_listed_and_read(api, agent):
    made = api.post("/api/contacts", {"full_name": "Ann Archer", "email": "ann@example.com"})
    assert made.status_code == 201
    contact = Contact.objects.get(pk=made.json()["id"])
    assert contact.owner == agent  # the service's default, as on the page
    listed = api.get("/api/contacts", {"q": "archer"}).json()
    assert [c["id"] for c in listed["items"]] == [contact.pk]
    assert api.get(f"/api/contacts/{contact.pk}").json()["email"] == "ann@example.com"
    missing = api.get("/api/contacts/999999")
    assert missing.status_code == 404 and missing["Content-Type"] == PROBLEM


def test_a_bad_email_is_400_naming_the_field_and_creates_nothing(api):
    response = api.post("/api/contacts", {"full_name": "Ann", "email": "not-an-address"})
    assert response.status_code == 400
    body = response.json()
    assert response["Content-Type"] == PROBLEM
    assert body["field"] == "email" and body["status"] == 400 and body["title"] == "Bad Request"
    assert not Contact.objects.exists()


def test_a_missing_field_and_a_wrong_type_name_their_fields(api):
    missing = api.post("/api/accounts", {"city": "Oslo"})
    assert missing.status_code == 400 and missing.json()["field"] == "name"
    wrong = api.post("/api/contacts", {"full_name": "Ann", "account": "nope"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "account"


def test_an_account_is_created_and_its_unique_name_is_kept(api):
    assert api.post("/api/accounts", {"name": "Northwind"}).status_code == 201
    again = api.post("/api/accounts", {"name": "Northwind"})
    assert again.status_code == 400 and again.json()["field"] == "name"
    assert Account.objects.count() == 1


def test_a_retried_create_with_the_same_idempotency_key_creates_nothing_twice(api):
    headers = {"Idempotency-Key": "order-17"}
    first = api.post("/api/contacts", {"full_name": "Once Only"}, headers=headers)
    second = api.post("/api/contacts", {"full_name": "Once Only"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json() and second["Idempotent-Replayed"] == "true"
    assert Contact.objects.filter(full_name="Once Only").count() == 1
    other = api.post("/api/contacts", {"full_name": "Once Only"}, headers={"Idempotency-Key": "18"})
    assert other.status_code == 201 and Contact.objects.count() == 2
    reused = api.post("/api/accounts", {"name": "Elsewhere"}, headers=headers)
    assert reused.status_code == 422 and reused.json()["field"] == "Idempotency-Key"
    assert not Account.objects.exists()


def test_idempotency_keys_belong_to_their_user(api, other_agent, token_client):
    headers = {"Idempotency-Key": "same"}
    api.post("/api/contacts", {"full_name": "Bob's"}, headers=headers)
    theirs = token_client(other_agent).post(
        "/api/contacts", {"full_name": "Carol's"}, headers=headers
    )
    assert theirs.status_code == 201 and theirs.json()["full_name"] == "Carol's"


def test_lists_are_paginated(api):
    for n in range(5):
        Contact.objects.create(full_name=f"Person {n}")
    page = api.get("/api/contacts", {"page": 2, "page_size": 2}).json()
    assert page["count"] == 5 and [c["full_name"] for c in page["items"]] == [
        "Person 2",
        "Person 3",
    ]
    assert api.get("/api/contacts", {"page": 0}).status_code == 400
    far = api.get("/api/contacts", {"page": 10**19})  # an OFFSET PostgreSQL cannot hold
    assert far.status_code == 400 and far.json()["field"] == "page"
    assert api.get("/api/contacts", {"page": 1_000_000}).json()["items"] == []


def test_a_case_is_created_moved_along_the_workflow_bar_and_noted(
    api, agent, default_lookups, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = api.post(
            "/api/cases", {"subject": "Printer on fire", "priority": priority("medium").pk}
        )
    assert made.status_code == 201, made.content
    case_id = made.json()["id"]
    assert made.json()["status"] == "new" and made.json()["number"]
    with django_capture_on_commit_callbacks(execute=True):
        moved = api.post(f"/api/cases/{case_id}/status", {"status": "in_progress"})
    assert moved.status_code == 200 and moved.json()["status"] == "in_progress"
    assert Case.objects.get(pk=case_id).assignee == agent  # the bar's rule for work statuses
    refused = api.post(f"/api/cases/{case_id}/status", {"status": "new"})
    assert refused.status_code == 409 and refused["Content-Type"] == PROBLEM
    unknown = api.post(f"/api/cases/{case_id}/status", {"status": "sleeping"})
    assert unknown.status_code == 400 and unknown.json()["field"] == "status"
    note = api.post(f"/api/cases/{case_id}/notes", {"text": "Called the vendor"})
    assert note.status_code == 201
    assert CaseEvent.objects.get(pk=note.json()["id"]).kind == CaseEvent.Kind.NOTE
    empty = api.post(f"/api/cases/{case_id}/notes", {"text": ""})
    assert empty.status_code == 400 and empty.json()["field"] == "text"
    listed = api.get("/api/cases", {"status": "in_progress", "assignee": "mine"}).json()
    assert [c["id"] for c in listed["items"]] == [case_id]


def test_a_case_without_a_subject_is_400(api, default_lookups):
    response = api.post("/api/cases", {"subject": ""})
    assert response.status_code == 400 and response.json()["field"] == "subject"
    assert not Case.objects.exists()


def test_activities_are_created_for_the_caller_and_listed(api, agent):
    start = timezone.now() + timedelta(hours=1)
    made = api.post(
        "/api/activities",
        {
            "title": "Call Ann",
            "start_at": start.isoformat(),
            "due_at": (start + timedelta(hours=1)).isoformat(),
        },
    )
    assert made.status_code == 201, made.content
    assert Activity.objects.get(pk=made.json()["id"]).owner == agent
    listed = api.get("/api/activities").json()
    assert [a["title"] for a in listed["items"]] == ["Call Ann"]
    backwards = api.post(
        "/api/activities",
        {
            "title": "Oops",
            "start_at": start.isoformat(),
            "due_at": (start - timedelta(hours=1)).isoformat(),
        },
    )
    assert backwards.status_code == 400 and backwards["Content-Type"] == PROBLEM


def test_an_email_to_the_case_contact_is_sent_and_a_case_without_one_is_refused(
    api, default_lookups, django_capture_on_commit_callbacks, mailoutbox
):
    ann = Contact.objects.create(full_name="Ann", email="ann@example.com")
    medium = priority("medium").pk
    with django_capture_on_commit_callbacks(execute=True):
        case_id = api.post(
            "/api/cases", {"subject": "Broken", "priority": medium, "contact": ann.pk}
        ).json()["id"]
        lonely_id = api.post("/api/cases", {"subject": "Nobody", "priority": medium}).json()["id"]
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sent = api.post(
            f"/api/cases/{case_id}/messages",
            {"channel": "email", "subject": "Update", "body": "We are on it."},
        )
    assert sent.status_code == 201, sent.content
    assert sent.json()["to"] == ["ann@example.com"]
    assert any("We are on it." in m.body for m in mailoutbox)
    refused = api.post(f"/api/cases/{lonely_id}/messages", {"channel": "portal", "body": "Hi"})
    assert refused.status_code == 409 and "no contact" in refused.json()["detail"]
    wrong = api.post(f"/api/cases/{case_id}/messages", {"channel": "fax", "body": "Hi"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "channel"


def test_a_case_is_reassigned_and_a_left_out_field_stays(
    api, agent, other_agent, default_lookups, django_capture_on_commit_callbacks
):
    group = other_agent.groups.get()
    with django_capture_on_commit_callbacks(execute=True):
        case_id = api.post(
            "/api/cases", {"subject": "Slow VPN", "priority": priority("medium").pk}
        ).json()["id"]
        api.patch(f"/api/cases/{case_id}/assignment", {"assignee_group": group.pk})
        moved = api.patch(f"/api/cases/{case_id}/assignment", {"assignee": other_agent.pk})
    assert moved.status_code == 200, moved.content
    case = Case.objects.get(pk=case_id)
    assert (case.assignee, case.assignee_group) == (other_agent, group)
    assert CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.ASSIGNMENT).exists()
    nobody = api.patch(f"/api/cases/{case_id}/assignment", {"assignee": 999999})
    assert nobody.status_code == 400 and nobody.json()["field"] == "assignee"
