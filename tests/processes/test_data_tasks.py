"""Add, Modify, Read and Delete data tasks on registered models, and Formula."""

from pathlib import Path

import pytest

from crm.models import Contact
from processes.models import ProcessInstance, Step
from processes.services import instance_start, process_import

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_process():
    process_import(data=(DATA / "data_tasks.bpmn").read_bytes())


def run(code, variables):
    instance = instance_start(code=code, variables=variables, run_now=True)
    return ProcessInstance.objects.get(pk=instance.pk)


def test_a_process_adds_modifies_and_reads_a_record_in_its_own_transaction():
    instance = run("data_tasks", {"name": "Ada", "email": "ada@example.com", "remove": False})

    contact = Contact.objects.get(email="ada@example.com")
    assert instance.status == "completed"
    assert instance.variables["contact_id"] == contact.pk
    assert instance.variables["changed"] == 1
    assert contact.job_title == "Buyer"
    assert instance.variables["contact"]["job_title"] == "Buyer"


def test_a_process_deletes_the_record_it_chose():
    instance = run("data_tasks", {"name": "Ada", "email": "ada@example.com", "remove": True})

    assert instance.variables["deleted"] == 1
    assert not Contact.objects.filter(email="ada@example.com").exists()


def test_a_field_that_is_not_registered_cannot_be_written():
    contact = Contact.objects.create(full_name="Bo", email="bo@example.com")

    instance = run("data_secret", {"contact_id": contact.pk})

    assert instance.status == "error"
    failed = Step.objects.get(instance=instance, status="error")
    assert "portal_user_id" in failed.error and "not available" in failed.error
    contact.refresh_from_db()
    assert contact.portal_user_id is None
