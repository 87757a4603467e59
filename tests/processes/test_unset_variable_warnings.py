"""An expression reading a variable no path can set is a warning at import, in the
import result and on the Process library's page after an upload; not a refusal."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from processes.models import ProcessDefinition
from processes.services import process_import

pytestmark = pytest.mark.django_db


def model(inputs: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:flowdesk="https://flowdesk.dev/bpmn" id="d" targetNamespace="https://flowdesk.dev/t">
  <bpmn:process id="refund" name="Refund" isExecutable="true" {inputs}>
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check" />
    <bpmn:userTask id="check" flowdesk:page="auto" flowdesk:fields="amount:number:Amount" />
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="g" />
    <bpmn:exclusiveGateway id="g" default="small" />
    <bpmn:sequenceFlow id="large" sourceRef="g" targetRef="e">
      <bpmn:conditionExpression>ammount &gt; limit</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="small" sourceRef="g" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_a_process_declaring_its_inputs_is_warned_of_a_variable_nothing_sets():
    [version] = process_import(data=model('flowdesk:inputs="limit:number"'))

    [warning] = version.import_warnings
    assert "'large'" in warning and "“ammount”" in warning
    assert ProcessDefinition.objects.get(code="refund").is_active  # imported all the same


def test_a_process_declaring_no_inputs_gets_no_such_warning():
    [version] = process_import(data=model(""))
    assert version.import_warnings == []


def test_the_library_shows_the_warning_after_an_upload(admin_client):
    upload = SimpleUploadedFile(
        "refund.bpmn", model('flowdesk:inputs="limit:number"').encode(), "text/xml"
    )
    response = admin_client.post(reverse("processes:library-upload"), {"file": upload}, follow=True)
    assert "reads the variable “ammount”" in response.content.decode()
