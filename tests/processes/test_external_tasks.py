"""External tasks through the service: locks, reports, retries, BPMN errors, bounds."""

import threading
import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import connection

from processes import clock
from processes.errors import StepNotAvailable
from processes.models import ProcessInstance, Step
from processes.services import external_tasks, instance_start, process_import, step_retry

pytestmark = pytest.mark.django_db
TOPIC = "shipping"

SHIPPING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_{code}" targetNamespace="t">
  <bpmn:error id="lost" name="Parcel lost" errorCode="LOST"/>
  <bpmn:process id="{code}" name="Ship an order" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ship"/>
    <bpmn:serviceTask id="ship" name="Ship the parcel" camunda:type="external"
        camunda:topic="{topic}"/>
    <bpmn:boundaryEvent id="on_lost" attachedToRef="ship">
      <bpmn:errorEventDefinition errorRef="lost"/>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="ship" targetRef="shipped"/>
    <bpmn:endEvent id="shipped"/>
    <bpmn:sequenceFlow id="f3" sourceRef="on_lost" targetRef="apologise"/>
    <bpmn:userTask id="apologise" name="Apologise to the customer"/>
    <bpmn:sequenceFlow id="f4" sourceRef="apologise" targetRef="done"/>
    <bpmn:endEvent id="done"/>
  </bpmn:process>
</bpmn:definitions>"""


def shipping_process(code="ship_order", topic=TOPIC):
    """start → the external task `ship` on `topic` (an error boundary for LOST leads to
    the user task `apologise`) → end."""
    return process_import(data=SHIPPING.format(code=code, topic=topic))[0].definition


def start_orders(definition, count=1, **variables):
    return [
        instance_start(definition=definition, variables=dict(variables), run_now=True)
        for _ in range(count)
    ]


def topic(name=TOPIC, lock_ms=60_000, variables=None):
    return external_tasks.TopicRequest(name, lock_ms, variables)


def fetch(worker="w1", max_tasks=10, *topics):
    return external_tasks.fetch_and_lock(
        worker_id=worker, topics=list(topics) or [topic()], max_tasks=max_tasks
    )


@pytest.fixture
def shipping():
    return shipping_process()


def test_a_fetch_locks_the_waiting_tasks_of_its_topic_with_their_variables(shipping):
    instance = start_orders(shipping, order="A-1", __hidden=1)[0]
    other = shipping_process("bill", topic="billing")
    start_orders(other)
    tasks = fetch("w1", 10, topic(variables=["order", "missing"]))
    assert [t.step.instance_id for t in tasks] == [instance.pk]
    task = tasks[0]
    assert (task.topic, task.variables, task.process_code) == (
        TOPIC,
        {"order": "A-1"},
        "ship_order",
    )
    row = Step.objects.get(pk=task.step.pk)
    assert row.worker_id == "w1" and row.lock_expires_at > clock.now()
    assert fetch("w2") == []  # locked for w1


def test_an_expired_lock_is_handed_out_again(shipping):
    start_orders(shipping)
    moment = clock.now()
    with clock.frozen_at(moment):
        first = fetch("w1", 10, topic(lock_ms=1000))
        clock.advance(timedelta(milliseconds=999))
        assert fetch("w2") == []
        clock.advance(timedelta(milliseconds=2))
        again = fetch("w2")
    assert [t.step.pk for t in again] == [t.step.pk for t in first]
    with pytest.raises(external_tasks.ExternalTaskLocked, match="w2"):
        external_tasks.complete(task_id=first[0].step.pk, worker_id="w1")


def test_complete_by_the_holder_moves_on_and_a_second_complete_is_refused(shipping):
    instance = start_orders(shipping)[0]
    task = fetch("w1")[0]
    with pytest.raises(external_tasks.ExternalTaskLocked, match="locked by worker “w1”"):
        external_tasks.complete(task_id=task.step.pk, worker_id="intruder")
    external_tasks.complete(task_id=task.step.pk, worker_id="w1", variables={"parcel": "P1"})
    instance.refresh_from_db()
    assert instance.status == "completed" and instance.variables["parcel"] == "P1"
    with pytest.raises(StepNotAvailable):
        external_tasks.complete(task_id=task.step.pk, worker_id="w1")


def test_a_failure_with_retries_waits_for_the_timeout_then_the_last_puts_the_step_in_error(
    shipping,
):
    instance = start_orders(shipping)[0]
    moment = clock.now()
    with clock.frozen_at(moment):
        task = fetch("w1")[0]
        external_tasks.failure(
            task_id=task.step.pk,
            worker_id="w1",
            error_message="carrier down",
            error_details="HTTP 503",
            retries=1,
            retry_timeout_ms=5000,
        )
        assert fetch("w2") == []
        clock.advance(timedelta(seconds=6))
        again = fetch("w2")[0]
        assert (again.step.retries, again.step.worker_error) == (1, "carrier down")
        external_tasks.failure(
            task_id=again.step.pk, worker_id="w2", error_message="carrier gone", retries=0
        )
    row = Step.objects.get(pk=task.step.pk)
    instance.refresh_from_db()
    assert row.status == "error" and "carrier gone" in row.error and "w2" in row.error
    assert instance.status == "error"
    # The Process log's "Run item" re-opens it as a fresh task any worker may fetch.
    step_retry(instance_id=instance.pk, step_number=row.number)
    reopened = fetch("w3")
    assert [t.step.pk for t in reopened] == [row.pk] and reopened[0].step.retries is None
    external_tasks.complete(task_id=row.pk, worker_id="w3")
    instance.refresh_from_db()
    assert instance.status == "completed"


def test_a_bpmn_error_is_caught_by_the_boundary_event_with_the_workers_variables(shipping):
    instance = start_orders(shipping)[0]
    task = fetch("w1")[0]
    external_tasks.bpmn_error(
        task_id=task.step.pk,
        worker_id="w1",
        error_code="LOST",
        error_message="no trace of it",
        variables={"last_seen": "Depot 4"},
    )
    instance.refresh_from_db()
    assert instance.status == "running" and instance.variables["last_seen"] == "Depot 4"
    assert Step.objects.get(instance=instance, element_id="apologise").status == "waiting"
    assert Step.objects.get(pk=task.step.pk).status != "waiting"


def test_an_uncaught_bpmn_error_puts_the_step_in_error_and_run_item_reopens_it(shipping):
    instance = start_orders(shipping)[0]
    task = fetch("w1")[0]
    external_tasks.bpmn_error(task_id=task.step.pk, worker_id="w1", error_code="UNKNOWN")
    instance.refresh_from_db()
    assert instance.status == "error" and "UNKNOWN" in instance.error
    step_retry(instance_id=instance.pk, step_number=task.step.number)
    assert [t.step.pk for t in fetch("w2")] == [task.step.pk]  # not still w1's


def test_topics_may_be_given_as_plain_dicts(shipping):
    start_orders(shipping, order="B-2", weight=3)
    [task] = external_tasks.fetch_and_lock(
        worker_id="w1",
        topics=[{"name": TOPIC, "lock_duration_ms": 1000, "variables": ["weight"]}],
        max_tasks=1,
    )
    assert task.variables == {"weight": 3}


def test_extend_lock_and_unlock(shipping):
    start_orders(shipping)
    moment = clock.now()
    with clock.frozen_at(moment):
        task = fetch("w1", 10, topic(lock_ms=1000))[0]
        external_tasks.extend_lock(task_id=task.step.pk, worker_id="w1", new_duration_ms=60_000)
        clock.advance(timedelta(seconds=30))
        assert fetch("w2") == []
        with pytest.raises(external_tasks.ExternalTaskLocked):
            external_tasks.extend_lock(task_id=task.step.pk, worker_id="w2", new_duration_ms=1)
        external_tasks.unlock(task_id=task.step.pk)
        assert [t.step.pk for t in fetch("w2")] == [task.step.pk]
        clock.advance(timedelta(minutes=5))
        with pytest.raises(external_tasks.ExternalTaskLocked, match="expired"):
            external_tasks.extend_lock(task_id=task.step.pk, worker_id="w2", new_duration_ms=1)


def test_the_list_filters_by_topic_and_lock(shipping):
    start_orders(shipping, count=3)
    fetch("w1", 1)
    assert external_tasks.external_task_list(topic=TOPIC).count() == 3
    assert external_tasks.external_task_list(topic="other").count() == 0
    assert [r.worker_id for r in external_tasks.external_task_list(locked=True)] == ["w1"]
    assert external_tasks.external_task_list(locked=False).count() == 2


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"max_tasks": external_tasks.MAX_TASKS + 1}, "max_tasks"),
        ({"worker_id": ""}, "worker_id"),
        ({"worker_id": "w" * 256}, "worker_id"),
        ({"topics": [topic(lock_ms=external_tasks.MAX_LOCK_DURATION_MS + 1)]}, "topics[0]"),
        ({"topics": [topic(lock_ms=0)]}, "topics[0].lock_duration_ms"),
        ({"topics": []}, "topics"),
        ({"topics": [topic(name="")]}, "topics[0].name"),
    ],
)
def test_fetch_bounds_name_the_field(arguments, field):
    call = {"worker_id": "w1", "topics": [topic()], "max_tasks": 5, **arguments}
    with pytest.raises(external_tasks.ExternalTaskInputError) as caught:
        external_tasks.fetch_and_lock(**call)
    assert caught.value.field.startswith(field)


def test_report_bounds_refuse_huge_variables_and_messages_and_store_nothing(shipping):
    instance = start_orders(shipping)[0]
    task = fetch("w1")[0]
    with pytest.raises(external_tasks.ExternalTaskInputError) as caught:
        external_tasks.complete(
            task_id=task.step.pk, worker_id="w1", variables={"note": "x" * 10_001}
        )
    assert caught.value.field == "variables" and "note" in caught.value.detail
    with pytest.raises(external_tasks.ExternalTaskInputError, match="10,000"):
        external_tasks.failure(task_id=task.step.pk, worker_id="w1", error_message="x" * 10_001)
    with pytest.raises(external_tasks.ExternalTaskInputError):
        external_tasks.failure(task_id=task.step.pk, worker_id="w1", retries=-1)
    instance.refresh_from_db()
    assert instance.status == "running" and "note" not in instance.variables
    with pytest.raises(external_tasks.ExternalTaskNotFound):
        external_tasks.complete(task_id="nope", worker_id="w1")


def test_only_administrators_work_on_external_tasks(shipping):
    clerk = User.objects.create_user("clerk")
    with pytest.raises(PermissionDenied):
        external_tasks.fetch_and_lock(worker_id="w", topics=[topic()], max_tasks=1, user=clerk)


@pytest.mark.django_db(transaction=True)
def test_concurrent_fetches_never_hand_out_one_task_twice():
    definition = shipping_process()
    start_orders(definition, count=40)
    got, errors = [], []
    barrier = threading.Barrier(4)

    def worker(name):
        try:
            barrier.wait()
            while batch := fetch(name, 3):
                got.extend((name, t.step.pk) for t in batch)
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    ids = [pk for _name, pk in got]
    assert len(ids) == len(set(ids)) == 40
    assert ProcessInstance.objects.filter(status="running").count() == 40


@pytest.mark.django_db(transaction=True)
def test_a_waiting_fetch_gets_work_that_arrives_while_it_waits():
    definition = shipping_process()
    arrived = threading.Event()

    def start_later():
        try:
            arrived.wait(timeout=10)
            time.sleep(0.5)  # ordering only: the fetch below is waiting by then, usually
            start_orders(definition)
        finally:
            connection.close()

    thread = threading.Thread(target=start_later)
    thread.start()
    assert fetch("w1") == []  # nothing yet
    arrived.set()
    tasks = external_tasks.fetch_and_lock(
        worker_id="w1", topics=[topic()], max_tasks=5, wait_ms=external_tasks.MAX_WAIT_MS
    )
    thread.join()
    assert len(tasks) == 1
