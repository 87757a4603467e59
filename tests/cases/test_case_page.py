"""The case page edited in place, tasks added from it, and the contact's mini card."""

import pytest

from activities.models import Activity
from cases import resolution, services
from cases.models import CaseEvent, Tag
from crm.models import Account, Contact
from tests.cases.factories import agreement, contact, make_case, priority, status

pytestmark = pytest.mark.django_db


def test_the_profile_opens_for_editing_in_place_with_the_cases_values(client, agent):
    case = make_case(by=agent, subject="Printer on fire", assignee=agent)
    client.force_login(agent)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="case-edit"' in page
    form = client.get(f"/cases/{case.pk}/edit/", headers={"HX-Request": "true"}).content.decode()
    assert 'id="case-edit-form"' in form and 'value="Printer on fire"' in form
    assert 'class="workflow-bar"' in form  # the bar stays while the profile is edited


def test_saving_the_profile_changes_it_and_the_history_says_who_changed_what(client, agent):
    case = make_case(by=agent, subject="Printer on fire", assignee=agent)
    other = Contact.objects.create(
        full_name="Hiro Tanaka", account=Account.objects.create(name="Litware")
    )
    tag = Tag.objects.create(name="hardware")
    client.force_login(agent)
    response = client.post(
        f"/cases/{case.pk}/edit/",
        {
            "subject": "Printer smoking",
            "description": "Third floor",
            "contact": other.pk,
            "account": other.account_id,
            "priority": priority("critical").pk,
            "assignee": agent.pk,
            "tags": [tag.pk],
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.subject, case.description, case.contact, case.account) == (
        "Printer smoking",
        "Third floor",
        other,
        other.account,
    )
    assert case.priority.code == "critical" and list(case.tags.all()) == [tag]
    event = case.events.get(kind=CaseEvent.Kind.EDITED)
    assert event.actor == agent and event.created_at is not None
    for change in ("Subject: Printer smoking", "Contact: Hiro Tanaka", "Tags: hardware"):
        assert change in event.text
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Printer smoking" in page and "Case edited" in page


def test_changing_the_assignee_in_place_is_a_reassignment(client, agent, other_agent):
    case = make_case(by=agent, assignee=agent)
    client.force_login(agent)
    client.post(
        f"/cases/{case.pk}/edit/",
        {"subject": case.subject, "priority": case.priority_id, "assignee": other_agent.pk},
    )
    case.refresh_from_db()
    assert case.assignee == other_agent
    assert case.events.filter(kind=CaseEvent.Kind.ASSIGNMENT, actor=agent).exists()


def test_an_empty_subject_says_which_field(client, agent):
    case = make_case(by=agent, assignee=agent)
    client.force_login(agent)
    page = client.post(
        f"/cases/{case.pk}/edit/", {"subject": "", "priority": case.priority_id}
    ).content.decode()
    assert 'id="id_subject_error"' in page
    case.refresh_from_db()
    assert case.subject == "Printer on fire"


def test_an_agent_cannot_edit_a_colleagues_case_nor_a_final_one(client, agent, other_agent):
    theirs = make_case(by=agent, assignee=other_agent)
    client.force_login(agent)
    assert 'id="case-edit"' not in client.get(theirs.get_absolute_url()).content.decode()
    response = client.post(
        f"/cases/{theirs.pk}/edit/",
        {"subject": "Mine now", "priority": theirs.priority_id},
        follow=True,
    )
    assert "Carol Agent works on" in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.subject == "Printer on fire"

    closed = make_case(by=agent, assignee=agent)
    services.case_set_status(case=closed, status=status("canceled"), user=agent)
    response = client.post(f"/cases/{closed.pk}/edit/", {"subject": "x"}, follow=True)
    assert "final status: the case cannot be edited" in response.content.decode()


def test_a_task_added_on_the_case_page_is_one_of_its_open_tasks(client, agent, other_agent):
    case = make_case(by=agent, assignee=agent)
    client.force_login(agent)
    response = client.post(
        f"/cases/{case.pk}/tasks/", {"title": "Order a toner", "owner": other_agent.pk}, follow=True
    )
    assert "Task “Order a toner” added." in response.content.decode()
    [task] = resolution.open_tasks(case)
    assert (task.title, task.owner, task.created_by) == ("Order a toner", other_agent, agent)
    assert task.status == Activity.Status.OPEN
    assert "Order a toner" in client.get(case.get_absolute_url()).content.decode()


def test_a_task_without_a_title_is_refused_with_the_reason(client, agent):
    case = make_case(by=agent, assignee=agent)
    client.force_login(agent)
    page = client.post(f"/cases/{case.pk}/tasks/", {"title": ""}).content.decode()
    assert 'id="id_title_error"' in page
    assert not resolution.open_tasks(case).exists()


def test_the_contact_card_has_phones_email_account_and_open_cases(client, agent):
    clara = contact()
    clara.phone = "+49 30 1234 567"
    clara.save()
    clara.account.phone = "+49 30 999"
    clara.account.save()
    case = make_case(by=agent, subject="Printer on fire")
    make_case(by=agent, subject="Scanner jammed")
    client.force_login(agent)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="contact-card"' in page
    assert 'href="tel:+49301234567"' in page and 'href="tel:+4930999"' in page
    assert 'href="mailto:clara@northwind.example"' in page
    assert "1 other open case" in page and "Scanner jammed" in page


def test_the_contact_card_counts_every_open_case_and_leads_to_all_of_them(client, agent):
    case = make_case(by=agent, subject="Printer on fire")
    for n in range(7):
        make_case(by=agent, subject=f"Scanner jammed {n}")
    client.force_login(agent)
    page = client.get(case.get_absolute_url()).content.decode()
    # The card lists the newest five but says how many there are, and where the rest are.
    assert "7 other open cases" in page
    assert page.count('class="contact-card-case"') == 5
    assert 'id="contact-card-all" href="/cases/?q=Clara%20' in page


def test_a_case_without_deadlines_says_why_instead_of_dashes(client, agent):
    case = make_case(by=agent, subject="Printer on fire")
    assert case.service_agreement is None and case.response_due is None
    client.force_login(agent)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="response-due-why">No service agreement<' in page
    assert 'id="resolution-due-why">No service agreement<' in page
    assert "No deadlines to time" in page and "Clock running" not in page


def test_a_ticking_deadline_takes_its_words_from_the_page(client, agent):
    # The timer's script only counts; its words are the page's, in the reader's language.
    case = make_case(by=agent, subject="Printer on fire", service_agreement=agreement())
    client.force_login(agent)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'data-deadline-words="Overdue %(span)s|%(span)s left|' in page
