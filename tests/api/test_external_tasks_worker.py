"""A real Camunda external-task worker (camunda-external-task-client-python3, from PyPI)
against Flowdesk's /engine-rest/ on a live Daphne: it completes tasks, reports a failure
with retries until none are left, and a BPMN error a boundary event catches."""

import base64
import contextlib
import time

import pytest
import requests
from camunda.external_task.external_task_worker import ExternalTaskWorker, NoExternalTaskFound
from django.db import connection

from api import tokens
from processes.models import ProcessInstance, Step
from processes.services import step_retry
from tests.processes.test_external_tasks import TOPIC, shipping_process, start_orders
from tests.support import servers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def flowdesk(django_db_setup, django_db_blocker, tmp_path_factory):
    """Daphne on the test database, one for the module (it depends on django_db_setup,
    so it stops before the database is dropped)."""
    with django_db_blocker.unblock():
        database_name = connection.settings_dict["NAME"]
    tmp_path = tmp_path_factory.mktemp("ext-daphne")
    env = servers.server_env(
        database_name=database_name,
        channels_prefix=f"flowdesk-ext-{servers.unique_suffix()}",
        celery_queue=f"flowdesk-ext-{servers.unique_suffix()}",
    )
    port = servers.free_port()
    daphne = servers.start_daphne(env, port=port, log_path=tmp_path / "daphne.log")
    try:
        url = f"http://127.0.0.1:{port}"
        servers.wait_for_http(f"{url}/engine-rest/version", proc=daphne, timeout=60)
        yield url, daphne
    finally:
        servers.stop(daphne)


@pytest.fixture
def credentials(admin_user):
    _row, token = tokens.token_create(user=admin_user, name="worker", scope="write")
    return {"username": admin_user.get_username(), "password": token}


def worker(url, credentials, worker_id):
    config = {
        "auth_basic": credentials,
        "maxTasks": 5,
        "lockDuration": 10_000,
        "asyncResponseTimeout": 200,
        "sleepSeconds": 0,
    }
    return ExternalTaskWorker(worker_id=worker_id, base_url=f"{url}/engine-rest", config=config)


def run_until(work, done, action, *, timeout=60):
    """Let the worker fetch and execute until `done()` holds."""
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        with contextlib.suppress(NoExternalTaskFound):
            work.fetch_and_execute(TOPIC, action)


def test_a_real_camunda_worker_completes_fails_and_throws_on_flowdesk(flowdesk, credentials):
    url, daphne = flowdesk
    definition = shipping_process()
    orders = start_orders(definition, count=3, weight=2)
    watched = [o.pk for o in orders]
    seen = {}

    def action(task):
        order = int(task.get_process_instance_id())
        seen[order] = task.get_variable("weight")
        if order == orders[1].pk:
            return task.failure("carrier down", "HTTP 503 from the carrier", 2, 10)
        if order == orders[2].pk:
            return task.bpmn_error("LOST", "no trace of the parcel", {"last_seen": "Depot 4"})
        return task.complete({"parcel": f"P-{order}", "weight": task.get_variable("weight") + 1})

    work = worker(url, credentials, "flowdesk-test-worker")

    def settled():
        return not Step.objects.filter(
            instance__in=watched, element_id="ship", status="waiting"
        ).exists()

    run_until(work, settled, action)
    shipped, failed, lost = (ProcessInstance.objects.get(pk=o.pk) for o in orders)
    assert seen == {o.pk: 2 for o in orders}
    assert shipped.status == "completed"
    assert shipped.variables["parcel"] == f"P-{shipped.pk}" and shipped.variables["weight"] == 3
    # The library retries from its own count (2, then 1, then 0): after the last the
    # step is in Error in the Process log with the worker's message.
    step = Step.objects.get(instance=failed, element_id="ship")
    assert failed.status == "error" and step.status == "error"
    assert "carrier down" in step.error and "HTTP 503" in step.worker_error_details
    # The BPMN error was caught by the boundary event: the customer gets an apology.
    assert lost.status == "running" and lost.variables["last_seen"] == "Depot 4"
    assert Step.objects.get(instance=lost, element_id="apologise").status == "waiting"

    # Run item re-opens the failed step; the worker's next fetch gets it again.
    step_retry(instance_id=failed.pk, step_number=step.number)
    orders[1] = ProcessInstance(pk=-1)  # no longer the failing one
    run_until(work, settled, action)
    failed.refresh_from_db()
    assert failed.status == "completed", servers.read_log(daphne)


def test_camunda_shapes_for_the_list_a_held_lock_and_bad_input(flowdesk, credentials):
    url, _daphne = flowdesk
    start_orders(shipping_process(), count=2)
    pair = base64.b64encode(f"{credentials['username']}:{credentials['password']}".encode())
    session = requests.Session()
    session.headers["Authorization"] = f"Basic {pair.decode()}"
    rest = f"{url}/engine-rest/external-task"
    body = {"workerId": "a", "maxTasks": 1, "topics": [{"topicName": TOPIC, "lockDuration": 5000}]}
    [task] = session.post(f"{rest}/fetchAndLock", json=body, timeout=10).json()
    assert task["workerId"] == "a" and task["topicName"] == TOPIC
    assert task["lockExpirationTime"] and task["retries"] is None
    listed = session.get(rest, params={"locked": "true"}, timeout=10).json()
    assert [t["id"] for t in listed] == [task["id"]]
    assert len(session.get(rest, params={"notLocked": "true"}, timeout=10).json()) == 1
    held = session.post(f"{rest}/{task['id']}/complete", json={"workerId": "b"}, timeout=10)
    assert held.status_code == 409 and "“a”" in held.json()["message"]
    extended = session.post(
        f"{rest}/{task['id']}/extendLock", json={"workerId": "a", "newDuration": 60_000}, timeout=10
    )
    assert extended.status_code == 204
    assert session.post(f"{rest}/{task['id']}/unlock", timeout=10).status_code == 204
    bad = session.post(f"{rest}/fetchAndLock", json={**body, "maxTasks": 10_000}, timeout=10)
    assert bad.status_code == 400 and "maxTasks" in bad.json()["message"]
    typed = session.post(
        f"{rest}/{task['id']}/complete",
        json={"workerId": "a", "variables": {"x": {"value": "1", "type": "Bytes"}}},
        timeout=10,
    )
    assert typed.status_code == 400 and typed.json()["type"] == "InvalidRequestException"
