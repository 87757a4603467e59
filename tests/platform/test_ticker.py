"""The embedded ticker runs every periodic job in a web process, and each does its work.

The jobs run in a fresh process that imports what Daphne imports (bpm_project.asgi),
so a tasks module nobody imported there shows up as a job that did nothing.
"""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import override_settings

from cases import services as case_services
from cases.defaults import load_defaults
from cases.models import Case
from crm.email import send_email
from crm.models import SystemSetting
from outbox.models import Effect
from outbox.services import effect_deliver
from processes import clock
from processes.models import Step
from processes.services import instance_start, process_import
from tests.cases.customer_factories import deliver, email_bytes
from tests.cases.factories import make_case, status

ROOT = Path(__file__).resolve().parents[2]
TIMER_WAIT = ROOT / "tests" / "processes" / "data" / "timer_wait.bpmn"
RUN_TICKER_ONCE = (
    "import json, django; django.setup(); import bpm_project.asgi; "
    "from bpm_project import ticker; print(json.dumps(ticker.run_all_once()))"
)


def run_ticker_once_in_a_web_process(*, inbox, media):
    database = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        # The embedded mode: no Redis, tasks run in the web process, one PostgreSQL database.
        DATABASE_URL=f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        DJANGO_SETTINGS_MODULE="bpm_project.settings",
        DEBUG="0",
        FLOWDESK_TICKER="0",
        INBOUND_MAILDIR=str(inbox),
        MEDIA_ROOT=str(media),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    result = subprocess.run(
        [sys.executable, "-c", RUN_TICKER_ONCE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "NotRegistered" not in result.stderr, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def an_email_sent_long_ago() -> Effect:
    in_memory = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with override_settings(MAILERS=in_memory):
        send_email(to=["clara@northwind.example"], subject="Sent in spring", text="Hello.")
        effect = Effect.objects.get(payload__subject="Sent in spring")
        effect_deliver(effect_id=effect.pk)  # unless the commit's own delivery sent it already
    assert Effect.objects.get(pk=effect.pk).status == "done"
    Effect.objects.filter(pk=effect.pk).update(done_at=clock.now() - timedelta(days=400))
    return effect


@pytest.mark.django_db(transaction=True)
def test_one_pass_of_the_ticker_reads_mail_closes_resolved_cases_and_fires_timers(agent, tmp_path):
    load_defaults(apps)
    old_email = an_email_sent_long_ago()
    # Resolved cases close after the two waiting periods: none here, so it is past them at once.
    for code in ("FirstReevaluationWaitingDays", "SecondReevaluationWaitingDays"):
        SystemSetting.objects.update_or_create(
            code=code, defaults={"name": code, "kind": SystemSetting.Kind.INTEGER, "value": "0"}
        )
    resolved = make_case(by=agent, subject="Toner everywhere")
    case_services.case_set_status(case=resolved, status=status("resolved"), user=agent)
    process_import(data=TIMER_WAIT.read_bytes())
    with clock.frozen_at(clock.now() - timedelta(hours=2)):
        waiting = instance_start(code="timer_wait", run_now=True)
    assert Step.objects.get(instance=waiting, status="waiting").due_at < clock.now()
    inbox = tmp_path / "inbox"
    deliver(inbox, email_bytes(subject="The printer is smoking", body="Please help."))

    results = run_ticker_once_in_a_web_process(inbox=inbox, media=tmp_path / "media")

    assert set(results) == set(settings.FLOWDESK_PERIODIC_JOBS)
    assert results["cases.fetch_mail"]["stored"] == 1
    assert Case.objects.filter(subject="The printer is smoking").exists()
    assert results["cases.close_resolved_cases"]["closed"] == 1
    resolved.refresh_from_db()
    assert resolved.status.code == "closed"
    assert results["processes.fire_due_timers"] == 1
    waiting.refresh_from_db()
    assert waiting.status == "completed"
    assert waiting.variables.get("waited") is True
    # The daily retention job ran too (FLOWDESK_RETAIN_DAYS, 30 by default).
    assert results["outbox.prune_history"]["outbox.Effect"] == 1
    assert set(results["outbox.prune_history"]) == {
        "outbox.Effect",
        "processes.KeptMessage",
        "webhooks.Delivery",
        "webhooks.Attempt",
    }
    assert not Effect.objects.filter(pk=old_email.pk).exists()
