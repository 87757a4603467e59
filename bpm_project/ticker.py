"""Embedded mode's stand-in for Celery beat: a daemon thread in the web process.

It runs the same periodic tasks as beat (settings.FLOWDESK_PERIODIC_JOBS),
each in-process through Celery's eager `apply()`.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from bpm_project import heartbeat
from bpm_project.celery import app, register_all_tasks

logger = logging.getLogger(__name__)
_started = threading.Event()


def start() -> None:
    if _started.is_set():
        return
    _started.set()
    register_all_tasks()
    threading.Thread(target=_loop, name="flowdesk-ticker", daemon=True).start()


def run_job(name: str):
    """Run one periodic job in this process; a failing job is logged, never raised."""
    close_old_connections()
    if name == heartbeat.HEARTBEAT_TASK:
        heartbeat.record("beat")  # the ticker is this process's beat
    try:
        return app.tasks[name].apply().get(propagate=True)
    except Exception:
        logger.exception("periodic job %s failed", name)
        return None


def run_all_once() -> dict:
    """Run every periodic job once, in settings order: what the ticker does on its first pass."""
    register_all_tasks()
    return {name: run_job(name) for name in settings.FLOWDESK_PERIODIC_JOBS}


def _loop() -> None:
    jobs = dict(settings.FLOWDESK_PERIODIC_JOBS)
    next_run = dict.fromkeys(jobs, 0.0)
    while True:
        now = time.monotonic()
        for name, every in jobs.items():
            if now >= next_run[name]:
                next_run[name] = now + every
                run_job(name)
        time.sleep(0.5)
