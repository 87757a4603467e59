"""Run process from a record: only the processes its "Run process" menu offers start."""

import pytest
from django.test import Client

from processes.models import ProcessDefinition, ProcessInstance
from processes.services import process_set_active
from tests.activities.factories import one_step_process
from tests.crm.factories import make_account, make_contact

pytestmark = pytest.mark.django_db

QUESTION = 'flowdesk:page="question" flowdesk:answers="A;B" flowdesk:background="true"'


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def run_url(record, definition, label):
    return f"/processes/records/{label}/{record.pk}/run/{definition.pk}/"


def test_a_process_offered_for_contacts_runs_from_a_contact(agent):
    contact = make_contact("Maria Anders")
    definition = one_step_process("for_contacts", QUESTION)

    response = signed_in(agent).post(run_url(contact, definition, "crm.Contact"))

    assert response.status_code == 302
    [instance] = ProcessInstance.objects.all()
    assert instance.definition == definition and instance.record_id == str(contact.pk)


def test_a_process_for_contacts_cannot_be_run_on_an_account_by_posting_its_id(agent):
    account = make_account("Globex")
    definition = one_step_process("for_contacts", QUESTION)

    response = signed_in(agent).post(run_url(account, definition, "crm.Account"))

    assert response.status_code == 404
    assert not ProcessInstance.objects.exists()


def test_a_built_in_process_cannot_be_run_from_a_record(agent):
    contact = make_contact("Maria Anders")
    definition = one_step_process("built_in", QUESTION)
    ProcessDefinition.objects.filter(pk=definition.pk).update(is_system=True)

    response = signed_in(agent).post(run_url(contact, definition, "crm.Contact"))

    assert response.status_code == 404
    assert not ProcessInstance.objects.exists()


def test_an_inactive_process_cannot_be_run_from_a_record(agent):
    contact = make_contact("Maria Anders")
    definition = one_step_process("inactive", QUESTION)
    process_set_active(definition=definition, active=False)

    response = signed_in(agent).post(run_url(contact, definition, "crm.Contact"))

    assert response.status_code == 404
    assert not ProcessInstance.objects.exists()
