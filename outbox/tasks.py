"""Celery tasks: thin wrappers around the outbox's services."""

from celery import shared_task

from outbox import retention, services


@shared_task(name="outbox.deliver_effect")
def deliver_effect(effect_id: int) -> str | None:
    return services.effect_deliver(effect_id=effect_id)


@shared_task(name="outbox.deliver_due_effects")
def deliver_due_effects() -> int:
    return services.effects_deliver_due()


@shared_task(name="outbox.prune_history")
def prune_history() -> dict[str, int]:
    """Delete finished operational rows older than FLOWDESK_RETAIN_DAYS (daily)."""
    return retention.history_prune()
