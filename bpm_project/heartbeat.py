"""Heartbeats: /healthz tells an operator when the worker last ran a task and beat
last sent one.

Beat sends `flowdesk.heartbeat` every HEARTBEAT_SECONDS: the process that publishes
it (beat) records "beat", the worker that runs it records "worker". Embedded, the
in-process ticker is both. Timestamps live in the cache (Redis on the full stack).
"""

from datetime import datetime

from celery import shared_task
from celery.signals import before_task_publish
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_TASK = "flowdesk.heartbeat"
ROLES = ("worker", "beat")


def record(role: str) -> None:
    cache.set(f"flowdesk:heartbeat:{role}", timezone.now().isoformat(), timeout=None)


def last(role: str) -> datetime | None:
    value = cache.get(f"flowdesk:heartbeat:{role}")
    return datetime.fromisoformat(value) if value else None


def report(*, stale_after: float) -> dict:
    """Each role's last heartbeat and its age in seconds; stale when older than stale_after."""
    now = timezone.now()
    result = {}
    for role in ROLES:
        seen = last(role)
        age = (now - seen).total_seconds() if seen else None
        result[role] = {
            "last_heartbeat": seen.isoformat() if seen else None,
            "age_seconds": round(age, 1) if age is not None else None,
            "ok": age is not None and age <= stale_after,
        }
    return result


@shared_task(name=HEARTBEAT_TASK, ignore_result=True)
def heartbeat() -> None:
    record("worker")


@before_task_publish.connect(dispatch_uid="flowdesk-heartbeat-sent")
def _heartbeat_sent(sender=None, **kwargs):
    if sender == HEARTBEAT_TASK:
        record("beat")
