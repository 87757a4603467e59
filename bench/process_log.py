"""Process log with 100,000 instances (`make bench-log`): query counts and timings per filter.

Seeds a `flowdesk_bench` PostgreSQL database once (instances written in bulk:
this measures reading a big log, not the engine), then asks the real Process
log view for each filter as a signed-in admin and prints, per filter: the
number of queries (it must not depend on the rows shown), the median time of
five requests, and which index PostgreSQL's plan uses for the list query.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flowdesk_bench")
INSTANCES = int(os.environ.get("BENCH_LOG_INSTANCES", "100000"))


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def seed() -> None:
    from django.contrib.auth.models import User

    from processes.models import ProcessDefinition, ProcessInstance
    from processes.services import process_import

    have = ProcessInstance.objects.filter(definition__code__startswith="bench_log_").count()
    if have >= INSTANCES:
        return
    users = [User.objects.get_or_create(username=f"bench-user-{i}")[0] for i in range(20)]
    definitions = []
    for i in range(10):
        code = f"bench_log_{i}"
        if not ProcessDefinition.objects.filter(code=code).exists():
            process_import(data=_bpmn(code))
        definitions.append(ProcessDefinition.objects.get(code=code))
    versions = {d.pk: d.versions.order_by("-number").first() for d in definitions}
    rng = random.Random(7)
    statuses = ["completed"] * 70 + ["running"] * 20 + ["error"] * 5 + ["canceled"] * 5
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch = []
    for n in range(have, INSTANCES):
        definition = definitions[n % len(definitions)]
        started = start + timedelta(minutes=n * 3 + rng.randint(0, 2))
        status = rng.choice(statuses)
        finished = started + timedelta(seconds=rng.randint(5, 7200))
        batch.append(
            ProcessInstance(
                definition=definition,
                version=versions[definition.pk],
                status=status,
                started_by=rng.choice(users),
                started_at=started,
                completed_at=finished if status in {"completed", "canceled"} else None,
                duration=finished - started if status in {"completed", "canceled"} else None,
                next_step_no=3,
            )
        )
        if len(batch) == 5000:
            ProcessInstance.objects.bulk_create(batch)
            batch = []
    ProcessInstance.objects.bulk_create(batch)


def _bpmn(code: str) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_{code}"
  targetNamespace="https://flowdesk.dev/bench">
  <bpmn:process id="{code}" name="Bench log {code[-1]}" isExecutable="true">
    <bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def measure() -> list[tuple[str, int, float, str]]:
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from processes.models import ProcessDefinition
    from processes.selectors import LogFilters, instance_list

    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    definition = ProcessDefinition.objects.get(code="bench_log_3")
    owner = User.objects.get(username="bench-user-5")
    cases = [
        ("no filter", {}, LogFilters()),
        ("process", {"process": definition.pk}, LogFilters(process=definition.pk)),
        ("status=error", {"status": "error"}, LogFilters(status="error")),
        ("started by", {"owner": owner.pk}, LogFilters(owner=owner.pk)),
        (
            "date range",
            {"started_from": "2026-03-01", "started_to": "2026-03-07"},
            LogFilters(
                started_from=datetime(2026, 3, 1).date(), started_to=datetime(2026, 3, 7).date()
            ),
        ),
        ("page 200", {"page": 200}, LogFilters()),
    ]
    rows = []
    for label, params, filters in cases:
        url = "/processes/log/?" + urlencode(params)
        client.get(url)  # warm caches
        timings = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        sql, sql_params = instance_list(filters)[:25].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + sql, sql_params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        used = sorted(
            {
                word
                for word in plan.replace('"', " ").split()
                if word.startswith(("instance_", "processes_processinstance_"))
                and not word.endswith(("_id", "_at"))
            }
        )
        rows.append((label, len(queries), statistics.median(timings), ", ".join(used) or "-"))
    return rows


def main() -> None:
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    seed()
    print(f"seeded/checked {INSTANCES} instances in {time.perf_counter() - started:.1f}s")
    print(f"{'filter':<14} {'queries':>7} {'median ms':>10}  index in plan")
    for label, queries, median_ms, indexes in measure():
        print(f"{label:<14} {queries:>7} {median_ms:>10.1f}  {indexes}")


if __name__ == "__main__":
    main()
