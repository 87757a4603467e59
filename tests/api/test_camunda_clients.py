"""Clients nobody here wrote, against a live Daphne: pycamunda deploys a model, starts an
instance and completes its user task; and Camunda Modeler's Deploy request, byte for
byte as its CamundaAPI.deployDiagram builds it, gets Camunda's answer."""

import base64
import http.client
import json
import uuid
from pathlib import Path

import pycamunda.deployment
import pycamunda.processdef
import pycamunda.processinst
import pycamunda.task
import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from requests.auth import HTTPBasicAuth

from api import tokens
from processes.models import ProcessInstance, Step
from tests.api.test_camunda import ORDER_BPMN
from tests.support import servers

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def daphne(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        database_name = connection.settings_dict["NAME"]
    suffix = servers.unique_suffix()
    env = servers.server_env(
        database_name=database_name,
        channels_prefix=f"camunda-{suffix}",
        celery_queue=f"camunda-{suffix}",
    )
    port = servers.free_port()
    log = Path(tmp_path_factory.mktemp("camunda")) / "daphne.log"
    proc = servers.start_daphne(env, port=port, log_path=log)
    try:
        servers.wait_for_http(f"http://127.0.0.1:{port}/healthz", proc=proc)
        yield port
    finally:
        servers.stop(proc)


@pytest.fixture
def deployer():
    """An administrator in the Reviewers role, and a read and write token of theirs."""
    user = User.objects.create_user("modeler", password=uuid.uuid4().hex, is_staff=True)
    user.groups.add(Group.objects.create(name="Reviewers"))
    _row, token = tokens.token_create(user=user, name="camunda", scope="write")
    return user, token


def test_pycamunda_deploys_starts_and_completes_a_user_task(daphne, deployer):
    user, token = deployer
    url = f"http://127.0.0.1:{daphne}/engine-rest"
    auth = HTTPBasicAuth(user.username, token)

    create = pycamunda.deployment.Create(url=url, name="orders", source="pycamunda")
    create.auth = auth
    create.add_resource(ORDER_BPMN)
    deployment = create()
    [definition] = deployment.deployed_process_definitions.values()
    assert definition.key == "order" and definition.version == 1

    start = pycamunda.processdef.StartInstance(url=url, key="order", business_key="ORD-1")
    start.auth = auth
    start.add_variable(name="amount", value=120, type_="Integer")
    instance = start()
    assert instance.business_key == "ORD-1"

    tasks = pycamunda.task.GetList(url=url, process_instance_id=instance.id_)
    tasks.auth = auth
    [task] = tasks()
    assert task.task_definition_key == "review" and task.name == "Review the order"

    claim = pycamunda.task.Claim(url=url, id_=task.id_, user_id=user.username)
    claim.auth = auth
    claim()
    complete = pycamunda.task.Complete(url=url, id_=task.id_)
    complete.auth = auth
    complete.add_variable(name="approved", value=True, type_="Boolean")
    complete()

    variables = pycamunda.processinst.VariablesGetList(url=url, process_instance_id=instance.id_)
    variables.auth = auth
    read = variables()
    assert read["approved"].value is True and read["amount"].value == 120
    step = Step.objects.get(pk=int(task.id_))
    assert step.status == "completed" and step.completed_at is not None
    assert ProcessInstance.objects.get(pk=int(instance.id_)).status == "running"  # waits: paid

    wrong = pycamunda.task.GetList(url=url)
    wrong.auth = HTTPBasicAuth(user.username, "fd_not_a_token")
    with pytest.raises(pycamunda.Unauthorized):
        wrong()


BOUNDARY = "----WebKitFormBoundaryfLcGAWD7uG2xIKhS"


def modeler_deploy_body(diagram: bytes, form: bytes) -> bytes:
    """The body fetch() sends for CamundaAPI.deployDiagram's FormData: deployment-name,
    deployment-source "Camunda Modeler", enable-duplicate-filtering "true", the diagram
    under its file name as text/xml, then each attachment under its own name."""
    parts = []
    for name, value in (
        ("deployment-name", "Order diagram"),
        ("deployment-source", "Camunda Modeler"),
        ("enable-duplicate-filtering", "true"),
    ):
        head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(f"{head}{value}\r\n".encode())
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="order.bpmn"; '
        f'filename="order.bpmn"\r\nContent-Type: text/xml\r\n\r\n'.encode()
        + diagram
        + b"\r\n"
    )
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="review.form"; '
        f'filename="review.form"\r\nContent-Type: application/octet-stream\r\n\r\n'.encode()
        + form
        + b"\r\n"
    )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def test_camunda_modelers_deploy_request_gets_camundas_answer(daphne, deployer):
    user, token = deployer
    credentials = base64.b64encode(f"{user.username}:{token}".encode()).decode()
    headers = {"accept": "application/json", "authorization": f"Basic {credentials}"}
    connection_ = http.client.HTTPConnection("127.0.0.1", daphne, timeout=30)

    # The Modeler checks the endpoint first, then reads the version.
    connection_.request("GET", "/engine-rest/deployment?maxResults=0", headers=headers)
    checked = connection_.getresponse()
    assert checked.status == 200 and json.loads(checked.read()) == []
    connection_.request("GET", "/engine-rest/version", headers=headers)
    assert json.loads(connection_.getresponse().read())["version"].startswith("7.")

    body = modeler_deploy_body(ORDER_BPMN, b'{"components": [], "type": "default"}')
    connection_.request(
        "POST",
        "/engine-rest/deployment/create",
        body=body,
        headers={**headers, "content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    answer = connection_.getresponse()
    deployed = json.loads(answer.read())
    assert answer.status == 200, deployed
    assert answer.getheader("content-type").startswith("application/json")
    assert deployed["name"] == "Order diagram" and deployed["source"] == "Camunda Modeler"
    [definition] = deployed["deployedProcessDefinitions"].values()
    assert definition["key"] == "order" and definition["deploymentId"] == deployed["id"]

    # Then "Start instance" posts to the deployed definition's id.
    connection_.request(
        "POST",
        f"/engine-rest/process-definition/{definition['id']}/start",
        body=json.dumps({"businessKey": "from-modeler", "variables": {}}),
        headers={**headers, "content-type": "application/json"},
    )
    started = connection_.getresponse()
    instance = json.loads(started.read())
    assert started.status == 200 and instance["definitionId"] == definition["id"]

    # Deploying the same diagram again deploys nothing new (duplicate filtering).
    connection_.request(
        "POST",
        "/engine-rest/deployment/create",
        body=body,
        headers={**headers, "content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    )
    again = json.loads(connection_.getresponse().read())
    assert again["deployedProcessDefinitions"] is None
    connection_.close()
