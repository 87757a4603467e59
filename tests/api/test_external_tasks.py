"""/api/external-tasks: fetch and lock, the worker's reports, the list, the refusals."""

import pytest

from processes.models import ProcessInstance, Step
from tests.processes.test_external_tasks import TOPIC, shipping_process, start_orders

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


@pytest.fixture
def admin_api(admin_user, token_client):
    return token_client(admin_user)


def fetch(client, worker="w1", max_tasks=10, **topic):
    body = {
        "worker_id": worker,
        "max_tasks": max_tasks,
        "topics": [{"name": TOPIC, "lock_duration_ms": 60_000, **topic}],
    }
    return client.post("/api/external-tasks/fetch-and-lock", body)


def test_a_worker_fetches_completes_and_the_instance_moves_on(admin_api):
    instance = start_orders(shipping_process(), order="A-7")[0]
    response = fetch(admin_api, variables=["order"])
    assert response.status_code == 200, response.content
    [task] = response.json()
    assert task["topic"] == TOPIC and task["worker_id"] == "w1"
    assert task["variables"] == {"order": "A-7"} and task["activity_id"] == "ship"
    assert task["process"] == "ship_order" and task["instance_id"] == instance.pk
    listed = admin_api.get("/api/external-tasks", {"locked": True}).json()
    assert [t["id"] for t in listed["items"]] == [task["id"]]
    done = admin_api.post(
        f"/api/external-tasks/{task['id']}/complete",
        {"worker_id": "w1", "variables": {"parcel": "P9"}},
    )
    assert done.status_code == 200 and done.json()["status"] == "completed"
    instance.refresh_from_db()
    assert instance.status == "completed" and instance.variables["parcel"] == "P9"
    again = admin_api.post(f"/api/external-tasks/{task['id']}/complete", {"worker_id": "w1"})
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM


def test_a_lock_held_by_another_worker_is_409(admin_api):
    start_orders(shipping_process())
    [task] = fetch(admin_api, "w1").json()
    for path, body in (
        ("complete", {"worker_id": "w2"}),
        ("failure", {"worker_id": "w2", "retries": 0}),
        ("bpmn-error", {"worker_id": "w2", "error_code": "LOST"}),
        ("extend-lock", {"worker_id": "w2", "new_duration_ms": 1000}),
    ):
        response = admin_api.post(f"/api/external-tasks/{task['id']}/{path}", body)
        assert response.status_code == 409, path
        assert "w1" in response.json()["detail"]
    assert Step.objects.get(pk=task["id"]).status == "waiting"
    assert admin_api.post(f"/api/external-tasks/{task['id']}/unlock").status_code == 200
    assert [t["worker_id"] for t in fetch(admin_api, "w2").json()] == ["w2"]


def test_failure_without_retries_shows_in_the_process_log_and_retry_reopens_it(
    admin_api, admin_user
):
    instance = start_orders(shipping_process())[0]
    [task] = fetch(admin_api).json()
    admin_api.post(
        f"/api/external-tasks/{task['id']}/failure",
        {"worker_id": "w1", "error_message": "label printer on fire", "retries": 0},
    )
    step = Step.objects.get(pk=task["id"])
    assert step.status == "error" and "label printer on fire" in step.error
    admin_api.client.force_login(admin_user)
    log = admin_api.client.get(instance.get_absolute_url())
    assert log.status_code == 200 and "label printer on fire" in log.content.decode()
    retried = admin_api.post(f"/api/instances/{instance.pk}/steps/{step.number}/retry")
    assert retried.status_code == 200, retried.content
    assert [t["id"] for t in fetch(admin_api, "w2").json()] == [task["id"]]


def test_a_bpmn_error_follows_the_boundary_event(admin_api):
    instance = start_orders(shipping_process())[0]
    [task] = fetch(admin_api).json()
    response = admin_api.post(
        f"/api/external-tasks/{task['id']}/bpmn-error",
        {"worker_id": "w1", "error_code": "LOST", "variables": {"why": "storm"}},
    )
    assert response.status_code == 200
    instance.refresh_from_db()
    assert instance.status == ProcessInstance.Status.RUNNING
    assert instance.steps.get(element_id="apologise").status == "waiting"


def test_bad_input_is_400_naming_the_field(admin_api):
    start_orders(shipping_process())
    too_many = fetch(admin_api, max_tasks=501)
    assert too_many.status_code == 400 and too_many.json()["field"] == "max_tasks"
    too_long = fetch(admin_api, lock_duration_ms=10**12)
    assert too_long.json()["field"] == "topics[0].lock_duration_ms"
    [task] = fetch(admin_api).json()
    huge = admin_api.post(
        f"/api/external-tasks/{task['id']}/complete",
        {"worker_id": "w1", "variables": {"blob": "x" * 20_000}},
    )
    assert huge.status_code == 400 and huge.json()["field"] == "variables"
    assert admin_api.post("/api/external-tasks/999999/unlock").status_code == 404


def test_a_read_token_may_list_but_not_fetch_and_a_clerk_may_not_list(
    admin_user, agent, token_client
):
    start_orders(shipping_process())
    reader = token_client(admin_user, scope="read")
    assert reader.get("/api/external-tasks").json()["count"] == 1
    assert fetch(reader).status_code == 403
    assert token_client(agent).get("/api/external-tasks").status_code == 403
