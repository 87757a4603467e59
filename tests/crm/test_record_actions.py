"""Resuming a process from a connected record: the "Process" button on its page,
"Move down the process" on its list, and "Run process"."""

import pytest
from django.apps import apps
from django.test import Client

from activities.models import Activity
from cases.defaults import load_defaults
from processes.models import ProcessInstance
from tests.activities.factories import one_step_process, start, waiting_step
from tests.cases.factories import make_case
from tests.crm.factories import make_account, make_contact

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = 'flowdesk:page="question" flowdesk:answers="A;B" flowdesk:background="true"'


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def steps_url(record, label="crm.Contact"):
    return f"/processes/records/{label}/{record.pk}/steps/"


def test_a_record_without_waiting_steps_has_no_process_button(agent):
    contact = make_contact("Maria Anders")
    page = signed_in(agent).get(contact.get_absolute_url()).content.decode()
    assert 'id="process-button"' not in page
    choice = signed_in(agent).get(steps_url(contact)).content.decode()
    assert "has no incomplete process step" in choice


def test_one_waiting_step_opens_its_page(agent):
    contact = make_contact("Maria Anders")
    step = waiting_step(start(one_step_process("one", QUESTION), user=agent, record=contact))
    client = signed_in(agent)
    page = client.get(contact.get_absolute_url()).content.decode()
    assert 'id="process-button"' in page and f'href="{steps_url(contact)}"' in page
    response = client.get(steps_url(contact), HTTP_HX_REQUEST="true")
    assert response["Location"] == f"/processes/steps/{step.instance_id}/{step.number}/"


def test_several_waiting_steps_offer_a_choice(agent):
    contact = make_contact("Maria Anders")
    first = waiting_step(
        start(one_step_process("s1", QUESTION, name="Qualify"), user=agent, record=contact)
    )
    second = waiting_step(
        start(
            one_step_process("s2", 'flowdesk:page="task"', name="Call"), user=agent, record=contact
        )
    )
    client = signed_in(agent)
    page = client.get(contact.get_absolute_url()).content.decode()
    assert '<span class="count">2</span>' in page
    choice = client.get(steps_url(contact), HTTP_HX_REQUEST="true").content.decode()
    assert "Choose the step to perform" in choice
    assert "Qualify" in choice and "Call" in choice
    assert f"/processes/steps/{first.instance_id}/{first.number}/" in choice
    assert f"/activities/steps/{second.instance_id}/{second.number}/" in choice


def test_accounts_get_the_button_too(agent):
    account = make_account("Globex")
    start(one_step_process("acc", QUESTION), user=agent, record=account)
    page = signed_in(agent).get(account.get_absolute_url()).content.decode()
    assert 'id="process-button"' in page


def test_lists_offer_move_down_the_process_for_the_selected_row(agent):
    contact = make_contact("Maria Anders")
    start(one_step_process("list", QUESTION), user=agent, record=contact)
    client = signed_in(agent)
    for url, label in (("/contacts/", "crm.Contact"), ("/accounts/", "crm.Account")):
        page = client.get(url).content.decode()
        assert "Move down the process" in page
        assert f'data-move-down="/processes/records/{label}/__pk__/steps/"' in page
    contacts = client.get("/contacts/").content.decode()
    assert f'class="row-select" name="row-select" value="{contact.pk}"' in contacts
    # What the button opens for the selected row:
    assert client.get(steps_url(contact)).status_code == 302


def test_a_step_that_is_not_yours_opens_as_a_refusal_from_the_record(agent, outsider):
    contact = make_contact("Maria Anders")
    start(one_step_process("other", QUESTION), user=agent, record=contact)
    response = signed_in(outsider).get(steps_url(contact), follow=True)
    assert response.status_code == 403 and "belongs to Bob Agent" in response.content.decode()


def test_run_process_starts_a_process_for_the_record_and_leaves_the_page_as_it_is(agent):
    contact = make_contact("Maria Anders")
    definition = one_step_process(
        "runnable", 'flowdesk:page="question" flowdesk:answers="A"', name="Qualify the lead"
    )
    client = signed_in(agent)
    page = client.get(contact.get_absolute_url()).content.decode()
    assert "Run process" in page and "Qualify the lead" in page
    response = client.post(
        f"/processes/records/crm.Contact/{contact.pk}/run/{definition.pk}/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "beforeend:#toasts" in response.content.decode()
    instance = ProcessInstance.objects.get(definition=definition)
    assert instance.record_id == str(contact.pk) and instance.started_by == agent
    assert instance.variables["record"]["full_name"] == "Maria Anders"
    assert waiting_step(instance).owner == agent


def test_the_case_diagnosis_task_is_an_activity_reached_from_the_case(agent, admin_user):
    load_defaults(apps)
    case = make_case(by=admin_user, assignee=agent)
    step = waiting_step(ProcessInstance.objects.get(definition__code="case_diagnosis"))
    activity = Activity.objects.get(step=step)
    assert activity.owner == agent and activity.record_url == case.get_absolute_url()
    client = signed_in(agent)
    page = client.get(case.get_absolute_url()).content.decode()
    assert 'id="process-button"' in page
    assert "Move down the process" in client.get("/cases/").content.decode()
    assert client.get(steps_url(case, "cases.Case"))["Location"] == (
        f"/activities/steps/{step.instance_id}/{step.number}/"
    )
