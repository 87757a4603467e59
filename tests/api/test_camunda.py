"""/engine-rest/: who may call it, its error shape, and Camunda's typed variables."""

import base64
import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from api import tokens
from api.camunda.variables import VariableError, variables_in, variables_out
from processes import bounded_inputs
from processes.models import ProcessInstance, ProcessVersion, Step
from tests.processes.test_decisions import dmn


class CamundaClient:
    """Calls /engine-rest/ as Camunda's clients do: HTTP basic, username and token."""

    def __init__(self, username=None, token=None, bearer=False):
        self.client = Client()
        self.headers = {}
        if token and bearer:
            self.headers["Authorization"] = f"Bearer {token}"
        elif token:
            pair = base64.b64encode(f"{username}:{token}".encode()).decode()
            self.headers["Authorization"] = f"Basic {pair}"

    def get(self, path, params=None):
        return self.client.get(f"/engine-rest{path}", params or {}, headers=self.headers)

    def send(self, method, path, body=None):
        return self.client.generic(
            method,
            f"/engine-rest{path}",
            json.dumps(body if body is not None else {}),
            content_type="application/json",
            headers=self.headers,
        )

    def post(self, path, body=None):
        return self.send("POST", path, body)


@pytest.fixture
def camunda_client():
    def make(user, scope="write", bearer=False):
        _row, token = tokens.token_create(user=user, name="camunda", scope=scope)
        return CamundaClient(user.get_username(), token, bearer=bearer)

    return make


# ------------------------------------------------------------------ who calls


@pytest.mark.django_db
def test_basic_auth_with_the_users_name_and_a_token_or_a_bearer_token_is_let_in(
    admin_user, camunda_client
):
    for client in (camunda_client(admin_user), camunda_client(admin_user, bearer=True)):
        response = client.get("/engine")
        assert response.status_code == 200
        assert response.json() == [{"name": "default"}]
    assert camunda_client(admin_user).get("/version").json()["version"].startswith("7.")
    # Older clients name the engine in the path.
    assert camunda_client(admin_user).get("/engine/default/version").status_code == 200


@pytest.mark.django_db
def test_without_a_valid_token_or_with_someone_elses_name_the_answer_is_401(
    admin_user, agent, camunda_client
):
    good = camunda_client(admin_user)
    token = good.headers["Authorization"]
    pair = base64.b64decode(token.split()[1]).decode().split(":", 1)[1]
    for client in (
        CamundaClient(),
        CamundaClient(agent.get_username(), pair),
        CamundaClient(admin_user.get_username(), "fd_made_up"),
        CamundaClient(admin_user.get_username(), admin_user.password),
    ):
        response = client.get("/engine")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Basic")
        assert response.json()["type"] == "AuthenticationException"


@pytest.mark.django_db
def test_unknown_addresses_and_wrong_methods_answer_in_camundas_error_shape(
    admin_user, camunda_client
):
    client = camunda_client(admin_user)
    missing = client.get("/no-such-thing")
    assert missing.status_code == 404
    assert set(missing.json()) >= {"type", "message"}
    wrong = client.send("DELETE", "/engine")
    assert wrong.status_code == 405
    assert wrong.json()["type"] == "InvalidRequestException"


# ------------------------------------------------------------- typed variables


def test_typed_variables_become_the_values_processes_hold():
    assert variables_in(
        {
            "name": {"value": "Ada", "type": "String"},
            "vip": {"value": True, "type": "Boolean"},
            "seats": {"value": 4, "type": "Integer"},
            "big": {"value": "9000000000", "type": "Long"},
            "rate": {"value": 1.5, "type": "Double"},
            "order": {"value": '{"lines": [1, 2]}', "type": "Json"},
            "customer": {
                "value": '{"id": 7}',
                "type": "Object",
                "valueInfo": {
                    "objectTypeName": "java.util.HashMap",
                    "serializationDataFormat": "application/json",
                },
            },
            "due": {"value": "2026-06-30T21:33:31.000+0200", "type": "Date"},
            "nothing": {"value": None, "type": "Null"},
            "untyped": {"value": 3},
        }
    ) == {
        "name": "Ada",
        "vip": True,
        "seats": 4,
        "big": 9_000_000_000,
        "rate": 1.5,
        "order": {"lines": [1, 2]},
        "customer": {"id": 7},
        "due": "2026-06-30T21:33:31+02:00",
        "nothing": None,
        "untyped": 3,
    }


def test_stored_values_go_out_typed_as_camunda_clients_read_them():
    out = variables_out({"a": "x", "b": 2, "c": 2**40, "d": 0.5, "e": False, "f": None, "g": [1]})
    assert {name: typed["type"] for name, typed in out.items()} == {
        "a": "String",
        "b": "Integer",
        "c": "Long",
        "d": "Double",
        "e": "Boolean",
        "f": "Null",
        "g": "Json",
    }
    assert json.loads(out["g"]["value"]) == [1]
    assert "__hidden" not in variables_out({"__hidden": 1})


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ({"value": 2**31, "type": "Integer"}, "out of range"),
        ({"value": "twelve", "type": "Integer"}, "whole number"),
        ({"value": "9" * 200, "type": "Long"}, "whole number"),
        ({"value": "1e309", "type": "Double"}, "finite"),
        ({"value": "maybe", "type": "Boolean"}, "true or false"),
        ({"value": "yesterday", "type": "Date"}, "date"),
        ({"value": "AAEC", "type": "Bytes"}, "not supported"),
        (
            {"value": "<a/>", "type": "Object", "valueInfo": {"serializationDataFormat": "xml"}},
            "json",
        ),
        ({"value": "{not json", "type": "Json"}, "JSON"),
        ({"value": "[" * 100 + "]" * 100, "type": "Json"}, "deeply"),
        ({"value": "x" * (bounded_inputs.MAX_TEXT_LENGTH + 1), "type": "String"}, "characters"),
        ({"value": "1" + "0" * 30, "type": "Json"}, "too large"),
        ("just a value", "value"),
    ],
)
def test_a_variable_flowdesk_cannot_take_is_refused_naming_it(typed, says):
    with pytest.raises(VariableError) as refused:
        variables_in({"amount": typed})
    assert "amount" in refused.value.message
    assert says.lower() in refused.value.message.lower()


# ---------------------------------------------------------------- the subset

ORDER_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="orders" targetNamespace="http://x">
  <bpmn:message id="paid" name="OrderPaid" />
  <bpmn:process id="order" name="Order" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="review" />
    <bpmn:userTask id="review" name="Review the order" camunda:candidateGroups="Reviewers" />
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="wait_paid" />
    <bpmn:intermediateCatchEvent id="wait_paid">
      <bpmn:messageEventDefinition messageRef="paid" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="wait_paid" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""
CAMUNDA_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")


def deploy(client, files, **fields):
    """POST /deployment/create as multipart, the way Camunda Modeler sends it."""
    data = {"deployment-name": "orders", "deployment-source": "Camunda Modeler", **fields}
    for name, content in files.items():
        data[name] = SimpleUploadedFile(name, content, content_type="text/xml")
    return client.client.post("/engine-rest/deployment/create", data, headers=client.headers)


@pytest.fixture
def reviewers(db):
    return Group.objects.create(name="Reviewers")


@pytest.fixture
def admin_rest(admin_user, camunda_client, reviewers):
    admin_user.groups.add(reviewers)
    return camunda_client(admin_user)


@pytest.fixture
def order_id(admin_rest):
    response = deploy(admin_rest, {"order.bpmn": ORDER_BPMN})
    assert response.status_code == 200, response.content
    return next(iter(response.json()["deployedProcessDefinitions"]))


@pytest.mark.django_db
def test_a_deployment_answers_in_camundas_shape_and_unchanged_files_deploy_nothing(admin_rest):
    first = deploy(
        admin_rest,
        {"order.bpmn": ORDER_BPMN, "order.form": b'{"components": []}', "pricing.dmn": dmn()},
    )
    assert first.status_code == 200, first.content
    body = first.json()
    assert {"id", "name", "source", "deploymentTime", "deployedProcessDefinitions"} <= set(body)
    assert body["name"] == "orders" and body["source"] == "Camunda Modeler"
    assert CAMUNDA_TIME.match(body["deploymentTime"])
    [definition] = body["deployedProcessDefinitions"].values()
    assert definition["key"] == "order" and definition["version"] == 1
    assert definition["suspended"] is False
    [decision] = body["deployedDecisionDefinitions"].values()
    assert decision["key"] == "discount" and decision["version"] == 1
    again = deploy(admin_rest, {"order.bpmn": ORDER_BPMN}, **{"deploy-changed-only": "true"})
    assert again.status_code == 200 and again.json()["deployedProcessDefinitions"] is None
    changed = ORDER_BPMN.replace(b'name="Order"', b'name="Order v2"')
    newer = deploy(admin_rest, {"order.bpmn": changed}, **{"deploy-changed-only": "true"})
    assert [d["version"] for d in newer.json()["deployedProcessDefinitions"].values()] == [2]
    assert ProcessVersion.objects.filter(definition__code="order").count() == 2


@pytest.mark.django_db
def test_a_model_that_cannot_import_is_a_parse_error_the_modeler_recognises(admin_rest):
    good = deploy(admin_rest, {"a.bpmn": ORDER_BPMN, "broken.bpmn": b"<nope"})
    assert good.status_code == 400
    assert good.json()["type"] == "ParseException"
    assert good.json()["message"].startswith("ENGINE-09005 Could not parse BPMN process.")
    assert "broken.bpmn" in good.json()["message"]
    assert not ProcessVersion.objects.exists()


@pytest.mark.django_db
def test_only_administrators_deploy_and_a_read_token_may_not_write(
    agent, admin_user, camunda_client
):
    refused = deploy(camunda_client(agent), {"order.bpmn": ORDER_BPMN})
    assert refused.status_code == 403 and refused.json()["type"] == "AuthorizationException"
    read_only = deploy(camunda_client(admin_user, scope="read"), {"order.bpmn": ORDER_BPMN})
    assert read_only.status_code == 403
    assert not ProcessVersion.objects.exists()


@pytest.mark.django_db
def test_definitions_list_by_key_and_latest_version_and_read_by_id_key_and_xml(
    admin_rest, order_id
):
    deploy(admin_rest, {"order.bpmn": ORDER_BPMN.replace(b"Order", b"Order 2")})
    everything = admin_rest.get("/process-definition", {"key": "order"}).json()
    assert [d["version"] for d in everything] == [1, 2]
    latest = admin_rest.get("/process-definition", {"key": "order", "latestVersion": "true"})
    assert [d["version"] for d in latest.json()] == [2]
    assert admin_rest.get("/process-definition/count").json() == {"count": 2}
    assert admin_rest.get(f"/process-definition/{order_id}").json()["version"] == 1
    assert admin_rest.get("/process-definition/key/order").json()["version"] == 2
    xml = admin_rest.get(f"/process-definition/{order_id}/xml").json()
    assert xml["id"] == order_id and 'id="review"' in xml["bpmn20Xml"]
    missing = admin_rest.get("/process-definition/nothing:1:999")
    assert missing.status_code == 404 and missing.json()["type"] == "InvalidRequestException"
    assert admin_rest.get("/deployment", {"maxResults": "0"}).json() == []
    assert len(admin_rest.get("/deployment").json()) == 2


@pytest.mark.django_db
def test_start_claim_complete_and_correlate_walk_an_instance_to_its_end(admin_rest, order_id):
    started = admin_rest.post(
        "/process-definition/key/order/start",
        {
            "businessKey": "ORD-7",
            "variables": {"amount": {"value": 120, "type": "Integer"}},
            "withVariablesInReturn": True,
        },
    )
    assert started.status_code == 200, started.content
    instance = started.json()
    assert instance["definitionId"] == order_id and instance["businessKey"] == "ORD-7"
    assert instance["variables"]["amount"] == {"type": "Integer", "value": 120, "valueInfo": {}}

    [task] = admin_rest.get("/task", {"processInstanceId": instance["id"]}).json()
    assert task["taskDefinitionKey"] == "review" and task["assignee"] is None
    assert CAMUNDA_TIME.match(task["created"])
    assert [t["id"] for t in admin_rest.get("/task", {"candidateGroup": "Reviewers"}).json()] == [
        task["id"]
    ]
    assert len(admin_rest.get("/task", {"candidateUser": "alice"}).json()) == 1
    assert admin_rest.get("/task", {"candidateUser": "bob"}).json() == []
    assert admin_rest.post(f"/task/{task['id']}/claim", {"userId": "alice"}).status_code == 204
    assert admin_rest.get(f"/task/{task['id']}").json()["assignee"] == "alice"
    assert len(admin_rest.get("/task", {"assignee": "alice"}).json()) == 1
    assert admin_rest.get("/task", {"candidateGroup": "Reviewers"}).json() == []
    assert admin_rest.post(f"/task/{task['id']}/unclaim").status_code == 204
    assert admin_rest.get(f"/task/{task['id']}").json()["assignee"] is None
    admin_rest.post(f"/task/{task['id']}/claim", {"userId": "alice"})
    form = admin_rest.get(f"/task/{task['id']}/form-variables").json()
    assert form["amount"]["value"] == 120

    done = admin_rest.post(
        f"/task/{task['id']}/complete", {"variables": {"approved": {"value": True}}}
    )
    assert done.status_code == 204, done.content
    twice = admin_rest.post(f"/task/{task['id']}/complete", {})
    assert twice.status_code == 404
    variables = admin_rest.get(f"/process-instance/{instance['id']}/variables").json()
    assert variables["approved"]["type"] == "Boolean"

    nobody = admin_rest.post("/message", {"messageName": "OrderPaid", "businessKey": "ORD-8"})
    assert nobody.status_code == 400 and "Cannot correlate" in nobody.json()["message"]
    paid = admin_rest.post(
        "/message",
        {
            "messageName": "OrderPaid",
            "businessKey": "ORD-7",
            "processVariables": {
                "paidAt": {"value": "2026-12-01T10:00:00.000+0000", "type": "Date"}
            },
            "resultEnabled": True,
        },
    )
    assert paid.status_code == 200, paid.content
    assert [r["resultType"] for r in paid.json()] == ["Execution"]
    assert ProcessInstance.objects.get(pk=instance["id"]).status == "completed"
    assert admin_rest.get(f"/process-instance/{instance['id']}").status_code == 404


@pytest.mark.django_db
def test_someone_elses_task_is_hidden_and_cannot_be_completed(
    admin_rest, order_id, agent, camunda_client
):
    admin_rest.post(f"/process-definition/{order_id}/start", {})
    [task] = admin_rest.get("/task").json()
    outsider = camunda_client(agent)
    assert outsider.get("/task").json() == []
    assert outsider.post(f"/task/{task['id']}/complete", {}).status_code == 404
    admin_rest.post(f"/task/{task['id']}/claim", {"userId": "bob"})
    stolen = admin_rest.post(f"/task/{task['id']}/complete", {})
    assert stolen.status_code == 403 and stolen.json()["type"] == "AuthorizationException"
    taken = admin_rest.post(f"/task/{task['id']}/claim", {"userId": "alice"})
    assert taken.status_code == 409
    assert Step.objects.get(pk=task["id"]).status == "waiting"


@pytest.mark.django_db
def test_instances_list_filter_set_variables_and_delete(admin_rest, order_id):
    one = admin_rest.post("/process-definition/key/order/start", {"businessKey": "A"}).json()
    two = admin_rest.post("/process-definition/key/order/start", {"businessKey": "B"}).json()
    listed = admin_rest.get("/process-instance", {"processDefinitionKey": "order"}).json()
    assert [i["id"] for i in listed] == [one["id"], two["id"]]
    assert [i["id"] for i in admin_rest.get("/process-instance", {"businessKey": "B"}).json()] == [
        two["id"]
    ]
    modified = admin_rest.post(
        f"/process-instance/{one['id']}/variables",
        {"modifications": {"note": {"value": "rush", "type": "String"}}, "deletions": []},
    )
    assert modified.status_code == 204
    assert ProcessInstance.objects.get(pk=one["id"]).variables["note"] == "rush"
    filtered = admin_rest.get("/process-instance", {"variables": "note_eq_rush"}).json()
    assert [i["id"] for i in filtered] == [one["id"]]
    admin_rest.send(
        "PUT", f"/process-instance/{two['id']}/variables/seats", {"value": 3, "type": "Integer"}
    )
    by_number = admin_rest.get("/process-instance", {"variables": "seats_eq_3"}).json()
    assert [i["id"] for i in by_number] == [two["id"]]
    assert admin_rest.get(f"/process-instance/{two['id']}/variables/seats").json()["value"] == 3
    unsupported = admin_rest.get("/process-instance", {"variables": "seats_gt_3"})
    assert unsupported.status_code == 400 and "eq" in unsupported.json()["message"]
    bad = admin_rest.post(
        f"/process-instance/{one['id']}/variables",
        {"modifications": {"note": {"value": 2**40, "type": "Integer"}}},
    )
    assert bad.status_code == 400 and "note" in bad.json()["message"]
    assert admin_rest.send("DELETE", f"/process-instance/{one['id']}").status_code == 204
    assert ProcessInstance.objects.get(pk=one["id"]).status == "canceled"
    assert admin_rest.get("/process-instance/count").json() == {"count": 1}


SIGNAL_BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="s"
    targetNamespace="http://x">
  <bpmn:signal id="go" name="Go" />
  <bpmn:process id="waits" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait_go" />
    <bpmn:intermediateCatchEvent id="wait_go">
      <bpmn:signalEventDefinition signalRef="go" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait_go" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.django_db
def test_a_signal_reaches_the_instances_waiting_for_it(admin_rest):
    deploy(admin_rest, {"signal.bpmn": SIGNAL_BPMN})
    instance = admin_rest.post("/process-definition/key/waits/start", {}).json()
    assert ProcessInstance.objects.get(pk=instance["id"]).status == "running"
    thrown = admin_rest.post("/signal", {"name": "Go", "variables": {"x": {"value": 1}}})
    assert thrown.status_code == 204
    done = ProcessInstance.objects.get(pk=instance["id"])
    assert done.status == "completed" and done.variables["x"] == 1


@pytest.mark.django_db
def test_hostile_starts_are_refused_with_400_naming_the_field_and_start_nothing(
    admin_rest, order_id
):
    huge = admin_rest.post(
        "/process-definition/key/order/start",
        {"variables": {"budget": {"value": "1e400", "type": "Double"}}},
    )
    assert huge.status_code == 400 and "budget" in huge.json()["message"]
    long_key = admin_rest.post("/process-definition/key/order/start", {"businessKey": "K" * 201})
    assert long_key.status_code == 400 and "businessKey" in long_key.json()["message"]
    not_object = admin_rest.post("/process-definition/key/order/start", {"variables": [1, 2]})
    assert not_object.status_code == 400
    bytes_value = admin_rest.post(
        "/process-definition/key/order/start",
        {"variables": {"scan": {"value": "AAEC", "type": "Bytes"}}},
    )
    assert bytes_value.status_code == 400 and "Bytes" in bytes_value.json()["message"]
    assert not ProcessInstance.objects.exists()
    too_many = deploy(admin_rest, {f"f{i}.bpmn": ORDER_BPMN for i in range(11)})
    assert too_many.status_code == 400 and "at most 10" in too_many.json()["message"]
    nothing = admin_rest.client.post(
        "/engine-rest/deployment/create", {"deployment-name": "x"}, headers=admin_rest.headers
    )
    assert nothing.status_code == 400
    assert len(admin_rest.get("/process-definition", {"maxResults": "-5"}).json()) == 0
