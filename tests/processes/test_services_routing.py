"""How the services route an instance's effects to other instances on PostgreSQL:
called processes in other files, signals and messages with their payloads,
BPMN errors from a child to its call activity, and canceled children."""

from datetime import UTC, datetime, timedelta

import pytest

from processes import clock
from processes.models import ProcessInstance, Step
from processes.services import (
    instance_cancel,
    instance_start,
    process_import,
    step_complete,
    timers_fire_due,
)

pytestmark = pytest.mark.django_db

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="Definitions_routing" targetNamespace="https://flowdesk.dev/tests">'
)
TAIL = "</bpmn:definitions>"


def bpmn(body: str) -> str:
    return HEAD + body + TAIL


CHILD_WITH_TASK = bpmn("""
  <bpmn:process id="routing_child" isExecutable="true">
    <bpmn:startEvent id="cs" />
    <bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="work" />
    <bpmn:userTask id="work" name="Child work" />
    <bpmn:sequenceFlow id="c2" sourceRef="work" targetRef="ce" />
    <bpmn:endEvent id="ce" />
  </bpmn:process>
""")


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    """Run what services queue after commit (eager Celery tasks included), as a worker would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def refreshed(instance):
    return ProcessInstance.objects.get(pk=instance.pk)


def visited(instance):
    return set(
        Step.objects.filter(instance=instance, status="completed").values_list(
            "element_id", flat=True
        )
    )


def test_a_call_activity_may_call_a_process_deployed_from_another_file(run_after_commit):
    process_import(data=CHILD_WITH_TASK)
    process_import(
        data=bpmn("""
      <bpmn:process id="routing_parent" isExecutable="true">
        <bpmn:startEvent id="s" />
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call" />
        <bpmn:callActivity id="call" calledElement="routing_child" />
        <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e" />
        <bpmn:endEvent id="e" />
      </bpmn:process>
    """)
    )

    parent = run_after_commit(instance_start, code="routing_parent", run_now=True)

    child = ProcessInstance.objects.get(parent=parent)
    [step] = Step.objects.filter(instance=child, status="waiting")
    run_after_commit(step_complete, instance_id=child.pk, step_number=step.number)
    assert refreshed(child).status == "completed"
    assert refreshed(parent).status == "completed"


def test_a_signal_start_keeps_a_dict_payload_under_the_thrown_variable(run_after_commit):
    process_import(
        data=bpmn("""
      <bpmn:signal id="sig" name="routing_go">
        <bpmn:extensionElements>
          <spiffworkflow:payloadExpression>{'a': a}</spiffworkflow:payloadExpression>
          <spiffworkflow:variableName>result</spiffworkflow:variableName>
        </bpmn:extensionElements>
      </bpmn:signal>
      <bpmn:process id="routing_thrower" isExecutable="true">
        <bpmn:startEvent id="s" />
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="throw" />
        <bpmn:intermediateThrowEvent id="throw"><bpmn:signalEventDefinition signalRef="sig" />
        </bpmn:intermediateThrowEvent>
        <bpmn:sequenceFlow id="f2" sourceRef="throw" targetRef="e" />
        <bpmn:endEvent id="e" />
      </bpmn:process>
      <bpmn:process id="routing_started" isExecutable="true">
        <bpmn:startEvent id="ss"><bpmn:signalEventDefinition signalRef="sig" /></bpmn:startEvent>
        <bpmn:sequenceFlow id="g1" sourceRef="ss" targetRef="wait" />
        <bpmn:userTask id="wait" />
        <bpmn:sequenceFlow id="g2" sourceRef="wait" targetRef="se" />
        <bpmn:endEvent id="se" />
      </bpmn:process>
    """)
    )

    run_after_commit(instance_start, code="routing_thrower", variables={"a": 1}, run_now=True)

    started = ProcessInstance.objects.get(definition__code="routing_started")
    # As a waiting catch event would store it: the whole payload in the named variable.
    assert started.variables == {"result": {"a": 1}}


def test_a_signal_reaches_a_catch_event_of_the_instance_that_threw_it(run_after_commit):
    process_import(
        data=bpmn("""
      <bpmn:signal id="sig" name="routing_self" />
      <bpmn:process id="routing_self" isExecutable="true">
        <bpmn:startEvent id="s" />
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="fork" />
        <bpmn:parallelGateway id="fork" />
        <bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="catch" />
        <bpmn:sequenceFlow id="f3" sourceRef="fork" targetRef="throw" />
        <bpmn:intermediateCatchEvent id="catch"><bpmn:signalEventDefinition signalRef="sig" />
        </bpmn:intermediateCatchEvent>
        <bpmn:intermediateThrowEvent id="throw"><bpmn:signalEventDefinition signalRef="sig" />
        </bpmn:intermediateThrowEvent>
        <bpmn:sequenceFlow id="f4" sourceRef="catch" targetRef="join" />
        <bpmn:sequenceFlow id="f5" sourceRef="throw" targetRef="join" />
        <bpmn:parallelGateway id="join" />
        <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="e" />
        <bpmn:endEvent id="e" />
      </bpmn:process>
    """)
    )

    instance = run_after_commit(instance_start, code="routing_self", run_now=True)

    assert refreshed(instance).status == "completed"
    assert {"catch", "throw", "e"} <= visited(instance)


def test_a_thrown_message_starts_a_message_start_process_with_its_payload(run_after_commit):
    process_import(
        data=bpmn("""
      <bpmn:message id="msg" name="routing_order">
        <bpmn:extensionElements>
          <spiffworkflow:payloadExpression>amount * 2</spiffworkflow:payloadExpression>
        </bpmn:extensionElements>
      </bpmn:message>
      <bpmn:process id="routing_sender" isExecutable="true">
        <bpmn:startEvent id="s" />
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="send" />
        <bpmn:endEvent id="send"><bpmn:messageEventDefinition messageRef="msg" /></bpmn:endEvent>
      </bpmn:process>
      <bpmn:process id="routing_receiver" isExecutable="true">
        <bpmn:startEvent id="rs"><bpmn:messageEventDefinition messageRef="msg" /></bpmn:startEvent>
        <bpmn:sequenceFlow id="g1" sourceRef="rs" targetRef="re" />
        <bpmn:endEvent id="re" />
      </bpmn:process>
    """)
    )

    sender = run_after_commit(
        instance_start, code="routing_sender", variables={"amount": 21}, run_now=True
    )

    assert refreshed(sender).status == "completed"
    receiver = ProcessInstance.objects.get(definition__code="routing_receiver")
    assert receiver.status == "completed"
    assert receiver.variables == {"routing_order": 42}
    assert visited(receiver) == {"rs", "re"}


def test_a_bpmn_error_of_the_child_is_caught_by_the_boundary_of_its_call_activity(
    run_after_commit,
):
    process_import(
        data=bpmn("""
      <bpmn:error id="err" errorCode="NO_STOCK" />
      <bpmn:process id="routing_failing_child" isExecutable="true">
        <bpmn:startEvent id="cs" />
        <bpmn:sequenceFlow id="c1" sourceRef="cs" targetRef="ce" />
        <bpmn:endEvent id="ce"><bpmn:errorEventDefinition errorRef="err" /></bpmn:endEvent>
      </bpmn:process>
      <bpmn:process id="routing_catching_parent" isExecutable="true">
        <bpmn:startEvent id="s" />
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call" />
        <bpmn:callActivity id="call" calledElement="routing_failing_child" />
        <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="ok" />
        <bpmn:endEvent id="ok" />
        <bpmn:boundaryEvent id="caught" attachedToRef="call">
          <bpmn:errorEventDefinition errorRef="err" />
        </bpmn:boundaryEvent>
        <bpmn:sequenceFlow id="f3" sourceRef="caught" targetRef="handle" />
        <bpmn:userTask id="handle" name="Handle missing stock" />
        <bpmn:sequenceFlow id="f4" sourceRef="handle" targetRef="handled" />
        <bpmn:endEvent id="handled" />
      </bpmn:process>
    """)
    )

    parent = run_after_commit(instance_start, code="routing_catching_parent", run_now=True)

    child = ProcessInstance.objects.get(parent=parent)
    assert child.error_code == "NO_STOCK"
    parent = refreshed(parent)
    assert parent.status == "running", parent.error
    [waiting] = Step.objects.filter(instance=parent, status="waiting")
    assert waiting.element_id == "handle"
    assert Step.objects.get(instance=parent, element_id="call").status == "canceled"


def test_canceling_a_parent_cancels_its_called_child(run_after_commit):
    process_import(data=CHILD_WITH_TASK)
    process_import(
        data=bpmn("""
      <bpmn:process id="routing_parent" isExecutable="true">
        <bpmn:startEvent id="s" />
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call" />
        <bpmn:callActivity id="call" calledElement="routing_child" />
        <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e" />
        <bpmn:endEvent id="e" />
      </bpmn:process>
    """)
    )
    parent = run_after_commit(instance_start, code="routing_parent", run_now=True)
    child = ProcessInstance.objects.get(parent=parent)

    run_after_commit(instance_cancel, instance_id=parent.pk)

    assert refreshed(parent).status == "canceled"
    assert refreshed(child).status == "canceled"
    assert not Step.objects.filter(instance__in=[parent, child], status="waiting").exists()


def test_an_interrupting_timer_on_a_call_activity_cancels_the_child_and_goes_on(
    run_after_commit,
):
    process_import(data=CHILD_WITH_TASK)
    process_import(
        data=bpmn("""
      <bpmn:process id="routing_parent" isExecutable="true">
        <bpmn:startEvent id="s" />
        <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="call" />
        <bpmn:callActivity id="call" calledElement="routing_child" />
        <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="e" />
        <bpmn:endEvent id="e" />
        <bpmn:boundaryEvent id="late" attachedToRef="call">
          <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>
          </bpmn:timerEventDefinition>
        </bpmn:boundaryEvent>
        <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="too_late" />
        <bpmn:endEvent id="too_late" />
      </bpmn:process>
    """)
    )
    with clock.frozen_at(datetime(2030, 1, 7, 9, 0, tzinfo=UTC)):
        parent = run_after_commit(instance_start, code="routing_parent", run_now=True)
        child = ProcessInstance.objects.get(parent=parent)

        clock.advance(timedelta(hours=1))
        run_after_commit(timers_fire_due)

    parent = refreshed(parent)
    assert parent.status == "completed", parent.error
    assert "too_late" in visited(parent)
    assert refreshed(child).status == "canceled"
