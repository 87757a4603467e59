"""Celery tasks: thin wrappers around the API's services."""

from celery import shared_task

from api import idempotency


@shared_task(name="api.prune_idempotent_answers")
def prune_idempotent_answers() -> int:
    return idempotency.answers_prune()
