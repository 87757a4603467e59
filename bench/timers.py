"""10,000 due timers fired by 2 workers (`make bench-timers`): seconds until every one fired.

Builds BENCH_TIMERS instances of a process that waits on a timer (start → timer
→ script → end): one started through the engine, the others copied from its
rows in bulk (this measures firing, not starting), all due a minute ago. Then
it starts BENCH_TIMER_WORKERS Celery workers (separate processes, `--pool=solo`,
one PostgreSQL and Redis) and runs the sweep as beat does, every
TIMER_SWEEP_SECONDS, until every instance has completed: the sweep claims
batches of due timers and queues one task per batch, the workers fire them.
It prints the wall time, timers per second, the load average beside it, and
checks that no timer and no step after it ran twice. Goal: ≤ 60 s for 10,000.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flowdesk_bench")
TIMERS = int(os.environ.get("BENCH_TIMERS", "10000"))
WORKERS = int(os.environ.get("BENCH_TIMER_WORKERS", "2"))
SWEEP_SECONDS = float(os.environ.get("TIMER_SWEEP_SECONDS", "2"))
GOAL_SECONDS = 60.0
CODE = "bench_timer_wait"
BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d_{CODE}"
  targetNamespace="https://flowdesk.dev/bench">
  <bpmn:process id="{CODE}" name="Bench: wait an hour" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="done" />
    <bpmn:scriptTask id="done"><bpmn:script>waited = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="done" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def seed() -> list[int]:
    """TIMERS instances waiting on a timer due a minute ago; returns their ids."""
    from django.db import transaction
    from django.utils import timezone

    from processes.models import ProcessDefinition, ProcessInstance, Step
    from processes.services import instance_start, process_import

    if not ProcessDefinition.objects.filter(code=CODE).exists():
        process_import(data=BPMN)
    ProcessInstance.objects.filter(definition__code=CODE).delete()
    template = instance_start(code=CODE, run_now=True)
    steps = list(Step.objects.filter(instance=template).order_by("number"))
    assert [s.status for s in steps][-1] == "waiting", [s.status for s in steps]
    instance_fields = [
        f.attname for f in ProcessInstance._meta.concrete_fields if not f.primary_key
    ]
    step_fields = [
        f.attname
        for f in Step._meta.concrete_fields
        if not f.primary_key and f.attname != "instance_id"
    ]
    with transaction.atomic():
        copies = ProcessInstance.objects.bulk_create(
            [
                ProcessInstance(**{name: getattr(template, name) for name in instance_fields})
                for _ in range(TIMERS - 1)
            ],
            batch_size=2000,
        )
        Step.objects.bulk_create(
            [
                Step(instance_id=copy.pk, **{name: getattr(step, name) for name in step_fields})
                for copy in copies
                for step in steps
            ],
            batch_size=2000,
        )
        ids = [template.pk, *(c.pk for c in copies)]
        Step.objects.filter(instance_id__in=ids, status="waiting").update(
            due_at=timezone.now() - timedelta(minutes=1), timer_claimed_until=None
        )
    return ids


def main() -> None:
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test.utils import override_settings

    from processes import timer_sweep
    from processes.models import ProcessInstance, Step
    from tests.support import servers

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    ids = seed()
    print(f"{len(ids)} due timers ready in {time.perf_counter() - started:.1f}s")
    queue = f"bench-timers-{servers.unique_suffix()}"
    env = servers.server_env(
        database_name=connection.settings_dict["NAME"],
        channels_prefix=queue,
        celery_queue=queue,
        settings_module="bpm_project.settings",
    )
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    workers = [
        servers.start_celery_worker(env, log_path=logs / f"timer-worker{n}.log")
        for n in range(1, WORKERS + 1)
    ]
    load_before = os.getloadavg()
    try:
        for worker in workers:
            servers.wait_for_log(worker, "ready", timeout=120)
        done = ProcessInstance.objects.filter(pk__in=ids, status="completed")
        started = time.perf_counter()
        sweeps = 0
        with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue):
            while True:
                timer_sweep.timers_sweep()
                sweeps += 1
                finished = done.count()
                if finished == len(ids):
                    break
                elapsed = time.perf_counter() - started
                if elapsed > 600:
                    raise SystemExit(f"only {finished} of {len(ids)} fired after {elapsed:.0f}s")
                time.sleep(SWEEP_SECONDS)  # beat's interval between sweeps, not a measurement
        elapsed = time.perf_counter() - started
    finally:
        for worker in workers:
            servers.stop(worker)
    load = os.getloadavg()
    twice = (
        Step.objects.filter(instance_id__in=ids)
        .values("instance_id", "element_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    lines = [
        f"timers: {len(ids)} due, {WORKERS} workers (solo pool), sweep every {SWEEP_SECONDS:g}s, "
        f"batch {timer_sweep._setting('TIMER_BATCH_SIZE', 200)}",
        f"load average {load_before[0]:.2f} before, {load[0]:.2f} after (cores: {os.cpu_count()})",
        f"all fired in {elapsed:.1f}s ({len(ids) / elapsed:.0f} timers/s, {sweeps} sweeps); "
        f"goal ≤ {GOAL_SECONDS:.0f}s: {'met' if elapsed <= GOAL_SECONDS else 'missed'}",
        f"elements that ran twice in an instance: {twice}",
    ]
    print("\n".join(lines))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "timers.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if twice:
        raise SystemExit("a timer fired twice")


if __name__ == "__main__":
    main()
