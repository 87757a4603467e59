"""Panel latency (`make bench-panel`): click to fragment in the communication panel.

Not a test. On the full stack, against its own PostgreSQL database (DATABASE_URL,
``.../flowdesk_bench`` from the Makefile; created and migrated if missing) and
REDIS_URL, it starts Daphne and a Celery worker as subprocesses, signs a staff
user in through Chromium, and measures, in the page, the time from clicking
"Send test notification" on the notifications page to the new entry being in
the panel:

    click -> POST (htmx) -> commit -> Celery task queued -> worker creates the
    notification -> after commit, push over the channel layer -> Daphne -> socket
    -> htmx swaps the panel's out-of-band fragments

It prints median, p95, min and max over SAMPLES clicks (after WARMUP untimed ones)
and writes them to bench/results/panel_latency.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support import servers  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "20"))
WARMUP = 3
RESULTS = ROOT / "bench" / "results" / "panel_latency.md"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
USERNAME = "bench-staff"
PASSWORD = "bench-password-not-secret"

MEASURE_JS = """
() => new Promise((resolve, reject) => {
  const first = () => document.querySelector('#notification-list .notice');
  const before = first() ? first().dataset.notificationId : null;
  const button = document.getElementById('send-test-notification');
  let start = 0;
  const observer = new MutationObserver(() => {
    const top = first();
    if (top && top.dataset.notificationId !== before) {
      observer.disconnect();
      resolve(performance.now() - start);
    }
  });
  observer.observe(document.body, {childList: true, subtree: true});
  setTimeout(() => { observer.disconnect(); reject(new Error('no fragment within 15 s')); }, 15000);
  start = performance.now();
  button.click();
})
"""


def database_name() -> str:
    url = os.environ.get("DATABASE_URL")
    if not url or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL and REDIS_URL (make bench-panel does).")
    return urlparse(url).path.lstrip("/")


def ensure_database(name: str) -> None:
    import psycopg
    from psycopg import sql

    url = urlparse(os.environ["DATABASE_URL"])
    admin_url = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True
    )


def ensure_staff_user() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User

    user, _ = User.objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Bench", "last_name": "Staff"}
    )
    user.is_staff = True
    user.set_password(PASSWORD)
    user.save()
    from notifications.services import notifications_mark_all_read

    notifications_mark_all_read(user=user)


def measure(url: str) -> list[float]:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(base_url=url, viewport={"width": 1440, "height": 900})
        page = context.new_page()
        page.goto("/login/?next=/notifications/")
        page.fill("#id_username", USERNAME)
        page.fill("#id_password", PASSWORD)
        page.click(".auth-card button[type=submit]")
        page.wait_for_url("**/notifications/")
        # An attribute check: the page's CSP refuses wait_for_function's string (eval).
        expect(page.locator("body")).to_have_attribute("data-live-state", "connected")
        samples = []
        for i in range(WARMUP + SAMPLES):
            elapsed = page.evaluate(MEASURE_JS)
            if i >= WARMUP:
                samples.append(elapsed)
            page.wait_for_timeout(100)
        browser.close()
    return samples


def report(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, -(-95 * len(ordered) // 100) - 1)]
    lines = [
        "# Panel latency: click to fragment in the panel",
        "",
        f"{len(samples)} samples after {WARMUP} warm-up clicks; Daphne + Celery worker "
        f"(solo pool) + PostgreSQL + Redis on {platform.node()}, Python "
        f"{platform.python_version()}.",
        "",
        "| median | p95 | min | max |",
        "|---|---|---|---|",
        f"| {statistics.median(ordered):.1f} ms | {p95:.1f} ms | {ordered[0]:.1f} ms "
        f"| {ordered[-1]:.1f} ms |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    name = database_name()
    ensure_database(name)
    ensure_staff_user()
    suffix = servers.unique_suffix()
    env = servers.server_env(
        database_name=name,
        channels_prefix=f"flowdesk-bench-{suffix}",
        celery_queue=f"flowdesk-bench-{suffix}",
        settings_module="bpm_project.settings",
    )
    logs = Path(tempfile.mkdtemp(prefix="flowdesk-bench-"))
    port = servers.free_port()
    daphne = worker = None
    try:
        daphne = servers.start_daphne(env, port=port, log_path=logs / "daphne.log")
        worker = servers.start_celery_worker(env, log_path=logs / "worker.log")
        url = f"http://127.0.0.1:{port}"
        servers.wait_for_http(f"{url}/login/", proc=daphne)
        servers.wait_for_log(worker, "ready.", timeout=60)
        samples = measure(url)
    finally:
        servers.stop(daphne)
        servers.stop(worker)
    text = report(samples)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
