"""Process definitions, instances, user steps, messages and signals through the API."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from processes.models import ProcessDefinition, ProcessInstance, Step
from processes.services import instance_start, process_import
from tests.activities.factories import one_step_process, start, waiting_step

DEMO = Path(__file__).resolve().parents[2] / "processes" / "demo_bpmn"
pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def admin_api(admin_user, token_client):
    return token_client(admin_user)


@pytest.fixture
def budget():
    return process_import(data=(DEMO / "budget_split.bpmn").read_bytes())[0].definition


def test_deploying_a_bpmn_file_makes_versions_and_lists_them(admin_api):
    data = (DEMO / "budget_split.bpmn").read_bytes()
    for expected in (1, 2):
        upload = SimpleUploadedFile("budget.bpmn", data, content_type="application/xml")
        response = admin_api.client.post(
            "/api/definitions/deploy",
            {"files": [upload]},
            headers=admin_api._headers({}),
        )
        assert response.status_code == 201, response.content
        assert response.json()["processes"][0]["number"] == expected
    code = response.json()["processes"][0]["process"]
    versions = admin_api.get(f"/api/definitions/{code}/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1] and versions["count"] == 2
    listed = admin_api.get("/api/definitions").json()
    assert [d["code"] for d in listed["items"]] == [code]


def test_a_broken_bpmn_file_is_400_naming_the_files_field_and_imports_nothing(admin_api):
    good = SimpleUploadedFile("budget.bpmn", (DEMO / "budget_split.bpmn").read_bytes())
    upload = SimpleUploadedFile("broken.bpmn", b"<not-bpmn", content_type="application/xml")
    response = admin_api.client.post(
        "/api/definitions/deploy", {"files": [good, upload]}, headers=admin_api._headers({})
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM and response.json()["field"] == "files"
    assert not ProcessDefinition.objects.exists()


def test_deactivating_refuses_starts_with_409_and_activating_allows_them(admin_api, budget):
    off = admin_api.post(f"/api/definitions/{budget.code}/active", {"active": False})
    assert off.status_code == 200 and off.json()["is_active"] is False
    refused = admin_api.post("/api/instances", {"process": budget.code, "variables": {}})
    assert refused.status_code == 409 and "not active" in refused.json()["detail"]
    admin_api.post(f"/api/definitions/{budget.code}/active", {"active": True})
    assert admin_api.post("/api/instances", {"process": budget.code}).status_code == 201


def test_an_instance_starts_with_variables_and_reads_back_with_its_steps(
    admin_api, budget, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            "/api/instances", {"process": budget.code, "variables": {"budget": 100, "people": 4}}
        )
    assert response.status_code == 201
    read = admin_api.get(f"/api/instances/{response.json()['id']}").json()
    assert read["status"] == "completed" and read["variables"]["share"] == 25
    assert [s["element_id"] for s in read["steps"]][0] == "start"


def test_instances_list_filters_by_process_and_status_and_is_paginated(
    admin_api, admin_user, budget
):
    for people in (0, 1, 2):
        instance_start(
            definition=budget,
            variables={"budget": 6, "people": people},
            user=admin_user,
            run_now=True,
        )
    failed = admin_api.get("/api/instances", {"process": budget.code, "status": "error"}).json()
    assert failed["count"] == 1 and failed["items"][0]["status"] == "error"
    page = admin_api.get("/api/instances", {"page": 1, "page_size": 2}).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    bad = admin_api.get("/api/instances", {"status": "sleeping"})
    assert bad.status_code == 400 and bad.json()["field"] == "status"


def test_fixing_variables_then_retrying_the_failed_step_completes_it(
    admin_api, admin_user, budget, django_capture_on_commit_callbacks
):
    instance = instance_start(
        definition=budget, variables={"budget": 12, "people": 0}, user=admin_user, run_now=True
    )
    step = Step.objects.get(instance=instance, element_id="divide")
    fixed = admin_api.put(
        f"/api/instances/{instance.pk}/variables", {"variables": {"budget": 12, "people": 3}}
    )
    assert fixed.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        retried = admin_api.post(f"/api/instances/{instance.pk}/steps/{step.number}/retry")
    assert retried.status_code == 200
    assert ProcessInstance.objects.get(pk=instance.pk).variables["share"] == 4
    again = admin_api.post(f"/api/instances/{instance.pk}/steps/{step.number}/retry")
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM


def test_variables_must_be_an_object(admin_api, admin_user, budget):
    instance = instance_start(
        definition=budget, variables={"budget": 12, "people": 0}, user=admin_user, run_now=True
    )
    response = admin_api.put(f"/api/instances/{instance.pk}/variables", {"variables": [1]})
    assert response.status_code == 400 and response.json()["field"] == "variables"


def test_canceling_an_instance_then_again_is_409(admin_api, agent):
    instance = start(
        one_step_process("c1", 'flowdesk:page="question" flowdesk:answers="A"'), user=agent
    )
    assert admin_api.post(f"/api/instances/{instance.pk}/cancel").json()["status"] == "canceled"
    assert admin_api.post(f"/api/instances/{instance.pk}/cancel").status_code == 409
    assert admin_api.post("/api/instances/999999/cancel").status_code == 404


def test_an_agent_may_not_use_the_process_library_or_log(agent, token_client, budget):
    api = token_client(agent)
    assert api.get("/api/instances").status_code == 403
    assert api.post("/api/instances", {"process": budget.code}).status_code == 403
    assert api.post("/api/signals", {"name": "go"}).status_code == 403


def test_my_user_steps_complete_with_variables_and_a_second_completion_is_409(agent, token_client):
    definition = one_step_process(
        "q", 'flowdesk:page="question" flowdesk:answers="Yes;No" flowdesk:variable="approved"'
    )
    instance = start(definition, user=agent)
    step = waiting_step(instance)
    api = token_client(agent)
    mine = api.get("/api/user-steps").json()
    assert [(s["instance_id"], s["number"]) for s in mine["items"]] == [(instance.pk, step.number)]
    url = f"/api/user-steps/{instance.pk}/{step.number}/complete"
    done = api.post(url, {"variables": {"approved": "Yes"}, "result": "Yes"})
    assert done.status_code == 200 and done.json() == {"completed": True}
    instance.refresh_from_db()
    assert instance.variables["approved"] == "Yes" and instance.status == "completed"
    again = api.post(url, {"variables": {}})
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM


def test_another_users_step_is_403_and_stays_waiting(agent, outsider, token_client):
    instance = start(
        one_step_process("q2", 'flowdesk:page="question" flowdesk:answers="A"'), user=agent
    )
    step = waiting_step(instance)
    api = token_client(outsider)
    assert api.get("/api/user-steps").json()["count"] == 0
    response = api.post(f"/api/user-steps/{instance.pk}/{step.number}/complete", {})
    assert response.status_code == 403 and response["Content-Type"] == PROBLEM
    assert Step.objects.get(pk=step.pk).status == "waiting"


def test_postponing_a_step_needs_a_future_time(agent, token_client):
    instance = start(
        one_step_process("q3", 'flowdesk:page="question" flowdesk:answers="A"'), user=agent
    )
    step = waiting_step(instance)
    api = token_client(agent)
    url = f"/api/user-steps/{instance.pk}/{step.number}/postpone"
    past = api.post(url, {"until": (timezone.now() - timedelta(hours=1)).isoformat()})
    assert past.status_code == 400 and past.json()["field"] == "until"
    later = timezone.now() + timedelta(days=1)
    assert api.post(url, {"until": later.isoformat()}).status_code == 200
    assert Step.objects.get(pk=step.pk).postponed_until == later


MESSAGE_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="d" targetNamespace="t">
  <bpmn:message id="m" name="paid"/>
  <bpmn:signal id="s" name="go"/>
  <bpmn:process id="waits" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="catch"/>
    <bpmn:intermediateCatchEvent id="catch">
      <bpmn:messageEventDefinition messageRef="m"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="catch" targetRef="sig"/>
    <bpmn:intermediateCatchEvent id="sig">
      <bpmn:signalEventDefinition signalRef="s"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="sig" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_message_then_a_signal_move_a_waiting_instance_to_its_end(
    admin_api, admin_user, django_capture_on_commit_callbacks
):
    definition = process_import(data=MESSAGE_BPMN)[0].definition
    instance = instance_start(definition=definition, user=admin_user, run_now=True)
    with django_capture_on_commit_callbacks(execute=True):
        message = admin_api.post("/api/messages", {"name": "paid", "variables": {"amount": 5}})
    assert message.json() == {"receivers": 1}
    with django_capture_on_commit_callbacks(execute=True):
        signal = admin_api.post("/api/signals", {"name": "go"})
    assert signal.json() == {"receivers": 1}
    assert ProcessInstance.objects.get(pk=instance.pk).status == "completed"
    nameless = admin_api.post("/api/messages", {"name": ""})
    assert nameless.status_code == 400 and nameless.json()["field"] == "name"
