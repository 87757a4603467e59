"""Pool or no pool (`make bench-pool`): push latency and list pages under 1 and 20 clients.

Not a test. Against its own PostgreSQL database (DATABASE_URL; created, migrated and
filled with `manage.py bench_data` if needed) and REDIS_URL, it starts a Daphne and a
Celery worker (subprocesses, DEBUG off, bpm_project.settings unchanged) for each mode on the
same data: once with psycopg's pool (DB_POOL=1, the default: CONN_MAX_AGE=0 and
DB_POOL_MIN/MAX from the environment) and once without (DB_POOL=0: one persistent
connection per thread, CONN_MAX_AGE=600, as before issue 19). Against each it measures,
under 1 client and under BENCH_POOL_CLIENTS (20) clients at once:

- push: a signed-in user with a live socket POSTs a step's answer; from the POST to
  the next step's entry arriving on that user's socket (bench/push_latency.py's load
  measurement). With one client the next POST waits for the push before it.
- lists: GET the Cases list (as an agent) and the Process log (as an administrator);
  from the request to the last byte of the answer, on localhost: the server's time,
  including any wait for a thread or a database connection.

Beside each run: the most PostgreSQL connections Daphne and the worker held at once, and
how many were still open at its end. It prints p50/p95 per measurement for each and the
ratio (no pool / pool: above 1 the pool is faster), with the load average beside each run
(the machine may be shared: a figure means little without it), and writes
bench/results/pool.md.

    BENCH_POOL_CLIENTS     concurrent clients of the second series (20)
    BENCH_POOL_REQUESTS    list requests per client count, page and run (100)
    BENCH_POOL_ROUNDS      push rounds per client count and run (5; one answer per user each)
    BENCH_POOL_CASES, BENCH_POOL_INSTANCES   bench_data sizes (20000, 100000)
    BENCH_POOL_SERVER_URL  the servers' DATABASE_URL, if not this process's (a role with a
                           CONNECTION LIMIT keeps a shared PostgreSQL usable)
    BENCH_POOL_ORDER       the runs, in order (pool,no pool,no pool,pool); samples of a mode
                           are pooled over its runs
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.panel_latency import database_name, ensure_database  # noqa: E402
from bench.push_latency import (  # noqa: E402
    LOAD_BPMN,
    LOAD_PROCESS,
    _open_step,
    _post_answer,
    setup_django,
)
from bench.sockets import Client, sessions  # noqa: E402
from tests.support import servers  # noqa: E402

CLIENTS = int(os.environ.get("BENCH_POOL_CLIENTS", "20"))
REQUESTS = int(os.environ.get("BENCH_POOL_REQUESTS", "100"))
ROUNDS = int(os.environ.get("BENCH_POOL_ROUNDS", "5"))
CASES = int(os.environ.get("BENCH_POOL_CASES", "20000"))
INSTANCES = int(os.environ.get("BENCH_POOL_INSTANCES", "100000"))
RESULTS = ROOT / "bench" / "results" / "pool.md"
MODES = {"pool": {"DB_POOL": "1"}, "no pool": {"DB_POOL": "0", "CONN_MAX_AGE": "600"}}
PAGES = [("Cases list", "agent", "/cases/"), ("Process log", "admin", "/processes/log/")]


def percentile(ordered: list[float], pct: int) -> float:
    return ordered[max(0, -(-pct * len(ordered) // 100) - 1)]


def prepare() -> dict:
    """The data both runs share, and the sessions their clients use."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from processes import services
    from processes.models import ProcessDefinition

    call_command("bench_data", cases=CASES, instances=INSTANCES)
    User = get_user_model()
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if not ProcessDefinition.objects.filter(code=LOAD_PROCESS).exists():
        services.process_import(data=LOAD_BPMN)
    users = sessions(CLIENTS)
    instances = {}
    for user_id, _key in users:
        instances[user_id] = services.instance_start(
            code=LOAD_PROCESS, user=User.objects.get(pk=user_id), run_now=True
        )
    return {
        "agent": session_cookie(User.objects.get(username="bench-agent")),
        "admin": session_cookie(admin),
        "push users": users,
        "instances": instances,
    }


def session_cookie(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def get_ms(url: str, cookie: str) -> float | None:
    """Milliseconds to the last byte of a 200, or None: the request failed (counted)."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - ours
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            response.read()
    except urllib.error.HTTPError as failed:
        failed.read()
        return None
    except OSError:  # no answer within 60 s, or the connection refused
        return None
    return (time.perf_counter() - started) * 1000


def answer(url: str, cookie: str) -> float | None:
    """When the POST of a step's answer began, or None: the server failed it (counted)."""
    try:
        return _post_answer(_open_step(url, cookie))
    except (RuntimeError, OSError):  # the POST refused, or the GET before it
        return None


def lists(port: int, data: dict) -> dict:
    """Per page and client count: the milliseconds of REQUESTS GETs."""
    out = {}
    for label, who, path in PAGES:
        url = f"http://127.0.0.1:{port}{path}"
        for _ in range(3):  # warm the server's caches and threads
            get_ms(url, data[who])
        for clients in (1, CLIENTS):
            barrier = threading.Barrier(clients, timeout=120)

            def client(share, url=url, cookie=data[who], barrier=barrier):
                barrier.wait()
                return [get_ms(url, cookie) for _ in range(share)]

            shares = [REQUESTS // clients + (i < REQUESTS % clients) for i in range(clients)]
            with ThreadPoolExecutor(max_workers=clients) as threads:
                samples = [ms for run in threads.map(client, shares) for ms in run]
            out[(label, clients)] = samples
    return out


def push(port: int, data: dict) -> dict:
    """Per client count: from a step answer's POST to the next step on the owner's socket."""
    from django.conf import settings
    from django.db import close_old_connections
    from django.db.models import Max
    from django.urls import reverse

    from processes.models import Step

    users = data["push users"]
    base = f"http://127.0.0.1:{port}"

    async def scenario():
        clients = {
            user_id: Client(port, f"{settings.SESSION_COOKIE_NAME}={key}") for user_id, key in users
        }
        for socket_client in clients.values():
            await socket_client.connect()
        readers = [asyncio.create_task(c.read_frames()) for c in clients.values()]
        executor = ThreadPoolExecutor(max_workers=len(users))
        loop = asyncio.get_running_loop()

        def targets():
            close_old_connections()
            found = {}
            for user_id, instance in data["instances"].items():
                number = Step.objects.filter(instance=instance).aggregate(n=Max("number"))["n"]
                watched = f"process-task-{instance.pk}-{number + 1}"
                clients[user_id].watch.add(watched)
                found[user_id] = (
                    watched,
                    reverse("processes:step-page", args=[instance.pk, number]),
                )
            return found

        async def arrival(user_id, watched, started):
            if started is None:
                return None
            client = clients[user_id]
            deadline = time.perf_counter() + 30
            while watched not in client.received and time.perf_counter() < deadline:
                await asyncio.sleep(0.002)
            if watched not in client.received:
                return None  # no push within 30 s: counted as a failure
            return (client.received[watched] - started) * 1000

        # One untimed answer per user first: the first push of a process is the slowest.
        current = await asyncio.to_thread(targets)
        for user_id, _key in users:
            watched, path = current[user_id]
            started = await asyncio.to_thread(answer, base + path, clients[user_id].cookie)
            await arrival(user_id, watched, started)
        results = {}
        for count in (1, len(users)):
            samples = []
            for _round in range(ROUNDS):
                current = await asyncio.to_thread(targets)
                if count == 1:
                    for user_id, _key in users:
                        watched, path = current[user_id]
                        started = await asyncio.to_thread(
                            answer, base + path, clients[user_id].cookie
                        )
                        samples.append(await arrival(user_id, watched, started))
                else:
                    barrier = threading.Barrier(len(users), timeout=120)

                    def one(user_id, barrier=barrier, current=current):
                        watched, path = current[user_id]
                        barrier.wait()
                        return user_id, watched, answer(base + path, clients[user_id].cookie)

                    sent = await asyncio.gather(
                        *(loop.run_in_executor(executor, one, u) for u, _ in users)
                    )
                    samples += [await arrival(*row) for row in sent]
            results[count] = samples
        for socket_client in clients.values():
            socket_client.drop()
        await asyncio.gather(*readers)
        executor.shutdown()
        return results

    return asyncio.run(scenario())


class ConnectionCount(threading.Thread):
    """The most connections to the bench database seen at once, sampled every 100 ms over a
    connection of its own (less the ones open before the servers started)."""

    def __init__(self, name: str):
        super().__init__(daemon=True)
        self.conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        self.name, self.stop, self.peak = name, threading.Event(), 0
        self.baseline = self.count()

    def count(self) -> int:
        query = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        )
        return self.conn.execute(query, [self.name]).fetchone()[0]

    def run(self) -> None:
        while not self.stop.wait(0.1):
            self.peak = max(self.peak, self.count() - self.baseline)

    def finish(self) -> tuple[int, int]:
        """(peak during the run, still open at its end), the servers' connections."""
        self.stop.set()
        self.join()
        at_end = self.count() - self.baseline
        self.conn.close()
        return self.peak, at_end


def run_mode(mode: str, name: str, prefix: str, suffix: str, data: dict, logs: Path) -> dict:
    env = servers.server_env(
        database_name=name,
        channels_prefix=prefix,
        celery_queue=f"flowdesk-bench-pool-{suffix}",
        settings_module="bpm_project.settings",
        **MODES[mode],
    )
    if os.environ.get("BENCH_POOL_SERVER_URL"):
        # The servers' own login, e.g. a role with a CONNECTION LIMIT: without the pool one
        # Daphne under 20 clients took 95 of a shared server's 100 connections.
        env["DATABASE_URL"] = os.environ["BENCH_POOL_SERVER_URL"]
    port = servers.free_port()
    daphne = worker = None
    load_before = os.getloadavg()
    connections = ConnectionCount(name)
    try:
        slug = mode.replace(" ", "-")
        daphne = servers.start_daphne(env, port=port, log_path=logs / f"daphne-{slug}.log")
        worker = servers.start_celery_worker(env, log_path=logs / f"worker-{slug}.log")
        servers.wait_for_http(f"http://127.0.0.1:{port}/login/", proc=daphne)
        servers.wait_for_log(worker, "ready.", timeout=60)
        connections.start()
        measured = {("push", count): ms for count, ms in push(port, data).items()}
        measured.update(lists(port, data))
        peak, at_end = connections.finish()
    finally:
        servers.stop(daphne)
        servers.stop(worker)
    return {
        "samples": measured,
        "load": (load_before, os.getloadavg()),
        "connections": (peak, at_end),
    }


def summary(samples: list[float | None]) -> str:
    """p50 | p95 | failures, over the requests that succeeded."""
    ordered = sorted(ms for ms in samples if ms is not None)
    failed = len(samples) - len(ordered)
    if not ordered:
        return f"- | - | {failed}"
    return f"{statistics.median(ordered):.0f} ms | {percentile(ordered, 95):.0f} ms | {failed}"


def ratio(pool: list, plain: list, pct: int) -> str:
    pool = sorted(ms for ms in pool if ms is not None)
    plain = sorted(ms for ms in plain if ms is not None)
    if not pool or not plain:
        return "-"
    return f"{percentile(plain, pct) / percentile(pool, pct):.2f}"


def report(runs: dict, started: str) -> str:
    lines = [
        "# Pool or no pool: push latency and list pages under Daphne",
        "",
        f"{started}; {CASES:,} cases / {INSTANCES:,} instances (bench_data); one Daphne and one "
        f"Celery worker (solo) per run, on {os.cpu_count()} cores. pool: DB_POOL=1 "
        f"(min {os.environ.get('DB_POOL_MIN', '2')}, max {os.environ.get('DB_POOL_MAX', '10')}), "
        "CONN_MAX_AGE=0; no pool: DB_POOL=0, CONN_MAX_AGE=600. Push: from a step answer's POST "
        f"to the next step on the owner's socket, {ROUNDS} rounds of one answer per user per run. "
        f"Lists: {REQUESTS} GETs per row and run, request to last byte on localhost. "
        "Samples of a mode are pooled over its runs.",
        "",
    ]
    for mode, run in runs.items():
        for before, after, (peak, at_end) in run["load"]:
            lines.append(
                f"- {mode}: load average {before[0]:.2f} {before[1]:.2f} {before[2]:.2f} before, "
                f"{after[0]:.2f} {after[1]:.2f} {after[2]:.2f} after (cat /proc/loadavg); "
                f"PostgreSQL connections of Daphne + worker: at most {peak} at once, "
                f"{at_end} still open at the end"
            )
    lines += [
        "",
        "| measurement | clients | requests | pool p50 | pool p95 | pool failed | no pool p50 "
        "| no pool p95 | no pool failed | ratio p50 | ratio p95 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    pool, plain = runs["pool"]["samples"], runs["no pool"]["samples"]
    for key in pool or plain:  # BENCH_POOL_ORDER may have run one mode only
        label, clients = key
        one, other = pool.get(key, []), plain.get(key, [])
        lines.append(
            f"| {label} | {clients} | {max(len(one), len(other))} | {summary(one)} "
            f"| {summary(other)} | {ratio(one, other, 50)} | {ratio(one, other, 95)} |"
        )
    lines += [
        "",
        "ratio = no pool / pool over the requests that succeeded: above 1 the pool is faster. "
        'failed: answered 5xx (e.g. PostgreSQL\'s "too many clients") or, for push, no next '
        f"step on the socket within 30 s. PostgreSQL max_connections here: {max_connections()}, "
        "shared with every other database on the server.",
        "",
    ]
    return "\n".join(lines)


def max_connections() -> str:
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn:
        return conn.execute("SHOW max_connections").fetchone()[0]


def main() -> None:
    name = database_name()
    ensure_database(name)
    suffix = servers.unique_suffix()
    prefix = f"flowdesk-bench-pool-{suffix}"
    setup_django(prefix)
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    data = prepare()
    print(f"data ready; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    logs = Path(tempfile.mkdtemp(prefix="flowdesk-bench-pool-"))
    # Pool, no pool, no pool, pool: a load that drifts during the run weighs on both alike.
    order = os.environ.get("BENCH_POOL_ORDER", "pool,no pool,no pool,pool").split(",")
    runs = {mode: {"samples": {}, "load": []} for mode in MODES}
    for mode in order:
        run = run_mode(mode, name, prefix, suffix, data, logs)
        for key, samples in run["samples"].items():
            runs[mode]["samples"].setdefault(key, []).extend(samples)
        runs[mode]["load"].append(run["load"] + (run["connections"],))
        print(f"{mode}: done", flush=True)
    text = report(runs, started)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
