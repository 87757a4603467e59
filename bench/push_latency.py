"""Push latency (`make bench-push`): a step page's submit to the next step page shown.

Not a test. On the full stack, against its own PostgreSQL database (DATABASE_URL,
``.../flowdesk_bench`` from the Makefile; created and migrated if missing) and
REDIS_URL, it starts Daphne and a Celery worker as subprocesses, signs a user in
through Chromium and runs a process whose two foreground Question steps follow
each other in a loop. Each sample is measured in the page, from clicking "Answer"
in the open step dialog to the next step's page being shown, loaded, in the dialog:

    click -> POST (htmx) -> step_complete in one transaction -> commit ->
    step_activated -> push of the next dialog over the channel layer -> socket ->
    queued behind the current dialog -> the POST's answer closes the current one ->
    the next dialog opens and GETs its page -> form shown

It prints p50, p95, min and max over SAMPLES submits (after WARMUP untimed ones)
and writes them to bench/results/push_latency.md.

Then, under load: BENCH_PUSH_USERS (50) users, each signed in with a live
socket open (bench/sockets.py's client) and a step page of their own open (GET
before the start), POST their step's answer to Daphne at once; per user, from the POST to their next
step's entry arriving on their socket, measured by this process, over
BENCH_PUSH_ROUNDS rounds; beside it the same with one user at a time.
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

from bench.panel_latency import CHROMIUM_ARGS, database_name, ensure_database  # noqa: E402
from tests.support import servers  # noqa: E402

SAMPLES = int(os.environ.get("BENCH_SAMPLES", "50"))
LOAD_USERS = int(os.environ.get("BENCH_PUSH_USERS", "50"))
LOAD_ROUNDS = int(os.environ.get("BENCH_PUSH_ROUNDS", "4"))
# The worker as docker-compose.yml runs it (a prefork pool), one process per core here.
WORKER_PROCESSES = int(os.environ.get("BENCH_WORKER_PROCESSES", str(os.cpu_count() or 2)))
LOAD_PROCESS = "bench_push_load"
LOAD_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:flowdesk="https://flowdesk.dev/bpmn" id="d_load" targetNamespace="bench">
  <bpmn:process id="{LOAD_PROCESS}" name="Push under load" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
    <bpmn:userTask id="first" name="First" flowdesk:page="question" flowdesk:answers="Next"
                   flowdesk:background="true"/>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
    <bpmn:userTask id="second" name="Second" flowdesk:page="question" flowdesk:answers="Next"
                   flowdesk:background="true"/>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="first"/>
  </bpmn:process>
</bpmn:definitions>
"""
WARMUP = 5
RESULTS = ROOT / "bench" / "results" / "push_latency.md"
USERNAME = "bench-owner"
PASSWORD = "bench-password-not-secret"
PROCESS = "bench_push_loop"

BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:flowdesk="https://flowdesk.dev/bpmn" id="d_bench" targetNamespace="bench">
  <bpmn:process id="{PROCESS}" name="Push latency loop" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="first"/>
    <bpmn:userTask id="first" name="First page" flowdesk:page="question"
                   flowdesk:answers="Next" flowdesk:owner="{USERNAME}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="first" targetRef="second"/>
    <bpmn:userTask id="second" name="Second page" flowdesk:page="question"
                   flowdesk:answers="Next" flowdesk:owner="{USERNAME}"/>
    <bpmn:sequenceFlow id="f3" sourceRef="second" targetRef="first"/>
  </bpmn:process>
</bpmn:definitions>
"""

MEASURE_JS = """
() => new Promise((resolve, reject) => {
  const current = document.querySelector('dialog.step-dialog[open]');
  const key = current.dataset.stepKey;
  let start = 0;
  const shown = () => {
    const open = document.querySelector('dialog.step-dialog[open]');
    return open && open.dataset.stepKey !== key && open.querySelector('form.step-form');
  };
  const observer = new MutationObserver(() => {
    if (shown()) { observer.disconnect(); resolve(performance.now() - start); }
  });
  observer.observe(document.body, {childList: true, subtree: true, attributes: true});
  setTimeout(() => { observer.disconnect(); reject(new Error('no next page in 15 s')); }, 15000);
  current.querySelector('.answer-option input').click();
  start = performance.now();
  current.querySelector('.step-actions .button-primary').click();
})
"""


def setup_django(channels_prefix: str) -> None:
    # This process starts the instance: its push must reach the bench servers' layer.
    os.environ["CHANNELS_PREFIX"] = channels_prefix
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")
    import django

    django.setup()


def ensure_user_and_process():
    from django.contrib.auth.models import User

    from processes import services
    from processes.models import ProcessDefinition, ProcessInstance

    user, _ = User.objects.get_or_create(
        username=USERNAME, defaults={"first_name": "Bench", "last_name": "Owner"}
    )
    user.set_password(PASSWORD)
    user.save()
    if not ProcessDefinition.objects.filter(code=PROCESS).exists():
        services.process_import(data=BPMN, user=user)
    for instance_id in ProcessInstance.objects.filter(
        definition__code=PROCESS, status="running"
    ).values_list("pk", flat=True):
        services.instance_cancel(instance_id=instance_id)
    return user


def measure(url: str, user) -> list[float]:
    from playwright.sync_api import expect, sync_playwright

    from processes import services

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto("/login/?next=/contacts/")
        page.fill("#id_username", USERNAME)
        page.fill("#id_password", PASSWORD)
        page.click(".auth-card button[type=submit]")
        page.wait_for_url("**/contacts/")
        # An attribute check: the page's CSP refuses wait_for_function's string (eval).
        expect(page.locator("body")).to_have_attribute("data-live-state", "connected")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop, this thread
        instance = services.instance_start(code=PROCESS, user=user, run_now=True)
        page.wait_for_selector("dialog.step-dialog[open] form.step-form", timeout=15000)
        samples = []
        try:
            for i in range(WARMUP + SAMPLES):
                elapsed = page.evaluate(MEASURE_JS)
                if i >= WARMUP:
                    samples.append(elapsed)
                page.wait_for_timeout(50)
        finally:
            services.instance_cancel(instance_id=instance.pk)
            browser.close()
    return samples


def _open_step(url: str, cookie: str) -> tuple[str, bytes, dict]:
    """GET the step page as its owner has it open: its form's answer, ready to POST."""
    import re
    import urllib.parse
    import urllib.request

    get = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310 - ours
    page = urllib.request.urlopen(get)  # noqa: S310
    html = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    csrf_cookie = re.search(r"csrftoken=([^;]+)", page.headers.get("Set-Cookie", "") or "")
    cookies = cookie + (f"; csrftoken={csrf_cookie.group(1)}" if csrf_cookie else "")
    radio = re.search(r'<input[^>]*type="radio"[^>]*name="([^"]*answer)"[^>]*>', html)
    answer = re.search(r'value="([^"]*)"', radio.group(0)).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, radio.group(1): answer}).encode()
    return url, body, {"Cookie": cookies, "Referer": url, "HX-Request": "true"}


def _post_answer(opened: tuple[str, bytes, dict]) -> float:
    """POST the answer of an open step page; returns when the POST began."""
    import urllib.error
    import urllib.request

    url, body, headers = opened
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - ours
    started = time.perf_counter()
    try:
        urllib.request.urlopen(request).read()  # noqa: S310
    except urllib.error.HTTPError as refused:
        text = refused.read().decode(errors="replace")
        raise RuntimeError(f"{url} refused the answer ({refused.code}): {text[:2000]}") from None
    return started


def under_load(port: int) -> list[str]:
    """Push latency with LOAD_USERS users completing steps at once, and one at a time."""
    import asyncio
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.contrib.auth.models import User
    from django.db import close_old_connections
    from django.db.models import Max
    from django.urls import reverse

    from bench.sockets import Client, sessions
    from processes import services
    from processes.models import ProcessDefinition, Step

    if not ProcessDefinition.objects.filter(code=LOAD_PROCESS).exists():
        services.process_import(data=LOAD_BPMN)
    users = sessions(LOAD_USERS)
    instances = {}
    for user_id, _key in users:
        user = User.objects.get(pk=user_id)
        instances[user_id] = services.instance_start(code=LOAD_PROCESS, user=user, run_now=True)
    base = f"http://127.0.0.1:{port}"

    async def scenario():
        from django.conf import settings

        clients = {
            user_id: Client(port, f"{settings.SESSION_COOKIE_NAME}={key}") for user_id, key in users
        }
        for client in clients.values():
            await client.connect()
        readers = [asyncio.create_task(c.read_frames()) for c in clients.values()]
        results = {"alone": [], "together": []}
        pool = ThreadPoolExecutor(max_workers=len(users))

        def targets():
            """Each user's waiting step (read here, once: the posting threads touch no
            database) and the entry its next step will push."""
            close_old_connections()
            found = {}
            for user_id, instance in instances.items():
                number = Step.objects.filter(instance=instance).aggregate(n=Max("number"))["n"]
                watched = f"process-task-{instance.pk}-{number + 1}"
                clients[user_id].watch.add(watched)
                found[user_id] = (
                    watched,
                    reverse("processes:step-page", args=[instance.pk, number]),
                )
            return found

        def one(user_id, barrier=None):
            # Each user has their step page open (GET first), then all answer at once.
            watched, path = current[user_id]
            opened = _open_step(base + path, clients[user_id].cookie)
            if barrier is not None:
                barrier.wait()
            return watched, _post_answer(opened)

        for mode in ("alone", "together"):
            for _round in range(LOAD_ROUNDS if mode == "together" else 1):
                current = await asyncio.to_thread(targets)
                if mode == "alone":
                    sent = [await asyncio.to_thread(one, u) for u, _ in users[:20]]
                else:
                    # A thread per user (the default pool has a handful), released together.
                    barrier = threading.Barrier(len(users), timeout=120)
                    loop = asyncio.get_running_loop()
                    sent = await asyncio.gather(
                        *(loop.run_in_executor(pool, one, u, barrier) for u, _ in users)
                    )
                for watched, started in sent:
                    client = next(c for c in clients.values() if watched in c.watch)
                    deadline = time.perf_counter() + 30
                    while watched not in client.received and time.perf_counter() < deadline:
                        await asyncio.sleep(0.005)
                    if watched in client.received:
                        results[mode].append((client.received[watched] - started) * 1000)
        for client in clients.values():
            client.drop()
        await asyncio.gather(*readers)
        return results

    results = asyncio.run(scenario())
    load = os.getloadavg()[0]
    lines = [
        f"## Under load: {LOAD_USERS} users completing steps at once, load {load:.2f}",
        "",
        f"One Daphne, one worker with {WORKER_PROCESSES} processes (BENCH_WORKER_PROCESSES).",
        "",
    ]
    lines += ["| | samples | p50 | p95 | max |", "|---|---|---|---|---|"]
    for mode, samples in results.items():
        ordered = sorted(samples)
        if not ordered:
            lines.append(f"| {mode} | 0 | - | - | - |")
            continue
        lines.append(
            f"| {mode} | {len(ordered)} | {statistics.median(ordered):.0f} ms "
            f"| {percentile(ordered, 95):.0f} ms | {ordered[-1]:.0f} ms |"
        )
    lines += [
        "",
        "From the POST of a step's answer to the next step's entry on the owner's socket "
        "(server side, not the browser's paint). Goal: p50 <= 100 ms, p95 <= 250 ms under load.",
        "",
    ]
    return lines


def percentile(ordered: list[float], pct: int) -> float:
    return ordered[max(0, -(-pct * len(ordered) // 100) - 1)]


def report(samples: list[float]) -> str:
    ordered = sorted(samples)
    lines = [
        "# Push latency: a step page's submit to the next step page shown",
        "",
        f"{len(samples)} samples after {WARMUP} warm-up submits; Daphne + Celery worker "
        f"({WORKER_PROCESSES} processes) + PostgreSQL + Redis on {platform.node()}, Python "
        f"{platform.python_version()}. Goal: p50 <= 60 ms, p95 <= 150 ms.",
        "",
        "| p50 | p95 | min | max |",
        "|---|---|---|---|",
        f"| {statistics.median(ordered):.1f} ms | {percentile(ordered, 95):.1f} ms "
        f"| {ordered[0]:.1f} ms | {ordered[-1]:.1f} ms |",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    name = database_name()
    ensure_database(name)
    suffix = servers.unique_suffix()
    prefix = f"flowdesk-bench-{suffix}"
    setup_django(prefix)
    user = ensure_user_and_process()
    env = servers.server_env(
        database_name=name,
        channels_prefix=prefix,
        celery_queue=f"flowdesk-bench-{suffix}",
        settings_module="bpm_project.settings",
    )
    logs = Path(tempfile.mkdtemp(prefix="flowdesk-bench-"))
    port = servers.free_port()
    daphne = worker = None
    try:
        daphne = servers.start_daphne(env, port=port, log_path=logs / "daphne.log")
        worker = servers.start_celery_worker(
            env, log_path=logs / "worker.log", concurrency=WORKER_PROCESSES
        )
        url = f"http://127.0.0.1:{port}"
        servers.wait_for_http(f"{url}/login/", proc=daphne)
        servers.wait_for_log(worker, "ready.", timeout=60)
        samples = [] if os.environ.get("BENCH_PUSH_ONLY_LOAD") else measure(url, user)
        load_lines = under_load(port)
    finally:
        servers.stop(daphne)
        servers.stop(worker)
    text = (report(samples) if samples else "") + "\n".join(load_lines)
    print(text)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(text)


if __name__ == "__main__":
    main()
