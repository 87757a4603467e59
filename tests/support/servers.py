"""Start and stop the real servers tests talk to: Daphne and a Celery worker.

Both run as subprocesses against the test database, with their own channel-layer
prefix and Celery queue so parallel test sessions on one Redis never cross.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def unique_suffix() -> str:
    return f"{os.getpid()}-{uuid.uuid4().hex[:8]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(
    *,
    database_name,
    channels_prefix,
    celery_queue,
    settings_module="tests.support.server_settings",
    **extra,
) -> dict:
    """The environment for a server process pointed at the test database.

    Tests use server_settings (production settings plus a content-type cache reset
    for long-lived servers); benchmarks pass bpm_project.settings unchanged."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database_name}",
        REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CHANNELS_PREFIX=channels_prefix,
        CELERY_QUEUE=celery_queue,
        SECURE_COOKIES="0",
        PYTHONUNBUFFERED="1",
        DJANGO_SETTINGS_MODULE=settings_module,
        **extra,
    )
    return env


def _spawn(args, env, log_path):
    log = open(log_path, "wb")  # noqa: SIM115 - closed when the process is stopped
    proc = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    proc.log_file = log
    proc.log_path = log_path
    return proc


def start_daphne(env, *, port, log_path) -> subprocess.Popen:
    return _spawn(
        [
            str(VENV_BIN / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "bpm_project.asgi:application",
        ],
        env,
        log_path,
    )


def start_celery_worker(env, *, log_path, concurrency: int = 0) -> subprocess.Popen:
    """A worker on the env's queue: one process (solo), or with `concurrency` a prefork
    pool of that many, as docker-compose.yml runs it."""
    pool = ["--pool=prefork", f"--concurrency={concurrency}"] if concurrency else ["--pool=solo"]
    return _spawn(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "bpm_project",
            "worker",
            *pool,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-Q",
            env["CELERY_QUEUE"],
            "--loglevel=INFO",
            "-n",
            f"{env['CELERY_QUEUE']}@%h",
        ],
        env,
        log_path,
    )


def wait_for_http(url, *, proc, timeout=30.0):
    """Wait until the server answers anything at all over HTTP."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early:\n{read_log(proc)}")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer in {timeout}s:\n{read_log(proc)}")


def wait_for_log(proc, text, *, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in read_log(proc):
            return
        if proc.poll() is not None:
            raise RuntimeError(f"process exited early:\n{read_log(proc)}")
        time.sleep(0.1)
    raise TimeoutError(f"{text!r} not logged in {timeout}s:\n{read_log(proc)}")


def read_log(proc) -> str:
    with contextlib.suppress(OSError):
        return Path(proc.log_path).read_text(errors="replace")
    return ""


def stop(proc, *, timeout=10.0):
    """Stop one process we started (by its own id), then its leftovers."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        # Anything the process forked into its own session (it is the leader).
        os.killpg(proc.pid, signal.SIGKILL)
    proc.log_file.close()


def wait_until(predicate, *, timeout=30.0, interval=0.1, message="the condition"):
    """Poll `predicate` until it is true; fail after `timeout` seconds naming what was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {message}")
