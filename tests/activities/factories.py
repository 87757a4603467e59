"""User-step test data, built through the real services: a tiny process per test."""

from processes import services
from processes.models import Step
from processes.registry import record_values

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:flowdesk="https://flowdesk.dev/bpmn" id="d_{code}" targetNamespace="t">
  <bpmn:process id="{code}" name="{name}" isExecutable="true">
"""


def one_step_process(code, task_attrs, *, name="Test process", after="", tail_task=""):
    """A process: start -> the user task `ask` (with `task_attrs`) -> [after] -> end.

    `after` is inserted between the task and the end (e.g. a gateway); it must lead
    to `end`. `tail_task` adds a second user task `next` before the end.
    """
    xml = HEADER.format(code=code, name=name)
    xml += '<bpmn:startEvent id="start" flowdesk:model="crm.Contact"/>'
    xml += '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask"/>'
    xml += f'<bpmn:userTask id="ask" name="Ask" {task_attrs}/>'
    if after:
        xml += after
    elif tail_task:
        xml += '<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="next"/>'
        xml += f'<bpmn:userTask id="next" name="Next page" {tail_task}/>'
        xml += '<bpmn:sequenceFlow id="f3" sourceRef="next" targetRef="end"/>'
    else:
        xml += '<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="end"/>'
    xml += '<bpmn:endEvent id="end"/></bpmn:process></bpmn:definitions>'
    return services.process_import(data=xml)[0].definition


def start(definition, *, user, record=None, variables=None):
    values = dict(variables or {})
    if record is not None:
        values.setdefault("record", record_values(record))
    return services.instance_start(
        definition=definition, user=user, record=record, variables=values, run_now=True
    )


def waiting_step(instance, element_id=None) -> Step | None:
    steps = Step.objects.filter(instance=instance, status="waiting", is_user_step=True)
    if element_id:
        steps = steps.filter(element_id=element_id)
    return steps.select_related("instance").order_by("number").first()


def step_url(step):
    return f"/processes/steps/{step.instance_id}/{step.number}/"
