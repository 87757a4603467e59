"""Celery tasks: thin wrappers that take ids and call one service each.

A database that is briefly away (OperationalError) makes a task retry; an
instance's own errors never reach here: the engine records them on the step.
"""

import contextlib
from datetime import datetime

from celery import shared_task
from django.db import OperationalError

from processes import archive, services, timer_sweep

RETRYING = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 5}


@shared_task(name="processes.advance_instance", **RETRYING)
def advance_instance(instance_id: int) -> None:
    services.instance_advance(instance_id=instance_id)


@shared_task(name="processes.advance_instances", **RETRYING)
def advance_instances(instance_ids: list[int]) -> int:
    # One transaction for the batch a commit queued (stepping.queue_advance).
    return services.instances_advance(instance_ids=instance_ids)


@shared_task(name="processes.child_finished", **RETRYING)
def child_finished(parent_id: int, step_number: int, child_id: int) -> None:
    services.child_finished(parent_id=parent_id, step_number=step_number, child_id=child_id)


@shared_task(name="processes.call_refused", **RETRYING)
def call_refused(parent_id: int, step_number: int, reason: str) -> None:
    services.call_refused(parent_id=parent_id, step_number=step_number, reason=reason)


@shared_task(name="processes.broadcast_signal", **RETRYING)
def broadcast_signal(name: str, payload=None, variable: str = "") -> None:
    services.signal_broadcast(name=name, payload=payload, variable=variable)


@shared_task(name="processes.deliver_message", **RETRYING)
def deliver_message(name: str, payload=None, correlation_key=None, variable: str = "") -> int:
    # A message matching several instances (or none, refused) is recorded as failed,
    # not retried: retrying cannot change the answer.
    return services.message_deliver_or_record(
        name=name, payload=payload, correlation_key=correlation_key, variable=variable
    )


@shared_task(name="processes.cancel_instance", **RETRYING)
def cancel_instance(instance_id: int) -> None:
    with contextlib.suppress(services.ProcessError):  # already finished: nothing to cancel
        services.instance_cancel(instance_id=instance_id)


@shared_task(name="processes.fire_due_timers")
def fire_due_timers() -> int:
    """Beat's sweep: claims due timers and queues one fire_timer_batch task per batch."""
    return timer_sweep.timers_sweep()


@shared_task(name="processes.fire_timer_batch", **RETRYING)
def fire_timer_batch(instance_ids: list[int], now: str | None = None) -> int:
    moment = datetime.fromisoformat(now) if now else None
    return timer_sweep.timers_fire_batch(instance_ids, now=moment)


@shared_task(name="processes.sweep_kept_messages")
def sweep_kept_messages() -> int:
    """Give kept messages to instances now waiting for them; expire the old ones."""
    return services.kept_messages_sweep()


@shared_task(name="processes.resume_stuck_instances")
def resume_stuck_instances() -> int:
    return services.instances_resume_stuck()


@shared_task(name="processes.release_postponed_steps")
def release_postponed_steps() -> int:
    """Bring back to the panels the steps whose postponement has just passed."""
    return services.steps_release_postponed()


@shared_task(name="processes.archive_instances")
def archive_instances() -> int:
    """Flag finished instances older than FLOWDESK_ARCHIVE_AFTER_DAYS as archived."""
    return archive.instances_archive()
