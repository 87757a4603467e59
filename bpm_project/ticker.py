"""Embedded mode's stand-in for Celery beat: a daemon thread in the web process.

It runs the same periodic tasks as beat (settings.FLOWDESK_PERIODIC_JOBS),
each in-process through Celery's eager `apply()`.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections

from bpm_project.celery import app

logger = logging.getLogger(__name__)
_started = threading.Event()


def start() -> None:
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_loop, name="flowdesk-ticker", daemon=True).start()


def _loop() -> None:
    jobs = dict(settings.FLOWDESK_PERIODIC_JOBS)
    next_run = dict.fromkeys(jobs, 0.0)
    while True:
        now = time.monotonic()
        for name, every in jobs.items():
            if now >= next_run[name]:
                next_run[name] = now + every
                close_old_connections()
                try:
                    app.tasks[name].apply()
                except Exception:
                    logger.exception("periodic job %s failed", name)
        time.sleep(0.5)
