"""Celery tasks: thin wrappers that take ids and call one service each."""

from celery import shared_task
from django.db import OperationalError

from processes import services


@shared_task(
    name="processes.advance_instance",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def advance_instance(instance_id: int) -> None:
    services.instance_advance(instance_id=instance_id)


@shared_task(name="processes.child_finished", autoretry_for=(OperationalError,), retry_backoff=True)
def child_finished(parent_id: int, step_number: int, child_id: int) -> None:
    services.child_finished(parent_id=parent_id, step_number=step_number, child_id=child_id)


@shared_task(name="processes.broadcast_signal", autoretry_for=(OperationalError,), retry_backoff=True)
def broadcast_signal(name: str, payload=None) -> None:
    services.signal_broadcast(name=name, payload=payload)


@shared_task(name="processes.deliver_message", autoretry_for=(OperationalError,), retry_backoff=True)
def deliver_message(name: str, payload=None, correlation_key=None) -> None:
    services.message_deliver(name=name, payload=payload, correlation_key=correlation_key)


@shared_task(name="processes.fire_due_timers")
def fire_due_timers() -> int:
    return services.timers_fire_due()


@shared_task(name="processes.resume_stuck_instances")
def resume_stuck_instances() -> int:
    return services.instances_resume_stuck()
