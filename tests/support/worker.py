"""A real Celery worker process for tests about the worker."""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def server_env(**extra) -> dict:
    """Environment for a server subprocess that uses the test database."""
    settings = connection.settings_dict
    env = dict(os.environ)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(
        DATABASE_URL=(
            f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
            f"{settings['PORT'] or 5432}/{settings['NAME']}"
        ),
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextmanager
def celery_worker(queue: str | None = None, log_path: Path | None = None, **env_extra):
    """Start `celery worker` on its own queue; yields (process, queue); stops it by PID."""
    queue = queue or f"test-{uuid.uuid4().hex[:8]}"
    proc = start_worker(queue, log_path, **env_extra)
    try:
        yield proc, queue
    finally:
        stop(proc)


def start_worker(queue: str, log_path: Path | None = None, **env_extra) -> subprocess.Popen:
    log = open(log_path or os.devnull, "ab")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "celery", "-A", "bpm_project", "worker",
            "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
            "-Q", queue, "--loglevel=WARNING", "-n", f"{queue}@%h",
        ],
        cwd=ROOT,
        env=server_env(CELERY_QUEUE=queue, **env_extra),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return proc


def stop(proc: subprocess.Popen, sig=signal.SIGTERM, timeout=10) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


def wait_until(predicate, timeout=30.0, interval=0.1, message="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
