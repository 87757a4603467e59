"""Cancel execution and deactivate-with-cancel: a cancel wins over any queued step, and
works on a tree of called instances of any size."""

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from processes.models import ProcessInstance, Step
from processes.services import (
    instance_advance,
    instance_cancel,
    instance_start,
    process_import,
    process_set_active,
)

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture
def review():
    return process_import(data=(DATA / "review.bpmn").read_bytes())[0].definition


def refreshed(instance):
    return ProcessInstance.objects.get(pk=instance.pk)


def test_canceling_an_instance_the_worker_has_not_stepped_yet_does_not_start_it(admin_user, review):
    # Started for the worker, whose step has not run yet (on-commit work is not run here).
    instance = instance_start(definition=review, variables={"amount": 5}, user=admin_user)

    instance_cancel(instance_id=instance.pk, user=admin_user)
    instance_advance(instance_id=instance.pk)  # the worker's queued step comes after

    instance = refreshed(instance)
    assert instance.status == "canceled"
    assert instance.completed_at is not None
    assert not Step.objects.filter(instance=instance).exists()


def test_cancel_execution_on_the_log_page_cancels_an_instance_not_stepped_yet(admin_user, review):
    instance = instance_start(definition=review, variables={"amount": 5}, user=admin_user)
    client = Client()
    client.force_login(admin_user)

    response = client.post(reverse("processes:log-cancel", args=[instance.pk]), follow=True)

    assert "The instance was canceled." in response.content.decode()
    instance_advance(instance_id=instance.pk)
    assert refreshed(instance).status == "canceled"
    assert not Step.objects.filter(instance=instance, status="waiting").exists()


def test_deactivating_with_cancel_cancels_instances_not_stepped_yet(admin_user, review):
    instances = [
        instance_start(definition=review, variables={"amount": n}, user=admin_user)
        for n in range(3)
    ]

    _definition, canceled = process_set_active(definition=review, active=False, cancel_running=True)

    assert canceled == 3
    for instance in instances:
        instance_advance(instance_id=instance.pk)
        assert refreshed(instance).status == "canceled"
    assert not Step.objects.exists()
