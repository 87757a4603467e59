"""Lists at production size (`make bench-lists`): server time and queries per list variant.

Builds (once; later runs top up) a database of 100,000 cases with their
activities and 1,000,000 process instances with `manage.py bench_data`,
archives the finished instances older than FLOWDESK_ARCHIVE_AFTER_DAYS, then
asks the real views through Django's test Client, DEBUG off, signed in as an
agent (the Process log, an administrator's page, as an administrator): the
Cases list with every filter and every sort, the agent desktop, the Process
log with every filter and the Activities calendar. Per variant it prints the
queries of one request (they must not grow with rows) and the time that
request spent in SQL, p50 and p95 of the server time over
BENCH_LISTS_REPEAT requests, and the load average beside
them (the machine is shared: a figure means little without it). The goal is
p95 ≤ 150 ms for each; the results go to bench/results/lists.txt too.

    BENCH_LISTS_CASES, BENCH_LISTS_INSTANCES   sizes (100000, 1000000)
    BENCH_LISTS_REPEAT                         requests per variant (10)
    BENCH_LISTS_ONLY                           run only variants whose label contains this
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/flowdesk_bench")
CASES = int(os.environ.get("BENCH_LISTS_CASES", "100000"))
INSTANCES = int(os.environ.get("BENCH_LISTS_INSTANCES", "1000000"))
REPEAT = int(os.environ.get("BENCH_LISTS_REPEAT", "10"))
ONLY = os.environ.get("BENCH_LISTS_ONLY", "")
GOAL_MS = 150.0


def ensure_database(url: str) -> None:
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def variants() -> list[tuple[str, str, str]]:
    """(label, who, url) for every list variant measured."""
    from django.contrib.auth.models import Group

    from cases.models import CasePriority, CaseStatus
    from cases.selectors import CASE_SORTS
    from processes.models import ProcessDefinition

    rows = [
        ("cases: first page", "agent", "/cases/"),
        ("cases: page 500", "agent", "/cases/?page=500"),
    ]
    for status in CaseStatus.objects.order_by("order"):
        rows.append((f"cases: status {status.code}", "agent", f"/cases/?status={status.pk}"))
    for priority in CasePriority.objects.order_by("order"):
        rows.append(
            (f"cases: priority {priority.code}", "agent", f"/cases/?priority={priority.pk}")
        )
    group = Group.objects.get(name="1st line support")
    rows += [
        ("cases: assignee mine", "agent", "/cases/?assignee=mine"),
        ("cases: unassigned", "agent", "/cases/?assignee=unassigned"),
        ("cases: group", "agent", f"/cases/?group={group.pk}"),
        ("cases: overdue", "agent", "/cases/?overdue=1"),
        ("cases: search word", "agent", "/cases/?q=printer"),
        ("cases: search two words", "agent", "/cases/?" + urlencode({"q": "printer vpn"})),
        ("cases: search number", "agent", "/cases/?q=BN-0054321"),
        ("cases: search contact", "agent", "/cases/?" + urlencode({"q": "Nora Chen"})),
        ("cases: search none", "agent", "/cases/?q=zzzqqq"),
        ("cases: mine + status + sort", "agent", "/cases/?assignee=mine&sort=-deadline"),
    ]
    for key in CASE_SORTS:
        for sort in (key, f"-{key}"):
            rows.append((f"cases: sort {sort}", "agent", f"/cases/?sort={sort}"))
    rows.append(("desktop", "agent", "/cases/desktop/"))
    definition = ProcessDefinition.objects.filter(code__startswith="bench_data_").order_by("pk")[3]
    from django.contrib.auth import get_user_model

    owner = get_user_model().objects.get(username="bench-agent-05")
    rows += [
        ("log: no filter", "admin", "/processes/log/"),
        ("log: page 200", "admin", "/processes/log/?page=200"),
        ("log: process", "admin", f"/processes/log/?process={definition.pk}"),
        ("log: started by", "admin", f"/processes/log/?owner={owner.pk}"),
        (
            "log: date range",
            "admin",
            "/processes/log/?started_from=2026-03-01&started_to=2026-03-07",
        ),
        (
            "log: process + status + range",
            "admin",
            f"/processes/log/?process={definition.pk}&status=completed"
            "&started_from=2026-03-01&started_to=2026-03-31",
        ),
    ]
    for status in ("running", "completed", "error", "canceled"):
        rows.append((f"log: status {status}", "admin", f"/processes/log/?status={status}"))
    rows += [
        ("log: include archived", "admin", "/processes/log/?archived=1"),
        ("calendar: month", "agent", "/activities/calendar/?view=month&date=2026-11-15"),
        ("calendar: week", "agent", "/activities/calendar/?view=week&date=2026-11-15"),
        ("calendar: day", "agent", "/activities/calendar/?view=day&date=2026-11-16"),
    ]
    return [row for row in rows if ONLY in row[0]]


def measure(rows) -> list[tuple[str, int, float, float, int]]:
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    User = get_user_model()
    admin, _ = User.objects.get_or_create(
        username="bench-admin", defaults={"is_staff": True, "is_superuser": True}
    )
    clients = {
        "agent": Client(HTTP_HOST="127.0.0.1"),
        "admin": Client(HTTP_HOST="127.0.0.1"),
    }
    clients["agent"].force_login(User.objects.get(username="bench-agent"))
    clients["admin"].force_login(admin)
    results = []
    for label, who, url in rows:
        client = clients[who]
        response = client.get(url)  # warm caches
        assert response.status_code == 200, (url, response.status_code)
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        # Read now: the next request's request_started empties the log they are read from.
        queries = list(captured.captured_queries)
        db_ms = sum(float(q["time"]) for q in queries) * 1000
        timings = []
        for _ in range(REPEAT):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        results.append(
            (label, len(queries), statistics.median(timings), p95, db_ms, len(response.content))
        )
        print(_line(results[-1]), flush=True)
    return results


def _line(row) -> str:
    label, queries, p50, p95, db_ms, size = row
    mark = "" if p95 <= GOAL_MS else "  over goal"
    return (
        f"{label:<32} {queries:>7} {p50:>8.1f} {p95:>8.1f} {db_ms:>8.1f} {size / 1024:>7.0f}{mark}"
    )


def main() -> None:
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    call_command("bench_data", cases=CASES, instances=INSTANCES)
    call_command("archive_instances")  # what beat does hourly: the log's default view is live work
    print(f"data ready in {time.perf_counter() - started:.1f}s")
    load = os.getloadavg()
    header = (
        f"lists at {CASES:,} cases / {INSTANCES:,} instances, {REPEAT} requests each, "
        f"load average {load[0]:.2f} {load[1]:.2f} (cores: {os.cpu_count()}), "
        f"goal p95 ≤ {GOAL_MS:.0f} ms"
    )
    print(header)
    columns = f"{'variant':<32} {'queries':>7} {'p50 ms':>8} {'p95 ms':>8} {'in SQL':>8} {'KiB':>7}"
    print(columns)
    results = measure(variants())
    over = [r for r in results if r[3] > GOAL_MS]
    load = os.getloadavg()
    summary = (
        f"{len(results) - len(over)}/{len(results)} within goal; load average after {load[0]:.2f}"
    )
    print(summary)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "lists.txt").write_text(
        "\n".join([header, columns, *(_line(r) for r in results), summary]) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
