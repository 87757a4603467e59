"""Mistakes in user steps are caught at import, naming the element, not on the
owner's screen (an owner naming nobody yet: a warning); a "Perform task" result
is a variable a gateway reads."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from processes.engine.bpmn import BpmnImportError
from processes.models import ProcessDefinition, ProcessInstance, Step
from processes.services import instance_start, process_import, step_complete

pytestmark = pytest.mark.django_db


def process(task: str, after: str = '<bpmn:endEvent id="e" />', flow="") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:flowdesk="https://flowdesk.dev/bpmn" id="d" targetNamespace="https://flowdesk.dev/t">
  <bpmn:process id="checked" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="step" />
    {task}
    {flow or '<bpmn:sequenceFlow id="f2" sourceRef="step" targetRef="e" />'}
    {after}
  </bpmn:process>
</bpmn:definitions>"""


def refusal(task: str) -> str:
    with pytest.raises(BpmnImportError) as caught:
        process_import(data=process(task))
    assert not ProcessDefinition.objects.filter(code="checked").exists()
    assert "'step'" in str(caught.value)  # the element at fault is named
    return str(caught.value)


def test_a_question_with_no_answers_is_refused():
    assert "no answers" in refusal('<bpmn:userTask id="step" flowdesk:page="question" />')


def test_an_auto_page_field_of_an_unknown_kind_is_refused():
    problem = refusal(
        '<bpmn:userTask id="step" flowdesk:page="auto" flowdesk:fields="when:colour:When" />'
    )
    assert "colour" in problem


def test_an_auto_page_lookup_of_an_unknown_model_is_refused():
    problem = refusal(
        '<bpmn:userTask id="step" flowdesk:page="auto" '
        'flowdesk:fields="who:lookup:crm.Nothing:Who" />'
    )
    assert "crm.Nothing" in problem


def test_an_edit_page_of_an_unknown_model_is_refused():
    assert "crm.Nothing" in refusal(
        '<bpmn:userTask id="step" flowdesk:page="edit" flowdesk:model="crm.Nothing" />'
    )


def test_an_edit_page_whose_record_reference_does_not_compile_is_refused():
    problem = refusal(
        '<bpmn:userTask id="step" flowdesk:page="edit" flowdesk:model="crm.Contact" '
        'flowdesk:record="=contact_id +" />'
    )
    assert "flowdesk:record" in problem


def warnings_of(task: str) -> list[str]:
    [version] = process_import(data=process(task))
    return version.import_warnings


def test_an_owner_naming_no_user_imports_with_a_warning_naming_the_element():
    [warning] = warnings_of('<bpmn:userTask id="step" flowdesk:owner="nobody_here" />')
    assert "'step'" in warning
    assert "nobody_here" in warning


def test_an_owner_role_naming_no_role_imports_with_a_warning():
    assert "Ghosts" in warnings_of('<bpmn:userTask id="step" flowdesk:owner="role:Ghosts" />')[0]
    assert "Ghosts" in warnings_of('<bpmn:userTask id="step" flowdesk:ownerRole="Ghosts" />')[0]


def test_the_library_shows_the_import_warnings(client, admin_user):
    client.force_login(admin_user)
    upload = SimpleUploadedFile(
        "p.bpmn", process('<bpmn:userTask id="step" flowdesk:owner="nobody_here" />').encode()
    )

    response = client.post(reverse("processes:library-upload"), {"file": upload}, follow=True)

    assert "there is no such active user" in response.content.decode()


def test_an_owner_expression_that_does_not_compile_is_refused():
    assert "flowdesk:owner" in refusal('<bpmn:userTask id="step" flowdesk:owner="=who +" />')


def test_owners_that_name_a_user_a_role_or_an_expression_import(agent):
    Group.objects.create(name="Reviewers")
    for owner in (agent.username, str(agent.pk), "role:Reviewers", "=who", "${who}"):
        assert warnings_of(f'<bpmn:userTask id="step" flowdesk:owner="{owner}" />') == []
    assert warnings_of('<bpmn:userTask id="step" flowdesk:ownerRole="Reviewers" />') == []
    assert ProcessDefinition.objects.get(code="checked").versions.count() == 6


GATEWAY = """
    <bpmn:exclusiveGateway id="g" />
    <bpmn:sequenceFlow id="yes" sourceRef="g" targetRef="approved">
      <bpmn:conditionExpression>task_result == 'Approved'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="no" sourceRef="g" targetRef="rejected">
      <bpmn:conditionExpression>task_result == 'Rejected'</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="approved" />
    <bpmn:endEvent id="rejected" />
"""


@pytest.mark.parametrize("result", ["Approved", "Rejected"])
def test_a_gateway_reads_the_result_of_a_perform_task(agent, result):
    process_import(
        data=process(
            f'<bpmn:userTask id="step" flowdesk:owner="{agent.username}" '
            'flowdesk:results="Approved,Rejected" />',
            after=GATEWAY,
            flow='<bpmn:sequenceFlow id="f2" sourceRef="step" targetRef="g" />',
        )
    )
    instance = instance_start(code="checked", run_now=True)
    step = Step.objects.get(instance=instance, status="waiting")

    step_complete(instance_id=instance.pk, step_number=step.number, user=agent, result=result)

    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.status == "completed"
    assert instance.variables["task_result"] == result
    reached = set(
        instance.steps.filter(element_type="endEvent").values_list("element_id", flat=True)
    )
    assert reached == {result.lower()}
