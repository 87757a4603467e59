"""Retention: done effects older than FLOWDESK_RETAIN_DAYS are deleted, in bounded
batches, by the daily job and `manage.py prune_history`; pending and failed ones stay."""

import os
import re
import subprocess
import sys
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from api.idempotency import answers_prune
from crm.email import send_email
from outbox.models import Effect
from outbox.retention import effects_prune, history_prune
from outbox.services import effect_deliver, effect_record
from processes.models import KeptMessage
from processes.services import message_deliver_or_record

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
LONG_AGO = timedelta(days=40)


@pytest.fixture(autouse=True)
def _mail_in_memory(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.FLOWDESK_RETAIN_DAYS = 30


def sent_email(subject) -> Effect:
    """An email effect carried out by the worker: done."""
    send_email(to=["clara@northwind.example"], subject=subject, text="Hello.")
    effect = Effect.objects.get(payload__subject=subject)
    assert effect_deliver(effect_id=effect.pk) == "done"
    effect.refresh_from_db()
    return effect


def age(*effects, by=LONG_AGO):
    """Make the effects look recorded and done `by` ago."""
    then = timezone.now() - by
    for effect in effects:
        Effect.objects.filter(pk=effect.pk).update(
            created_at=then, available_at=then, done_at=then if effect.done_at else None
        )


def deletes(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]


def test_only_done_effects_older_than_the_age_are_deleted(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    old_done = sent_email("Old and sent")
    recent_done = sent_email("Recent and sent")
    send_email(to=["clara@northwind.example"], subject="Old and queued", text="Hello.")
    old_pending = Effect.objects.get(payload__subject="Old and queued")
    old_failed = effect_record(kind="nobody.handles.this", payload={})
    assert effect_deliver(effect_id=old_failed.pk) == "failed"
    age(old_done, old_pending, old_failed)

    assert effects_prune() == {"outbox.Effect": 1}
    assert effects_prune() == {"outbox.Effect": 0}, "a second run finds nothing new"
    assert set(Effect.objects.all()) == {recent_done, old_pending, old_failed}
    # A pending effect is still carried out, however old.
    assert effect_deliver(effect_id=old_pending.pk) == "done"


def test_batches_bound_each_statement_and_each_run():
    effects = [sent_email(f"Sent {n}") for n in range(5)]
    age(*effects)

    with CaptureQueriesContext(connection) as queries:
        assert effects_prune(batch=2, limit=3) == {"outbox.Effect": 3}
    assert len(deletes(queries)) == 2, "3 rows, 2 per statement: two statements"
    assert all("LIMIT 2" in sql or "LIMIT 1" in sql for sql in deletes(queries))
    assert Effect.objects.count() == 2

    assert effects_prune(batch=2, limit=3) == {"outbox.Effect": 2}, "the next run goes on"
    assert not Effect.objects.exists()


def test_the_dry_run_counts_per_table_and_deletes_nothing_then_the_run_deletes():
    age(sent_email("Old and sent"))
    message_deliver_or_record(name="nobody_waits", if_unmatched="refuse")
    KeptMessage.objects.update(created_at=timezone.now() - LONG_AGO)

    out = StringIO()
    call_command("prune_history", "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "outbox.Effect: would delete 1 row(s) older than 30 days",
        "processes.KeptMessage: would delete 1 row(s) older than 30 days",
        "webhooks.Attempt: would delete 0 row(s) older than 30 days",
        "webhooks.Delivery: would delete 0 row(s) older than 30 days",
    ]
    assert Effect.objects.count() == KeptMessage.objects.count() == 1

    out = StringIO()
    call_command("prune_history", stdout=out)
    assert "outbox.Effect: deleted 1 row(s) older than 30 days" in out.getvalue()
    assert "processes.KeptMessage: deleted 1 row(s) older than 30 days" in out.getvalue()
    assert not Effect.objects.exists() and not KeptMessage.objects.exists()


def test_the_setting_0_keeps_everything(settings):
    settings.FLOWDESK_RETAIN_DAYS = 0
    effect = sent_email("Kept forever")
    age(effect, by=timedelta(days=3650))

    assert history_prune()["outbox.Effect"] == 0
    out = StringIO()
    call_command("prune_history", stdout=out)
    assert out.getvalue() == "FLOWDESK_RETAIN_DAYS is 0: history is kept forever\n"
    assert list(Effect.objects.all()) == [effect]


def read_setting(value):
    env = {**os.environ, "FLOWDESK_RETAIN_DAYS": value}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from bpm_project import settings; print(settings.FLOWDESK_RETAIN_DAYS)",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(("value", "days"), [("30", "30"), ("0", "0"), ("", "0"), (" 7 ", "7")])
def test_the_setting_reads_whole_days_and_empty_keeps_forever(value, days):
    result = read_setting(value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == days


@pytest.mark.parametrize("value", ["thirty", "-1", "1.5", "36501"])
def test_a_bad_setting_stops_the_start_and_names_the_variable(value):
    result = read_setting(value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "FLOWDESK_RETAIN_DAYS is a whole number of days from 0 to 36500" in result.stderr


def test_every_prune_finds_its_rows_through_an_index():
    """On a table that grew for years a scan of every row would hold the run for minutes:
    each statement the prunes run can read an index (PostgreSQL's plan, scans forbidden)."""
    with CaptureQueriesContext(connection) as queries:
        history_prune()
        answers_prune()
    used = set()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for query in queries.captured_queries:
            if query["sql"].startswith(("SELECT", "DELETE")):
                cursor.execute("EXPLAIN " + query["sql"])
                plan = "\n".join(row[0] for row in cursor.fetchall())
                assert "Seq Scan" not in plan, plan
                used.update(re.findall(r"Index (?:Only )?Scan (?:using|on) (\w+)", plan))
    assert {
        "outbox_effect_done",
        "webhooks_delivery_finished",
        "kept_message_status",
        "api_idempotent_answer_age",
    } <= used
