"""Cancel execution and deactivate-with-cancel: a cancel wins over any queued step, and
works on a tree of called instances of any size."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from processes.call_chains import MAX_CALL_DEPTH
from processes.engine.bpmn import BpmnImportError
from processes.models import ProcessDefinition, ProcessInstance, ProcessVersion, Step
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


# -- processes that call themselves -------------------------------------------------------

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" '
    'targetNamespace="t">'
)


def calling(code, called=None):
    """A process that calls `called` (or nothing) and then ends."""
    if called is None:
        body = '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end"/>'
    else:
        body = (
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>'
            f'<bpmn:callActivity id="call" name="Call {called}" calledElement="{called}"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end"/>'
        )
    return (
        f'<bpmn:process id="{code}" name="{code}" isExecutable="true">'
        f'<bpmn:startEvent id="start"/>{body}<bpmn:endEvent id="end"/></bpmn:process>'
    )


def bpmn(*processes):
    return HEADER + "".join(processes) + "</bpmn:definitions>"


def test_a_process_that_calls_itself_is_refused_at_import():
    with pytest.raises(BpmnImportError, match="'loop' calls itself"):
        process_import(data=bpmn(calling("loop", "loop")))
    assert not ProcessDefinition.objects.exists()


def test_two_processes_calling_each_other_are_refused_at_import():
    with pytest.raises(BpmnImportError, match="'a' → 'b' → 'a'"):
        process_import(data=bpmn(calling("a", "b"), calling("b", "a")))
    assert not ProcessDefinition.objects.exists()


def test_a_new_version_closing_a_circle_with_deployed_processes_is_refused():
    process_import(data=bpmn(calling("b")))
    process_import(data=bpmn(calling("a", "b")))

    with pytest.raises(BpmnImportError, match="come back to 'b'"):
        process_import(data=bpmn(calling("b", "a")))
    assert ProcessVersion.objects.filter(definition__code="b").count() == 1


def test_uploading_a_self_calling_process_says_which_call_activity_is_at_fault(admin_user):
    client = Client()
    client.force_login(admin_user)
    upload = SimpleUploadedFile("loop.bpmn", bpmn(calling("loop", "loop")).encode())

    response = client.post(reverse("processes:library-upload"), {"file": upload})

    assert response.status_code == 400
    assert "Element &#x27;call&#x27; (callActivity)" in response.content.decode()
    assert not ProcessDefinition.objects.exists()


@pytest.fixture
def legacy_circle():
    """a calls b, and b's newest version calls a: a library imported before circles
    were refused (the version row is written as that import wrote it)."""
    process_import(data=bpmn(calling("a", "b"), calling("b")))
    b = ProcessDefinition.objects.get(code="b")
    xml = bpmn(calling("b", "a"))
    ProcessVersion.objects.create(definition=b, number=2, name="b", bpmn_xml=xml, checksum="2")
    return ProcessDefinition.objects.get(code="a")


def test_activating_a_process_whose_calls_come_back_is_refused(admin_user, legacy_circle):
    process_set_active(definition=legacy_circle, active=False)
    client = Client()
    client.force_login(admin_user)

    response = client.post(
        reverse("processes:library-set-active", args=[legacy_circle.pk]),
        {"active": "1"},
        follow=True,
    )

    assert "cannot be activated" in response.content.decode()
    assert ProcessDefinition.objects.get(pk=legacy_circle.pk).is_active is False


def test_a_call_chain_deeper_than_the_bound_fails_its_call_and_cancel_stops_the_tree(
    legacy_circle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        top = instance_start(definition=legacy_circle, run_now=True)

    instances = ProcessInstance.objects.all()
    assert instances.count() == MAX_CALL_DEPTH + 1
    deepest = instances.get(children__isnull=True)
    assert "deeper than 25 levels" in deepest.error
    assert Step.objects.get(instance=deepest, element_id="call").status == "error"
    # The failed call puts every caller in Error too, where Cancel execution reaches it.
    assert set(instances.values_list("status", flat=True)) == {"error"}

    with django_capture_on_commit_callbacks(execute=True):
        instance_cancel(instance_id=top.pk)

    assert set(instances.values_list("status", flat=True)) == {"canceled"}


def test_deactivating_with_cancel_stops_a_deep_tree_without_recursion(
    legacy_circle, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        instance_start(definition=legacy_circle, run_now=True)

    with django_capture_on_commit_callbacks(execute=True):
        _definition, canceled = process_set_active(
            definition=legacy_circle, active=False, cancel_running=True
        )

    assert canceled == 1
    assert ProcessDefinition.objects.get(pk=legacy_circle.pk).is_active is False
    assert set(ProcessInstance.objects.values_list("status", flat=True)) == {"canceled"}
