"""A notification queued with Celery is created by a real worker process and pushed live."""

import time
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.db import connection

from bpm_project.asgi import application
from bpm_project.celery import app as celery_app
from notifications.models import Notification
from notifications.tasks import notify_user
from tests.support import servers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def celery_worker_process(django_db_setup, django_db_blocker, channels_prefix, tmp_path_factory):
    """A real worker on a queue of its own, stopped before the test database is dropped."""
    queue = f"flowdesk-test-{servers.unique_suffix()}"
    with django_db_blocker.unblock():
        database_name = connection.settings_dict["NAME"]
    env = servers.server_env(
        database_name=database_name, channels_prefix=channels_prefix, celery_queue=queue
    )
    log_path = Path(tmp_path_factory.mktemp("worker")) / "celery.log"
    proc = servers.start_celery_worker(env, log_path=log_path)
    previous_queue = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        servers.wait_for_log(proc, "ready.", timeout=60)
        yield proc
    finally:
        celery_app.conf.task_default_queue = previous_queue
        servers.stop(proc)


def test_a_task_in_the_worker_creates_the_notification_and_pushes_it_live(
    celery_worker_process, client, agent
):
    client.force_login(agent)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"origin", b"http://127.0.0.1"), (b"cookie", cookie.encode())]

    async def scenario():
        tab = WebsocketCommunicator(application, "/ws/live/", headers=headers)
        assert (await tab.connect(timeout=10))[0]
        notify_user.delay(agent.pk, "Queued through the worker", "From a real process")
        try:
            return await tab.receive_from(timeout=20)
        finally:
            await tab.disconnect(timeout=10)

    html = async_to_sync(scenario)()
    assert "Queued through the worker" in html
    assert 'id="notifications-count"' in html

    deadline = time.monotonic() + 10
    while not Notification.objects.filter(recipient=agent).exists():
        assert time.monotonic() < deadline, servers.read_log(celery_worker_process)
        time.sleep(0.05)
    notification = Notification.objects.get(recipient=agent)
    assert notification.title == "Queued through the worker" and notification.is_unread
    assert "Task notifications.notify_user[" in servers.read_log(celery_worker_process)
