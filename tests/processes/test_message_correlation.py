"""Messages correlated by key on PostgreSQL: a reply reaches only the instance it
is meant for (BPMN correlation properties, Camunda business key or variables);
one that matches none is dropped or refused, never given to another instance;
one that matches several is refused unless the caller asks for all."""

import pytest

from processes.events import MessageAmbiguous, MessageNotDelivered
from processes.models import ProcessInstance, Step
from processes.services import instance_start, message_deliver, process_import

pytestmark = pytest.mark.django_db

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'xmlns:tns="https://flowdesk.dev/tests" '
    'id="Definitions_correlation" targetNamespace="https://flowdesk.dev/tests">'
)
TAIL = "</bpmn:definitions>"

# An order waits for its supplier's reply, keyed by the order number: the
# correlation property reads `order_no` from the reply and from the order.
KEYED_ORDER = (
    HEAD
    + """
  <bpmn:message id="reply" name="supplier_reply" />
  <bpmn:correlationProperty id="order_no" name="Order number">
    <bpmn:correlationPropertyRetrievalExpression messageRef="tns:reply">
      <bpmn:messagePath>order_no</bpmn:messagePath>
    </bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>
  <bpmn:collaboration id="c">
    <bpmn:correlationKey name="order">
      <bpmn:correlationPropertyRef>order_no</bpmn:correlationPropertyRef>
    </bpmn:correlationKey>
  </bpmn:collaboration>
  <bpmn:process id="keyed_order" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait" name="Reply received">
      <bpmn:messageEventDefinition messageRef="reply" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
  <bpmn:process id="supplier" isExecutable="true">
    <bpmn:startEvent id="ss" />
    <bpmn:sequenceFlow id="g1" sourceRef="ss" targetRef="answer" />
    <bpmn:intermediateThrowEvent id="answer">
      <bpmn:messageEventDefinition messageRef="reply" />
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="g2" sourceRef="answer" targetRef="se" />
    <bpmn:endEvent id="se" />
  </bpmn:process>
"""
    + TAIL
)

# The same wait with no key in the model: Camunda correlates by business key or variables.
PLAIN_ORDER = (
    HEAD
    + """
  <bpmn:message id="reply" name="plain_reply" />
  <bpmn:process id="plain_order" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait" />
    <bpmn:receiveTask id="wait" messageRef="reply" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
"""
    + TAIL
)


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def status(instance):
    return ProcessInstance.objects.get(pk=instance.pk).status


def orders(code, *numbers, **extra):
    return [
        instance_start(code=code, variables={"order_no": n}, run_now=True, **extra) for n in numbers
    ]


def test_a_reply_meant_for_order_b_completes_order_b_not_a():
    process_import(data=KEYED_ORDER)
    order_a, order_b = orders("keyed_order", "A-1", "B-2")
    assert Step.objects.get(instance=order_b, status="waiting").correlation_key == "B-2"

    assert message_deliver(name="supplier_reply", payload={"ok": 1}, correlation_key="B-2") == 1

    assert status(order_a) == "running"
    assert status(order_b) == "completed"
    assert ProcessInstance.objects.get(pk=order_b.pk).variables["ok"] == 1


def test_a_thrown_reply_is_keyed_by_its_payload(run_after_commit):
    process_import(data=KEYED_ORDER.replace('name="supplier_reply" />', SPIFF_PAYLOAD, 1))
    order_a, order_b = orders("keyed_order", "A-1", "B-2")

    run_after_commit(instance_start, code="supplier", variables={"answer_to": "B-2"}, run_now=True)

    assert status(order_a) == "running"
    assert status(order_b) == "completed"


SPIFF_PAYLOAD = """name="supplier_reply"><bpmn:extensionElements>
    <spiffworkflow:payloadExpression>{'order_no': answer_to}</spiffworkflow:payloadExpression>
  </bpmn:extensionElements></bpmn:message>"""


def test_a_numeric_key_matches_its_text():
    process_import(data=KEYED_ORDER)
    [order] = orders("keyed_order", 17)
    assert message_deliver(name="supplier_reply", correlation_key="17") == 1
    assert status(order) == "completed"


def test_a_reply_matching_no_order_is_dropped_or_refused_never_given_to_another():
    process_import(data=KEYED_ORDER)
    order_a, order_b = orders("keyed_order", "A-1", "B-2")

    assert message_deliver(name="supplier_reply", correlation_key="C-3") == 0
    with pytest.raises(MessageNotDelivered):
        message_deliver(name="supplier_reply", correlation_key="C-3", if_unmatched="refuse")
    # No key at all does not reach steps that wait under a key either.
    assert message_deliver(name="supplier_reply") == 0

    assert status(order_a) == status(order_b) == "running"


def test_a_reply_matching_several_orders_is_refused_unless_all_are_asked_for():
    process_import(data=KEYED_ORDER)
    first, second = orders("keyed_order", "A-1", "A-1")
    other = orders("keyed_order", "B-2")[0]

    with pytest.raises(MessageAmbiguous):
        message_deliver(name="supplier_reply", correlation_key="A-1")
    assert status(first) == status(second) == "running"

    assert message_deliver(name="supplier_reply", correlation_key="A-1", deliver_to_all=True) == 2
    assert status(first) == status(second) == "completed"
    assert status(other) == "running"


def test_camunda_style_a_business_key_picks_the_instance():
    process_import(data=PLAIN_ORDER)
    order_a = instance_start(code="plain_order", business_key="A-1", run_now=True)
    order_b = instance_start(code="plain_order", business_key="B-2", run_now=True)

    assert message_deliver(name="plain_reply", business_key="B-2") == 1

    assert status(order_a) == "running"
    assert status(order_b) == "completed"


def test_camunda_style_process_variables_pick_the_instance():
    process_import(data=PLAIN_ORDER)
    order_a, order_b = orders("plain_order", "A-1", "B-2")

    assert message_deliver(name="plain_reply", variables={"order_no": "A-1"}) == 1

    assert status(order_a) == "completed"
    assert status(order_b) == "running"


def test_an_unkeyed_message_to_several_unkeyed_waits_is_refused():
    process_import(data=PLAIN_ORDER)
    order_a, order_b = orders("plain_order", "A-1", "B-2")

    with pytest.raises(MessageAmbiguous):
        message_deliver(name="plain_reply")

    assert status(order_a) == status(order_b) == "running"
