"""Kill -9 the web process during a request that fans out into 30 "Perform task" steps,
then the worker mid-drain: after a restart and the sweeps, every committed step has
exactly one activity, and every committed email went out: once, or (killed between the
server's answer and the commit) again under its one Message-ID."""

import secrets
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from celery import current_app
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings

from activities.models import Activity
from outbox.models import Effect
from outbox.services import effects_deliver_due
from processes.models import ProcessInstance, Step
from processes.services import instance_start, instances_resume_stuck, process_import
from tests.support import servers
from tests.support.smtp_sink import SMTPSink

WIDTH = 30
# When to kill the web process, as a share of how long the request takes when it is
# left alone (measured first, None); the last ones land around and after the commit.
KILL_AT = (None, 0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 1.0, 1.05, 1.2)


def fan_out_bpmn(width: int) -> bytes:
    tasks = "".join(
        f'<bpmn:userTask id="task{i}" name="Task {i}" flowdesk:owner="bob" flowdesk:page="task" />'
        f'<bpmn:sequenceFlow id="in{i}" sourceRef="split" targetRef="task{i}" />'
        f'<bpmn:sequenceFlow id="out{i}" sourceRef="task{i}" targetRef="join" />'
        for i in range(width)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:flowdesk="https://flowdesk.dev/bpmn"
                  id="Definitions_fan_out" targetNamespace="https://flowdesk.dev/tests">
  <bpmn:process id="fan_out" name="Write, then fan out" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="write" />
    <bpmn:userTask id="write" name="Write" flowdesk:owner="bob" flowdesk:page="email" />
    <bpmn:sequenceFlow id="f2" sourceRef="write" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    {tasks}
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f3" sourceRef="join" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def post_in_background(url: str, data: dict, *, session: str, answers: list) -> threading.Thread:
    csrf = secrets.token_hex(16)  # 32 characters: Django's unmasked CSRF secret
    request = urllib.request.Request(  # noqa: S310 - the test's own Daphne
        url,
        data=urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode(),
        headers={"Cookie": f"sessionid={session}; csrftoken={csrf}", "HX-Request": "true"},
        method="POST",
    )

    def send():
        # The server dies under the request: that is the point.
        try:
            answers.append(urllib.request.urlopen(request, timeout=60).status)  # noqa: S310
        except urllib.error.HTTPError as error:
            answers.append(error.code)
        except (urllib.error.URLError, ConnectionError, OSError) as error:
            answers.append(type(error).__name__)

    thread = threading.Thread(target=send, daemon=True)
    thread.start()
    return thread


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_killing_web_and_worker_loses_no_activity_and_no_email(tmp_path, agent):
    process_import(data=fan_out_bpmn(WIDTH))
    queue = f"kill-{servers.unique_suffix()}"
    sink = SMTPSink(greeting_delay=0.3)  # slow enough that a kill lands mid-drain
    sink.start()
    mail_env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink.port),
        "EMAIL_TIMEOUT": "10",
    }
    env = servers.server_env(
        database_name=connection.settings_dict["NAME"],
        channels_prefix=queue,
        celery_queue=queue,
        CELERY_VISIBILITY_TIMEOUT="3",
        **mail_env,
    )
    client = Client()
    client.force_login(agent)
    session = client.cookies["sessionid"].value
    port = servers.free_port()
    instances = {}
    try:
        with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue):
            duration = None
            for share in KILL_AT:
                delay_ms = None if share is None else round(share * duration * 1000)
                moment = "the answer" if share is None else f"{delay_ms} ms"
                label = f"#{len(instances)} killed after {moment}"
                instance = instance_start(code="fan_out", user=agent, run_now=True)
                instances[label] = instance
                write = Step.objects.get(instance=instance, element_id="write")
                web = servers.start_daphne(
                    env, port=port, log_path=tmp_path / f"web{len(instances)}.log"
                )
                try:
                    servers.wait_for_http(f"http://127.0.0.1:{port}/healthz", proc=web)
                    answers = []
                    request = post_in_background(
                        f"http://127.0.0.1:{port}/processes/steps/{instance.pk}/{write.number}/",
                        {
                            "step-to": "clara@northwind.example",
                            "step-subject": label,
                            "step-body": "Your order is on its way.",
                        },
                        session=session,
                        answers=answers,
                    )
                    started = time.monotonic()
                    if share is None:
                        request.join(timeout=60)
                        duration = time.monotonic() - started
                    else:
                        time.sleep(delay_ms / 1000)
                    web.send_signal(signal.SIGKILL)
                    web.wait(timeout=10)
                    request.join(timeout=10)
                    print(f"{label}: {answers}")
                finally:
                    servers.stop(web)

        committed = [i for i in instances.values() if _write_done(i)]
        expected_emails = {label for label, i in instances.items() if _write_done(i)}

        worker = servers.start_celery_worker(env, log_path=tmp_path / "worker1.log")
        try:
            with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue):
                # The requests that died before their after-commit hook queued nothing:
                # the sweep hands their mail to the worker, which is killed mid-drain.
                servers.wait_for_log(worker, "ready", timeout=60)
                current_app.tasks["outbox.deliver_due_effects"].apply_async(queue=queue)
            if expected_emails:
                # The 11 dead requests left hundreds of panel pushes queued ahead of the
                # sweep's task; on a loaded machine the worker needs a while to reach it.
                try:
                    sink.wait_for(1, timeout=240)
                except AssertionError as error:
                    raise AssertionError(f"{error}\n{servers.read_log(worker)[-4000:]}") from None
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            servers.stop(worker)
        sent_at_kill = len(sink.received())

        worker = servers.start_celery_worker(env, log_path=tmp_path / "worker2.log")
        try:
            with override_settings(
                CELERY_TASK_DEFAULT_QUEUE=queue,
                MAILERS={
                    "default": {
                        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                        "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 10},
                    }
                },
            ):
                instances_resume_stuck()  # what beat runs every minute
                servers.wait_until(
                    lambda: _delivered_or_sweep() == 0,
                    timeout=120,
                    message="every pending effect to be carried out",
                )
        finally:
            servers.stop(worker)
    finally:
        sink.shutdown()

    subjects = [m["Subject"] for m in sink.received()]
    message_ids = [m["Message-ID"] for m in sink.received()]
    waiting = Step.objects.filter(instance__in=committed, element_id__startswith="task")
    activities = Activity.objects.filter(step__in=waiting)
    expected = len(committed) * WIDTH + len(expected_emails)
    done = activities.values("step").distinct().count() + len(set(subjects) & expected_emails)
    print(  # the figure the closing note asks for
        f"\nkill -9: {len(committed)} of {len(instances)} requests committed; effects expected "
        f"{expected}, done {done}; mail sent before the worker was killed: {sent_at_kill}"
    )
    assert committed, "at least the request left alone commits"

    for label, instance in instances.items():
        steps = Step.objects.filter(instance=instance, element_id__startswith="task")
        if _write_done(instance):
            assert steps.filter(status="waiting").count() == WIDTH, label
        else:
            assert not steps.exists(), f"half a fan-out committed: {label}"
    assert waiting.count() == len(committed) * WIDTH
    per_step = activities.values("step").annotate(n=Count("id"))
    assert len(per_step) == waiting.count(), "every waiting step has its activity"
    assert {row["n"] for row in per_step} <= {1}, "no step has two activities"
    assert set(subjects) == expected_emails, "every committed email sent, no other"
    # At least once: a worker killed after the server took the message but before its
    # commit sends it again, under the same Message-ID, so the receiver can tell.
    ids_per_email = {}
    for subject, message_id in zip(subjects, message_ids, strict=True):
        ids_per_email.setdefault(subject, set()).add(message_id)
    assert all(len(ids) == 1 for ids in ids_per_email.values()), ids_per_email
    assert len(subjects) - len(expected_emails) <= 1, "at most the one killed mid-send again"
    assert done == expected
    assert not Effect.objects.exclude(status=Effect.Status.DONE).exists()
    assert not ProcessInstance.objects.filter(status="error").exists()


def _write_done(instance) -> bool:
    return Step.objects.filter(instance=instance, element_id="write", status="completed").exists()


def _delivered_or_sweep() -> int:
    effects_deliver_due()
    return Effect.objects.filter(status="pending").count()
