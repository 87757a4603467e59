"""What a run obliges survives a process that dies right after commit: the after-commit
hooks are dropped here (as a kill -9 drops them) and the outbox's sweep does the rest."""

from pathlib import Path

import pytest

from activities.models import Activity
from outbox.services import effects_deliver_due
from processes.models import ProcessInstance, Step
from processes.services import instance_advance, instance_start, process_import

DATA = Path(__file__).parent / "data"

pytestmark = pytest.mark.django_db

PERFORM_TASK = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:flowdesk="https://flowdesk.dev/bpmn"
                  id="Definitions_call_back" targetNamespace="https://flowdesk.dev/tests">
  <bpmn:process id="call_back" name="Call the customer back" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call" />
    <bpmn:userTask id="call" name="Call back" flowdesk:owner="bob" flowdesk:page="task" />
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def hooks_lost(django_capture_on_commit_callbacks):
    """`with hooks_lost():` commits, then drops what was queued for after the commit."""
    return lambda: django_capture_on_commit_callbacks(execute=False)


def test_a_perform_task_step_has_its_activity_when_the_process_dies_after_commit(agent, hooks_lost):
    process_import(data=PERFORM_TASK)
    with hooks_lost():
        instance = instance_start(code="call_back", user=agent, run_now=True)

    step = Step.objects.get(instance=instance, element_id="call", status="waiting")
    activity = Activity.objects.get(step=step)
    assert (activity.title, activity.owner) == ("Call back", agent)


def test_a_thrown_signal_whose_queueing_was_lost_reaches_the_waiting_instances(hooks_lost):
    process_import(data=(DATA / "signals.bpmn").read_bytes())
    waiters = [instance_start(code="signal_waiter", run_now=True) for _ in range(2)]
    with hooks_lost():
        instance_start(code="signal_thrower", run_now=True)
    assert {w.status for w in ProcessInstance.objects.filter(pk__in=[w.pk for w in waiters])} == {
        "running"
    }

    assert effects_deliver_due() == 1

    assert {w.status for w in ProcessInstance.objects.filter(pk__in=[w.pk for w in waiters])} == {
        "completed"
    }
    assert effects_deliver_due() == 0, "the signal is delivered once"


def test_a_parent_whose_child_finished_just_before_a_crash_resumes_from_the_sweep(hooks_lost):
    process_import(data=(DATA / "call_parent.bpmn").read_bytes())
    with hooks_lost():
        parent = instance_start(code="call_parent", variables={"amount": 5}, run_now=True)
    child = ProcessInstance.objects.get(parent=parent)
    with hooks_lost():
        instance_advance(instance_id=child.pk)
    child.refresh_from_db()
    parent.refresh_from_db()
    assert (child.status, parent.status) == ("completed", "running")

    effects_deliver_due()

    parent.refresh_from_db()
    assert parent.status == "completed"
    assert parent.variables["approved"] is True
