"""Instances one transaction starts are stepped by the worker in batches: one task and
one commit for each batch, every instance in a savepoint of its own."""

import pytest
from celery.signals import task_prerun
from django.db import transaction
from django.utils import timezone

from processes import services
from processes.models import ProcessInstance, Step

pytestmark = pytest.mark.django_db(transaction=True)

COUNTING = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="Definitions_counting" targetNamespace="https://flowdesk.dev/tests">
  <bpmn:process id="counting" name="Counting" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="inc" />
    <bpmn:scriptTask id="inc" name="Add one"><bpmn:script>x = x + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="inc" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture
def advances():
    """(task name, instance ids) of every advance task the worker runs."""
    ran = []

    def seen(sender=None, args=None, **kwargs):
        if sender.name == "processes.advance_instance":
            ran.append((sender.name, [args[0]]))
        elif sender.name == "processes.advance_instances":
            ran.append((sender.name, list(args[0])))

    task_prerun.connect(seen, weak=False)
    yield ran
    task_prerun.disconnect(seen)


def test_instances_started_in_one_transaction_are_stepped_twenty_to_a_task(settings, advances):
    settings.ADVANCE_BATCH = 20
    services.process_import(data=COUNTING)

    with transaction.atomic():
        ids = [services.instance_start(code="counting", variables={"x": i}).pk for i in range(45)]

    assert [name for name, _ in advances] == ["processes.advance_instances"] * 3
    assert [len(batch) for _, batch in advances] == [20, 20, 5]
    assert sorted(i for _, batch in advances for i in batch) == sorted(ids)
    finished = ProcessInstance.objects.filter(pk__in=ids)
    assert {i.status for i in finished} == {"completed"}
    assert sorted(i.variables["x"] for i in finished) == list(range(1, 46))


def test_one_start_alone_is_one_task_as_before(advances):
    services.process_import(data=COUNTING)
    instance = services.instance_start(code="counting", variables={"x": 1})
    assert advances == [("processes.advance_instance", [instance.pk])]
    instance.refresh_from_db()
    assert (instance.status, instance.variables["x"]) == ("completed", 2)


def test_an_instance_whose_run_fails_rolls_back_alone_and_the_sweep_finishes_it(advances):
    services.process_import(data=COUNTING)
    with transaction.atomic():
        ids = [services.instance_start(code="counting", variables={"x": i}).pk for i in range(5)]
        # A row already holds the number the third instance's first step will take.
        intruder = Step.objects.create(
            instance_id=ids[2],
            number=1,
            element_id="intruder",
            element_type="scriptTask",
            status="completed",
            started_at=timezone.now(),
        )

    assert advances == [("processes.advance_instances", ids)]
    statuses = dict(ProcessInstance.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert [statuses[i] for i in ids] == [
        "completed",
        "completed",
        "running",
        "completed",
        "completed",
    ]
    broken = ProcessInstance.objects.get(pk=ids[2])
    assert (broken.next_step_no, broken.steps.count()) == (1, 1), "nothing of its run was kept"

    intruder.delete()
    assert services.instances_resume_stuck() == 1
    assert ProcessInstance.objects.get(pk=ids[2]).status == "completed"
