"""Deploying BPMN and DMN files as the Process library's upload does; decisions; business keys."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from processes.models import DecisionDefinition, ProcessDefinition, ProcessInstance, Step
from processes.services import instance_start, process_import
from tests.api.test_processes import DEMO, MESSAGE_BPMN, PROBLEM, admin_api
from tests.processes.test_decisions import dmn
from tests.processes.test_vendor_bindings import CHARGE

pytestmark = pytest.mark.django_db
__all__ = ["admin_api"]  # the fixture, shared with the other process tests


def deploy(api, *files, **fields):
    uploads = [SimpleUploadedFile(name, data) for name, data in files]
    return api.client.post(
        "/api/definitions/deploy", {"files": uploads, **fields}, headers=api._headers({})
    )


def budget_bpmn():
    return ("budget.bpmn", (DEMO / "budget_split.bpmn").read_bytes())


def test_a_deployed_process_is_inactive_like_an_upload_until_asked_to_activate(admin_api):
    quiet = deploy(admin_api, budget_bpmn())
    assert quiet.status_code == 201, quiet.content
    code = quiet.json()["processes"][0]["process"]
    assert ProcessDefinition.objects.get(code=code).is_active is False
    refused = admin_api.post("/api/instances", {"process": code})
    assert refused.status_code == 409 and refused["Content-Type"] == PROBLEM

    active = deploy(admin_api, budget_bpmn(), activate="true")
    assert active.status_code == 201 and active.json()["processes"][0]["number"] == 2
    assert ProcessDefinition.objects.get(code=code).is_active is True


def test_dmn_files_deploy_beside_bpmn_as_decision_versions_listed_and_read(admin_api):
    first = deploy(admin_api, ("pricing.dmn", dmn()), budget_bpmn())
    assert first.status_code == 201, first.content
    body = first.json()
    assert [d["model"] for d in body["decisions"]] == ["pricing"] and len(body["processes"]) == 1
    assert body["decisions"][0]["decisions"] == [{"id": "discount", "name": "Discount"}]
    assert deploy(admin_api, ("pricing.dmn", dmn("0.05"))).json()["processes"] == []

    listed = admin_api.get("/api/decisions").json()
    assert listed["count"] == 1
    assert listed["items"][0]["code"] == "pricing" and listed["items"][0]["newest_version"] == 2
    assert admin_api.get("/api/decisions", {"q": "nothing like it"}).json()["count"] == 0
    read = admin_api.get("/api/decisions/pricing").json()
    assert read["versions"] == 2 and read["name"] == "Pricing"
    versions = admin_api.get("/api/decisions/pricing/versions").json()
    assert [v["number"] for v in versions["items"]] == [2, 1]
    assert admin_api.get("/api/decisions/unknown").status_code == 404


def test_a_broken_dmn_refuses_the_whole_deploy_naming_the_file(admin_api):
    response = deploy(admin_api, budget_bpmn(), ("broken.dmn", b"<definitions"))
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert response.json()["field"] == "files" and "broken.dmn" in response.json()["detail"]
    assert not ProcessDefinition.objects.exists() and not DecisionDefinition.objects.exists()


def test_decisions_are_for_administrators(agent, token_client):
    assert token_client(agent).get("/api/decisions").status_code == 403


def test_a_business_key_is_kept_on_the_instance_and_filters_the_list(admin_api):
    code = deploy(admin_api, budget_bpmn(), activate="true").json()["processes"][0]["process"]
    started = admin_api.post("/api/instances", {"process": code, "business_key": "ORDER-17"})
    assert started.status_code == 201, started.content
    assert started.json()["business_key"] == "ORDER-17"
    assert ProcessInstance.objects.get(pk=started.json()["id"]).business_key == "ORDER-17"
    admin_api.post("/api/instances", {"process": code, "business_key": "ORDER-18"})
    found = admin_api.get("/api/instances", {"business_key": "ORDER-17"}).json()
    assert [i["id"] for i in found["items"]] == [started.json()["id"]]
    too_long = admin_api.post("/api/instances", {"process": code, "business_key": "x" * 201})
    assert too_long.status_code == 400 and too_long.json()["field"] == "business_key"


def test_a_message_with_a_business_key_reaches_only_that_instance(
    admin_api, admin_user, django_capture_on_commit_callbacks
):
    definition = process_import(data=MESSAGE_BPMN)[0].definition
    ours, theirs = (
        instance_start(definition=definition, user=admin_user, run_now=True, business_key=key)
        for key in ("ORDER-1", "ORDER-2")
    )
    unkeyed = admin_api.post("/api/messages", {"name": "paid"})
    assert unkeyed.status_code == 409 and unkeyed["Content-Type"] == PROBLEM  # two wait
    with django_capture_on_commit_callbacks(execute=True):
        sent = admin_api.post("/api/messages", {"name": "paid", "business_key": "ORDER-1"})
    assert sent.json() == {"receivers": 1}
    assert Step.objects.filter(instance=ours, element_id="sig", status="waiting").exists()
    assert Step.objects.filter(instance=theirs, element_id="catch", status="waiting").exists()


def test_hostile_variables_are_400_naming_the_field_and_start_nothing(admin_api):
    code = deploy(admin_api, budget_bpmn(), activate="true").json()["processes"][0]["process"]
    for variables in ({"note": "x" * 10_001}, {"n": 10**20}, {"deep": nested(40)}):
        response = admin_api.post("/api/instances", {"process": code, "variables": variables})
        assert response.status_code == 400, response.content
        assert response.json()["field"] == "variables"
    assert not ProcessInstance.objects.exists()


def nested(depth):
    value = {}
    for _level in range(depth):
        value = {"a": value}
    return value


def test_an_activation_the_library_would_refuse_is_409_and_deploys_nothing(admin_api):
    refused = deploy(admin_api, ("billing.bpmn", CHARGE.encode()), activate="true")
    assert refused.status_code == 409 and refused["Content-Type"] == PROBLEM
    assert "com.acme.Charge" in refused.json()["detail"]
    assert not ProcessDefinition.objects.exists()
    assert deploy(admin_api, ("billing.bpmn", CHARGE.encode())).status_code == 201


def test_a_decision_evaluates_with_inputs_on_its_newest_or_a_given_version(admin_api):
    deploy(admin_api, ("pricing.dmn", dmn("0.1")))
    deploy(admin_api, ("pricing.dmn", dmn("0.05")))
    url = "/api/decisions/pricing/evaluate"
    inputs = {"amount": 150, "tier": "silver"}
    newest = admin_api.post(url, {"decision": "Discount", "variables": inputs})
    assert newest.status_code == 200, newest.content
    body = newest.json()
    assert (body["decision"], body["version"]) == ("discount", 2)
    assert float(body["value"]) == 0.05 and body["matched"]
    first = admin_api.post(url, {"variables": inputs, "version": 1}).json()
    assert float(first["value"]) == 0.1
    unknown = admin_api.post(url, {"decision": "Shipping", "variables": inputs})
    assert unknown.status_code == 400 and unknown.json()["field"] == "decision"
    missing = admin_api.post(url, {"variables": inputs, "version": 9})
    assert missing.status_code == 400 and missing.json()["field"] == "version"


def test_a_retried_deploy_and_start_with_one_idempotency_key_make_one_version_and_instance(
    admin_api,
):
    key = admin_api._headers({"Idempotency-Key": "deploy-1"})
    for _attempt in range(2):
        upload = SimpleUploadedFile(*budget_bpmn())
        answer = admin_api.client.post(
            "/api/definitions/deploy", {"files": [upload], "activate": "true"}, headers=key
        )
        assert answer.status_code == 201
    assert answer["Idempotent-Replayed"] == "true"
    definition = ProcessDefinition.objects.get()
    assert definition.versions.count() == 1
    start = {"process": definition.code, "business_key": "ORDER-9"}
    first = admin_api.post("/api/instances", start, headers={"Idempotency-Key": "start-1"})
    again = admin_api.post("/api/instances", start, headers={"Idempotency-Key": "start-1"})
    assert first.json() == again.json() and ProcessInstance.objects.count() == 1
