"""External-task throughput (`make bench-external`): workers over HTTP against Daphne.

Not a test. Against its own PostgreSQL database (DATABASE_URL, ``.../flowdesk_bench``
from the Makefile; created and migrated if missing) it starts BENCH_TASKS (10,000)
instances of a process whose one step is an external task on one topic, starts Daphne
(production settings, the API's per-token throttle raised for the run) and runs
BENCH_WORKERS (8) worker threads, each with its own token, that fetch and lock batches
of BENCH_BATCH (50) through POST /api/external-tasks/fetch-and-lock and complete each
task. One worker first "crashes": it locks a batch for two seconds and drops it, so
those tasks come back only when their locks expire.

It then checks every task was completed exactly once and none was lost (each instance
completed, one completed external step each, no complete answered twice), that the
dropped batch was handed out again, and prints tasks/s and the p50/p95 of
fetch-and-lock; the table is written to bench/results/external_tasks.md with the
machine's load average, because on a shared box the figure moves with it.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.panel_latency import database_name, ensure_database  # noqa: E402
from tests.support import servers  # noqa: E402

TASKS = int(os.environ.get("BENCH_TASKS", "10000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "8"))
BATCH = int(os.environ.get("BENCH_BATCH", "50"))
LOCK_MS = 60_000
CRASH_LOCK_MS = 2_000
TOPIC = "bench-ship"
PROCESS = "bench_external_tasks"
USERNAME = "bench-external"
RESULTS = ROOT / "bench" / "results" / "external_tasks.md"

BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_bench_ext" targetNamespace="bench">
  <bpmn:process id="{PROCESS}" name="External task bench" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ship"/>
    <bpmn:serviceTask id="ship" name="Ship" camunda:type="external" camunda:topic="{TOPIC}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="ship" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")
    import django

    django.setup()


def prepare() -> tuple[list[str], float]:
    """A fresh process with TASKS waiting instances, and one write token per worker."""
    from django.contrib.auth.models import User

    from api import tokens
    from processes import services
    from processes.models import ProcessDefinition, ProcessInstance

    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"is_staff": True})
    ProcessInstance.objects.filter(definition__code=PROCESS).delete()
    ProcessDefinition.objects.filter(code=PROCESS).delete()
    definition = services.process_import(data=BPMN, user=user)[0].definition
    started = time.perf_counter()
    for _ in range(TASKS):
        services.instance_start(definition=definition, run_now=True)
    seconds = time.perf_counter() - started
    keys = [
        tokens.token_create(user=user, name=f"bench worker {i}", scope="write")[1]
        for i in range(WORKERS)
    ]
    return keys, seconds


class Worker(threading.Thread):
    def __init__(self, number: int, url: str, token: str, crash_first: bool):
        super().__init__(name=f"bench-worker-{number}")
        self.worker_id = f"bench-worker-{number}"
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.crash_first = crash_first
        self.fetch_seconds: list[float] = []
        self.completed: list[int] = []
        self.conflicts = 0
        self.dropped: list[int] = []
        self.errors: list[str] = []

    def fetch(self, lock_ms: int) -> list[dict]:
        body = {
            "worker_id": self.worker_id,
            "max_tasks": BATCH,
            "topics": [{"name": TOPIC, "lock_duration_ms": lock_ms, "variables": []}],
        }
        started = time.perf_counter()
        response = self.session.post(
            f"{self.url}/api/external-tasks/fetch-and-lock", json=body, timeout=120
        )
        self.fetch_seconds.append(time.perf_counter() - started)
        response.raise_for_status()
        return response.json()

    def run(self) -> None:
        try:
            if self.crash_first:
                self.dropped = [task["id"] for task in self.fetch(CRASH_LOCK_MS)]
            empty_since = None
            while True:
                tasks = self.fetch(LOCK_MS)
                if not tasks:
                    # Wait out the dropped batch's locks before deciding the work is done.
                    empty_since = empty_since or time.monotonic()
                    if time.monotonic() - empty_since > CRASH_LOCK_MS / 1000 + 3:
                        return
                    time.sleep(0.2)
                    continue
                empty_since = None
                for task in tasks:
                    response = self.session.post(
                        f"{self.url}/api/external-tasks/{task['id']}/complete",
                        json={"worker_id": self.worker_id, "variables": {"shipped": True}},
                        timeout=120,
                    )
                    if response.status_code == 200:
                        self.completed.append(task["id"])
                    elif response.status_code == 409:
                        self.conflicts += 1
                    else:
                        self.errors.append(f"{response.status_code} {response.text[:200]}")
        except Exception as error:  # reported with the results
            self.errors.append(repr(error))


def check(workers: list[Worker]) -> dict:
    from processes.models import ProcessInstance, Step

    completed = Counter(pk for w in workers for pk in w.completed)
    dropped = {pk for w in workers for pk in w.dropped}
    instances = ProcessInstance.objects.filter(definition__code=PROCESS)
    steps = Step.objects.filter(instance__definition__code=PROCESS, element_id="ship")
    return {
        "completed_calls": sum(completed.values()),
        "twice": sum(1 for n in completed.values() if n > 1),
        "instances_completed": instances.filter(status="completed").count(),
        "instances_open": instances.exclude(status="completed").count(),
        "steps_completed": steps.filter(status="completed").count(),
        "steps_open": steps.exclude(status="completed").count(),
        "dropped": len(dropped),
        "dropped_completed": sum(1 for pk in completed if pk in dropped),
        "conflicts": sum(w.conflicts for w in workers),
        "errors": [e for w in workers for e in w.errors][:5],
    }


def percentile(ordered: list[float], pct: int) -> float:
    return ordered[max(0, -(-pct * len(ordered) // 100) - 1)]


def report(workers, seconds, setup_seconds, facts, load_before, load_after) -> str:
    fetches = sorted(s * 1000 for w in workers for s in w.fetch_seconds)
    ok = (
        facts["completed_calls"] == TASKS
        and facts["twice"] == 0
        and facts["instances_completed"] == TASKS
        and facts["steps_completed"] == TASKS
        and facts["steps_open"] == 0
        and facts["dropped"] > 0
        and facts["dropped_completed"] == facts["dropped"]
        and not facts["errors"]
    )
    lines = [
        "# External tasks: fetch-and-lock and complete over HTTP",
        "",
        f"{TASKS:,} external tasks on one topic, {WORKERS} worker threads fetching batches of "
        f"{BATCH} through POST /api/external-tasks/fetch-and-lock and completing each task, "
        f"against one Daphne + PostgreSQL on {platform.node()} "
        f"({os.cpu_count()} CPUs), Python {platform.python_version()}. One worker dropped "
        f"its first batch ({facts['dropped']} tasks, {CRASH_LOCK_MS // 1000} s locks); "
        "they were handed out again when the locks expired.",
        "",
        f"Load average before / after: {load_before} / {load_after} (shared machine).",
        "",
        "| tasks/s | fetch-and-lock p50 | p95 | fetches | wall time | setup |",
        "|---|---|---|---|---|---|",
        f"| {TASKS / seconds:.1f} | {statistics.median(fetches):.1f} ms "
        f"| {percentile(fetches, 95):.1f} ms | {len(fetches)} | {seconds:.1f} s "
        f"| {setup_seconds:.1f} s to start {TASKS:,} instances |",
        "",
        f"Checks: {'all passed' if ok else 'FAILED'}: {facts['completed_calls']:,} completes "
        f"answered 200, {facts['twice']} tasks completed twice, "
        f"{facts['instances_completed']:,} instances completed ({facts['instances_open']} "
        f"open), {facts['steps_completed']:,} external steps completed "
        f"({facts['steps_open']} open), {facts['dropped_completed']} of "
        f"{facts['dropped']} dropped tasks completed after their locks expired, "
        f"{facts['conflicts']} completes refused with 409.",
        "",
    ]
    if facts["errors"]:
        lines += ["Errors:", "", *[f"- {e}" for e in facts["errors"]], ""]
    return "\n".join(lines), ok


def load() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    name = database_name()
    ensure_database(name)
    setup_django()
    print(f"starting {TASKS:,} instances …", flush=True)
    keys, setup_seconds = prepare()
    env = servers.server_env(
        database_name=name,
        channels_prefix=f"flowdesk-bench-{servers.unique_suffix()}",
        celery_queue=f"flowdesk-bench-{servers.unique_suffix()}",
        settings_module="bpm_project.settings",
        API_REQUESTS_PER_MINUTE="100000000",
    )
    logs = Path(tempfile.mkdtemp(prefix="flowdesk-bench-external-"))
    port = servers.free_port()
    daphne = None
    try:
        daphne = servers.start_daphne(env, port=port, log_path=logs / "daphne.log")
        url = f"http://127.0.0.1:{port}"
        servers.wait_for_http(f"{url}/login/", proc=daphne, timeout=60)
        load_before = load()
        workers = [Worker(i, url, keys[i], crash_first=i == 0) for i in range(WORKERS)]
        print(f"{WORKERS} workers on {url} …", flush=True)
        started = time.perf_counter()
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        seconds = time.perf_counter() - started
        load_after = load()
    finally:
        servers.stop(daphne)
    facts = check(workers)
    text, ok = report(workers, seconds, setup_seconds, facts, load_before, load_after)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
