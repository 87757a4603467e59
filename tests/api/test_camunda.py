"""/engine-rest/: who may call it, its error shape, and Camunda's typed variables."""

import base64
import json

import pytest
from django.test import Client

from api import tokens
from api.camunda.variables import VariableError, variables_in, variables_out
from processes import bounded_inputs


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
