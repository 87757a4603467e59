"""The process service layer on PostgreSQL: import, versions, start, step, timers, signals."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from processes import clock
from processes.engine.bpmn import BpmnImportError
from processes.models import ProcessDefinition, ProcessInstance, Step
from processes.services import (
    ProcessNotActive,
    StepNotAvailable,
    instance_cancel,
    instance_start,
    process_import,
    process_set_active,
    signal_broadcast,
    step_complete,
    step_retry,
    timers_fire_due,
)

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


def load(name):
    return (DATA / name).read_bytes()


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    """Run what services queue after commit (eager Celery tasks included), as a worker would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def refreshed(instance):
    return ProcessInstance.objects.get(pk=instance.pk)


def waiting_user_steps(instance):
    return list(
        Step.objects.filter(instance=instance, status="waiting", is_user_step=True).order_by(
            "number"
        )
    )


def test_reimporting_a_process_makes_a_new_version_and_running_instances_keep_theirs(
    agent, run_after_commit
):
    first = process_import(data=load("review.bpmn"))[0]
    running = run_after_commit(instance_start, code="review", variables={"amount": 2}, user=agent)
    second = process_import(data=load("review.bpmn"))[0]

    assert (first.number, second.number) == (1, 2)
    assert refreshed(running).version_id == first.pk
    newer = run_after_commit(instance_start, code="review", variables={"amount": 1}, user=agent)
    assert newer.version_id == second.pk


def test_a_started_process_runs_its_system_steps_and_waits_for_its_owner(agent, run_after_commit):
    process_import(data=load("review.bpmn"))
    instance = run_after_commit(instance_start, code="review", variables={"amount": 21}, user=agent)

    instance = refreshed(instance)
    assert instance.status == "running"
    assert instance.variables["amount"] == 42
    [step] = waiting_user_steps(instance)
    assert step.name == "Approve the request"
    assert step.owner == agent


def test_completing_the_user_step_takes_the_gateway_branch_and_records_the_duration(
    agent, run_after_commit
):
    process_import(data=load("review.bpmn"))
    instance = run_after_commit(instance_start, code="review", variables={"amount": 1}, user=agent)
    [step] = waiting_user_steps(instance)

    run_after_commit(
        step_complete,
        instance_id=instance.pk,
        step_number=step.number,
        user=agent,
        variables={"answer": "Yes"},
    )

    instance = refreshed(instance)
    assert instance.status == "completed"
    assert instance.duration is not None and instance.duration >= timedelta(0)
    visited = list(Step.objects.filter(instance=instance).values_list("element_id", flat=True))
    assert "approved" in visited and "rejected" not in visited
    assert not Step.objects.filter(instance=instance, status__in=["active", "waiting"]).exists()


def test_a_step_completed_twice_is_refused_the_second_time(agent, run_after_commit):
    process_import(data=load("review.bpmn"))
    instance = run_after_commit(instance_start, code="review", variables={"amount": 1}, user=agent)
    [step] = waiting_user_steps(instance)
    run_after_commit(
        step_complete, instance_id=instance.pk, step_number=step.number, variables={"answer": "No"}
    )

    with pytest.raises(StepNotAvailable, match="already done"):
        step_complete(instance_id=instance.pk, step_number=step.number, variables={"answer": "Yes"})
    assert refreshed(instance).status == "completed"


def test_an_inactive_process_cannot_be_started_by_hand(agent):
    [version] = process_import(data=load("review.bpmn"))
    process_set_active(definition=version.definition, active=False)

    with pytest.raises(ProcessNotActive, match="not active"):
        instance_start(code="review", user=agent)
    assert not ProcessInstance.objects.exists()


def test_deactivating_with_cancel_stops_the_running_instances(agent, run_after_commit):
    [version] = process_import(data=load("review.bpmn"))
    instance = run_after_commit(instance_start, code="review", variables={"amount": 1}, user=agent)

    _definition, canceled = run_after_commit(
        process_set_active, definition=version.definition, active=False, cancel_running=True
    )

    assert canceled == 1
    assert refreshed(instance).status == "canceled"
    assert not Step.objects.filter(instance=instance, status="waiting").exists()


def test_a_timer_waits_until_the_clock_reaches_it(run_after_commit):
    process_import(data=load("timer_wait.bpmn"))
    start = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    with clock.frozen_at(start):
        instance = run_after_commit(instance_start, code="timer_wait")
        [timer] = Step.objects.filter(instance=instance, status="waiting")
        assert timer.due_at == start + timedelta(hours=1)

        clock.advance(timedelta(minutes=59))
        assert run_after_commit(timers_fire_due) == 0
        assert refreshed(instance).status == "running"

        clock.advance(timedelta(minutes=1))
        assert run_after_commit(timers_fire_due) == 1
    instance = refreshed(instance)
    assert instance.status == "completed"
    assert instance.variables["waited"] is True


def test_a_signal_reaches_every_waiting_instance_and_starts_signal_start_processes(
    run_after_commit,
):
    process_import(data=load("signals.bpmn"))
    waiters = [run_after_commit(instance_start, code="signal_waiter") for _ in range(3)]

    run_after_commit(instance_start, code="signal_thrower")

    assert all(refreshed(w).status == "completed" for w in waiters)
    started = ProcessInstance.objects.filter(definition__code="signal_started")
    assert started.count() == 1 and started.get().status == "completed"
    assert run_after_commit(signal_broadcast, name="go") == 1  # only the start process again


def test_a_failing_step_puts_the_instance_in_error_and_run_item_retries_it(run_after_commit):
    process_import(data=load("flaky.bpmn"))
    instance = run_after_commit(instance_start, code="flaky", variables={"budget": 10, "people": 0})

    instance = refreshed(instance)
    assert instance.status == "error"
    failed = Step.objects.get(instance=instance, status="error")
    assert failed.element_id == "divide" and "division" in failed.error.lower()

    with pytest.raises(StepNotAvailable):
        step_retry(instance_id=instance.pk, step_number=failed.number + 100)

    ProcessInstance.objects.filter(pk=instance.pk).update(variables={"budget": 10, "people": 5})
    run_after_commit(step_retry, instance_id=instance.pk, step_number=failed.number)
    instance = refreshed(instance)
    assert instance.status == "completed"
    assert instance.variables["share"] == 2


def test_a_call_activity_runs_the_child_and_resumes_the_parent_with_its_variables(
    run_after_commit,
):
    process_import(data=load("call_parent.bpmn"))
    parent = run_after_commit(instance_start, code="call_parent", variables={"amount": 50})

    parent = refreshed(parent)
    child = ProcessInstance.objects.get(parent=parent)
    assert child.status == "completed"
    assert parent.status == "completed"
    assert parent.variables["approved"] is True


def test_cancel_execution_is_refused_for_a_finished_instance(agent, run_after_commit):
    process_import(data=load("call_parent.bpmn"))
    instance = run_after_commit(instance_start, code="call_parent", variables={"amount": 1})

    with pytest.raises(Exception, match="running"):
        instance_cancel(instance_id=instance.pk)
    assert refreshed(instance).status == "completed"


def test_a_file_that_cannot_import_leaves_the_library_unchanged():
    broken = load("review.bpmn").replace(b'targetRef="approve"', b'targetRef="nowhere"')

    with pytest.raises(BpmnImportError, match="nowhere"):
        process_import(data=broken)
    assert not ProcessDefinition.objects.exists()
