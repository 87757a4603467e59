"""Message buffering on PostgreSQL: a message no waiting instance takes is refused
by default, or kept for a while when the sender asks (`keep_for`) and then given
to the first instance that starts waiting for that name and key, never to
another; kept messages are bounded and expire. The worker records a message it
cannot deliver instead of retrying it for ever."""

import datetime as dt

import pytest
from django.utils import timezone

from outbox.models import Effect
from processes import clock, events, tasks
from processes.events import MessageNotDelivered
from processes.models import KeptMessage, ProcessInstance
from processes.services import (
    ProcessError,
    instance_start,
    kept_messages_sweep,
    message_correlate,
    process_import,
)

from .test_message_correlation import KEYED_ORDER, PLAIN_ORDER

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    """Run a call and then what it left for after commit (the outbox's effects)."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def status(instance):
    return ProcessInstance.objects.get(pk=instance.pk).status


def start_order(after_commit, number):
    return after_commit(
        instance_start, code="keyed_order", variables={"order_no": number}, run_now=True
    )


def test_by_default_a_message_no_instance_waits_for_is_refused_and_not_kept():
    process_import(data=KEYED_ORDER)
    with pytest.raises(MessageNotDelivered, match="supplier_reply"):
        message_correlate(name="supplier_reply", correlation_key="B-2")
    assert not KeptMessage.objects.exists()


def test_a_kept_reply_goes_to_the_order_that_starts_waiting_for_its_key(after_commit):
    process_import(data=KEYED_ORDER)
    kept = message_correlate(
        name="supplier_reply", correlation_key="B-2", payload={"ok": 1}, keep_for=HOUR
    )
    assert kept == 0

    order_a = start_order(after_commit, "A-1")
    assert status(order_a) == "running"  # another key: not its reply
    order_b = start_order(after_commit, "B-2")

    assert status(order_b) == "completed"
    assert ProcessInstance.objects.get(pk=order_b.pk).variables["ok"] == 1
    message = KeptMessage.objects.get()
    assert (message.status, message.delivered_to_id) == ("delivered", order_b.pk)
    # Delivered once: a second order with the same key waits on.
    assert status(start_order(after_commit, "B-2")) == "running"
    assert status(order_a) == "running"


def test_a_kept_message_expires_and_then_reaches_nobody(after_commit):
    process_import(data=KEYED_ORDER)
    with clock.frozen_at(timezone.now()):
        message_correlate(name="supplier_reply", correlation_key="B-2", keep_for=HOUR)
        clock.advance(HOUR + dt.timedelta(seconds=1))
        assert kept_messages_sweep() == 0
        assert KeptMessage.objects.get().status == "expired"
        order = start_order(after_commit, "B-2")
    assert status(order) == "running"


def test_the_sweep_delivers_to_an_instance_that_began_waiting_while_it_was_kept():
    # The order started waiting in the same moment the reply was being kept: the
    # offer at wait time saw nothing, the sweep gives it.
    process_import(data=PLAIN_ORDER)
    order = instance_start(code="plain_order", business_key="A-1", run_now=True)
    KeptMessage.objects.create(
        name="plain_reply",
        business_key="A-1",
        created_at=timezone.now(),
        expires_at=timezone.now() + HOUR,
    )
    other = instance_start(code="plain_order", business_key="B-2", run_now=True)

    assert kept_messages_sweep() == 1

    assert status(order) == "completed"
    assert status(other) == "running"
    assert KeptMessage.objects.get().status == "delivered"


def test_kept_messages_are_bounded(monkeypatch):
    process_import(data=KEYED_ORDER)
    with pytest.raises(ProcessError, match="at most 30 days"):
        message_correlate(
            name="supplier_reply", correlation_key="X", keep_for=dt.timedelta(days=31)
        )
    with pytest.raises(ProcessError, match="cannot also be kept"):
        message_correlate(name="supplier_reply", keep_for=HOUR, deliver_to_all=True)
    monkeypatch.setattr(events, "MAX_KEPT_PER_NAME", 2)
    for key in ("K-1", "K-2"):
        message_correlate(name="supplier_reply", correlation_key=key, keep_for=HOUR)
    with pytest.raises(MessageNotDelivered, match="already kept"):
        message_correlate(name="supplier_reply", correlation_key="K-3", keep_for=HOUR)
    assert KeptMessage.objects.count() == 2


def test_the_worker_records_a_message_matching_several_instances_instead_of_retrying():
    process_import(data=PLAIN_ORDER)
    first = instance_start(code="plain_order", run_now=True)
    second = instance_start(code="plain_order", run_now=True)

    assert tasks.deliver_message.run(name="plain_reply", payload={"ok": 1}) == 0

    failure = KeptMessage.objects.get()
    assert failure.status == "failed"
    assert "several waiting instances" in failure.reason
    assert status(first) == status(second) == "running"


THROWER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="t"
    targetNamespace="https://flowdesk.dev/tests">
  <bpmn:message id="reply" name="plain_reply" />
  <bpmn:process id="replier" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="send" />
    <bpmn:intermediateThrowEvent id="send"><bpmn:messageEventDefinition messageRef="reply" />
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="send" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_thrown_message_matching_several_instances_is_recorded_once_not_retried(after_commit):
    process_import(data=PLAIN_ORDER)
    process_import(data=THROWER)
    first = instance_start(code="plain_order", run_now=True)
    second = instance_start(code="plain_order", run_now=True)

    after_commit(instance_start, code="replier", run_now=True)

    effect = Effect.objects.get(kind="processes.deliver_message")
    assert effect.status == "done", (effect.status, effect.attempts)
    assert KeptMessage.objects.get().status == "failed"
    assert status(first) == status(second) == "running"
