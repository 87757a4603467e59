"""Burst benchmark (`make bench-burst`): 5,000 instances started at once, drained by workers.

Not a test. Against its own PostgreSQL database (DATABASE_URL, ``..._bench``
from the Makefile; created and migrated if missing) and REDIS_URL, it imports
shape a of bench/shapes.py (start -> script -> end) and, for 1 and then 2
Celery worker processes (tests/support/servers.py, solo pool, a queue of its
own):

  * starts the workers and waits until they are ready,
  * starts BENCH_BURST instances (default 5,000) in one transaction, as a
    record trigger or an import would: each is queued to the workers after
    the commit, the way every deferred start is,
  * waits until every one of them is completed, and reports instances/s from
    the commit to the last completion, and the p50 / p95 / max start-to-end
    time (an instance's completed_at - started_at, written by the worker).

Results go to bench/results/burst.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.panel_latency import database_name, ensure_database  # noqa: E402
from bench.shapes import shape_a  # noqa: E402
from tests.support import servers  # noqa: E402

COUNT = int(os.environ.get("BENCH_BURST", "5000"))
WORKERS = tuple(int(n) for n in os.environ.get("BENCH_BURST_WORKERS", "1,2").split(","))
TIMEOUT = float(os.environ.get("BENCH_BURST_TIMEOUT", "1800"))
RESULTS = ROOT / "bench" / "results" / "burst.md"


def setup_django(queue: str) -> None:
    os.environ["CELERY_QUEUE"] = queue
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")
    import django

    django.setup()


def prepare(shape) -> None:
    from django.db import connection

    from processes import services
    from processes.models import ProcessDefinition, ProcessInstance, Step

    name = connection.settings_dict["NAME"]
    if not name.endswith("_bench"):
        sys.exit(f"refusing to empty tables of {name!r}: the bench database must end in _bench")
    if not ProcessDefinition.objects.filter(code=shape.process_id).exists():
        services.process_import(data=shape.xml.encode())
    with connection.cursor() as cursor:
        tables = [m._meta.db_table for m in (Step, ProcessInstance)]
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def start_burst(shape) -> float:
    """Start COUNT instances in one transaction; return the time of its commit."""
    from django.db import transaction

    from processes import services

    with transaction.atomic():
        for i in range(COUNT):
            services.instance_start(code=shape.process_id, variables={"x": i})
        # The queued advances go out when this block commits.
    committed = time.time()
    return committed


def wait_done(started: float) -> float:
    from processes.models import ProcessInstance

    deadline = time.monotonic() + TIMEOUT
    running = COUNT
    while time.monotonic() < deadline:
        running = ProcessInstance.objects.filter(status="running").count()
        if not running:
            break
        time.sleep(0.25)
    else:
        raise TimeoutError(f"{running} of {COUNT} instances still running after {TIMEOUT:.0f} s")
    failed = ProcessInstance.objects.exclude(status="completed").count()
    if failed:
        raise AssertionError(f"{failed} instances did not complete")
    return time.time() - started


def percentile(ordered: list[float], pct: int) -> float:
    return ordered[max(0, -(-pct * len(ordered) // 100) - 1)]


def measure(shape, workers: int, env, logs: Path) -> dict:
    from django.db.models import Max, Min

    from processes.models import ProcessInstance

    prepare(shape)
    procs = []
    try:
        for n in range(workers):
            worker_env = {**env}
            proc = servers.start_celery_worker(
                worker_env, log_path=logs / f"worker-{workers}-{n}.log"
            )
            procs.append(proc)
        for proc in procs:
            servers.wait_for_log(proc, "ready.", timeout=120)
        t0 = time.time()
        committed = start_burst(shape)
        queued_s = committed - t0
        elapsed = wait_done(committed)
    finally:
        for proc in procs:
            servers.stop(proc)
    done = ProcessInstance.objects.filter(status="completed")
    durations = sorted(d.total_seconds() for d in done.values_list("duration", flat=True))
    span = done.aggregate(first=Min("started_at"), last=Max("completed_at"))
    drain = (span["last"].timestamp() - committed) if span["last"] else elapsed
    return {
        "workers": workers,
        "count": len(durations),
        "start_s": queued_s,
        "drain_s": drain,
        "rate": len(durations) / drain,
        "p50": statistics.median(durations),
        "p95": percentile(durations, 95),
        "max": durations[-1],
    }


def report(rows: list[dict]) -> str:
    from django.conf import settings

    lines = [
        "# Burst: instances of shape a started at once, drained by Celery workers",
        "",
        f"{COUNT:,} instances of start -> script -> end started in one transaction (queued "
        f"to the workers after its commit, {settings.ADVANCE_BATCH} to a task and a "
        "transaction: ADVANCE_BATCH); Celery workers with the solo pool, "
        f"PostgreSQL and Redis on {platform.node()} ({os.cpu_count()} CPUs, shared), "
        f"Python {platform.python_version()}. instances/s = instances ÷ (last completion − "
        "commit); start-to-end = an instance's completed_at − started_at.",
        "",
        "| workers | instances | starting them (s) | drained in (s) | instances/s "
        "| p50 start-to-end (s) | p95 start-to-end (s) | max (s) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['workers']} | {r['count']:,} | {r['start_s']:.1f} | {r['drain_s']:.1f} "
            f"| {r['rate']:,.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} |"
        )
    if len(rows) > 1 and rows[0]["rate"]:
        scaling = rows[-1]["rate"] / rows[0]["rate"]
        lines += ["", f"{rows[-1]['workers']} workers ÷ 1: {scaling:.2f}×"]
    return "\n".join(lines) + "\n"


def main() -> int:
    name = database_name()
    ensure_database(name)
    suffix = servers.unique_suffix()
    queue = f"flowdesk-burst-{suffix}"
    setup_django(queue)
    shape = shape_a()
    env = servers.server_env(
        database_name=name,
        channels_prefix=f"flowdesk-burst-{suffix}",
        celery_queue=queue,
        settings_module="bpm_project.settings",
    )
    logs = Path(tempfile.mkdtemp(prefix="flowdesk-burst-"))
    rows = []
    for workers in WORKERS:
        row = measure(shape, workers, env, logs)
        print(
            f"{workers} worker(s): {row['rate']:,.1f} instances/s, p95 {row['p95']:.1f} s",
            flush=True,
        )
        rows.append(row)
    text = report(rows)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    print(f"written to {RESULTS.relative_to(ROOT)} (worker logs in {logs})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
