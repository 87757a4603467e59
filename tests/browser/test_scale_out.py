"""Scale-out: two Daphne processes and two Celery workers on one PostgreSQL and Redis.

What the README promises when one machine is outgrown: a step completed through
Daphne A reaches its owner's socket held by Daphne B, and the panel counter there
stays right. Every server is a process of its own, as in production.
"""

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from playwright.sync_api import expect

from bpm_project.celery import app as celery_app
from processes.models import Step
from processes.services import instance_start, process_import
from processes.user_steps.pages import step_url
from tests.support import servers

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:flowdesk="https://flowdesk.dev/bpmn" id="d_scale" targetNamespace="t">
  <bpmn:process id="scale_out" name="Scale out" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
    <bpmn:userTask id="first" name="Call the customer" flowdesk:page="question"
                   flowdesk:answers="Done" flowdesk:owner="olga" flowdesk:background="true"/>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
    <bpmn:userTask id="second" name="Send the offer" flowdesk:page="question"
                   flowdesk:answers="Done" flowdesk:owner="olga" flowdesk:background="true"/>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def two_of_everything(tmp_path):
    suffix = servers.unique_suffix()
    env = servers.server_env(
        database_name=connection.settings_dict["NAME"],
        channels_prefix=f"flowdesk-scale-{suffix}",
        celery_queue=f"flowdesk-scale-{suffix}",
    )
    procs, urls = [], []
    try:
        for name in ("a", "b"):
            port = servers.free_port()
            daphne = servers.start_daphne(env, port=port, log_path=tmp_path / f"daphne-{name}.log")
            procs.append(daphne)
            urls.append(f"http://127.0.0.1:{port}")
            procs.append(servers.start_celery_worker(env, log_path=tmp_path / f"worker-{name}.log"))
        for url, daphne in zip(urls, procs[::2], strict=True):
            servers.wait_for_http(f"{url}/login/", proc=daphne)
        for worker in procs[1::2]:
            servers.wait_for_log(worker, "ready.", timeout=60)
        layer = settings.CHANNEL_LAYERS["default"]
        config = {**layer.get("CONFIG", {}), "prefix": env["CHANNELS_PREFIX"]}
        previous_queue = celery_app.conf.task_default_queue
        celery_app.conf.task_default_queue = env["CELERY_QUEUE"]
        try:
            with override_settings(CHANNEL_LAYERS={"default": {**layer, "CONFIG": config}}):
                yield urls
        finally:
            celery_app.conf.task_default_queue = previous_queue
    finally:
        for proc in procs:
            servers.stop(proc)


def test_a_step_completed_through_one_daphne_reaches_the_owners_socket_on_the_other(
    two_of_everything, browser, make_user
):
    url_a, url_b = two_of_everything
    owner = make_user("olga", first="Olga", last="Owner")
    process_import(data=BPMN.encode())

    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(15_000)
    try:
        on_a = context.new_page()
        on_a.goto(f"{url_a}/login/?next=/contacts/")
        on_a.get_by_label("Username").fill("olga")
        on_a.get_by_label("Password").fill("password")
        on_a.get_by_role("button", name="Sign in").click()
        on_a.wait_for_url("**/contacts/")
        # The same sign-in (cookies belong to the host, not the port) on the other server.
        on_b = context.new_page()
        on_b.goto(f"{url_b}/contacts/")
        expect(on_b.locator("body")).to_have_attribute("data-live-state", "connected")

        instance = instance_start(code="scale_out", run_now=True)
        first = Step.objects.get(instance=instance, element_id="first")
        tasks_b = on_b.locator("#process-task-list")
        expect(tasks_b.locator(f"#process-task-{instance.pk}-{first.number}")).to_have_count(1)
        expect(on_b.locator("#process-tasks-count")).to_have_text("1")

        on_a.goto(f"{url_a}{step_url(first)}")
        on_a.locator(".answer-option", has_text="Done").click()
        on_a.get_by_role("button", name="Answer").click()
        second = None

        def second_is_active():
            nonlocal second
            second = Step.objects.filter(
                instance=instance, element_id="second", status="waiting"
            ).first()
            return second is not None

        servers.wait_until(second_is_active, timeout=30, message="the second step")
        # Pushed by whichever worker stepped the instance, through Redis, to Daphne B.
        expect(tasks_b.locator(f"#process-task-{instance.pk}-{second.number}")).to_contain_text(
            "Send the offer"
        )
        expect(tasks_b.locator(f"#process-task-{instance.pk}-{first.number}")).to_have_count(0)
        expect(on_b.locator("#process-tasks-count")).to_have_text("1")
        assert owner.pk == second.owner_id
    finally:
        context.close()
