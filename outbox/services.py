"""Record effects in the caller's transaction; carry them out in the worker.

`effect_record` writes the row (nothing leaves the process before commit); after
commit the worker is asked to deliver it, and `effects_deliver_due`, run by beat,
the embedded ticker and `manage.py deliver_effects`, picks up whatever a crash or
an absent broker left behind, and the retries whose time has come.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from outbox import registry
from outbox.models import Effect

logger = logging.getLogger(__name__)


def effect_record(*, kind: str, payload: dict, key: str = "") -> Effect:
    """Record one effect in the current transaction; the worker carries it out after commit.

    `key` names the effect: recording a key that exists already records nothing
    (a cause that runs twice obliges once). Without one, the effect is unique.
    """
    key = key or f"{kind}:{uuid.uuid4().hex}"
    effect, created = Effect.objects.get_or_create(
        key=key[:300], defaults={"kind": kind, "payload": payload}
    )
    if created:
        transaction.on_commit(lambda: _queue_delivery(effect.pk))
    return effect


def _queue_delivery(effect_id: int) -> None:
    try:
        current_app.tasks["outbox.deliver_effect"].apply_async(
            (effect_id,), queue=settings.CELERY_TASK_DEFAULT_QUEUE
        )
    except Exception:  # the broker is away: the sweep delivers it
        logger.exception("could not queue the delivery of effect %s", effect_id)


def effect_deliver(*, effect_id: int, now: datetime | None = None) -> str | None:
    """Carry out one effect if it is due and no other worker holds it.

    Returns its status afterwards, or None when there was nothing to do (done
    already, not due yet, or being delivered by someone else right now).
    """
    now = now or timezone.now()
    with transaction.atomic():
        # The row lock is the claim: a second worker skips the row instead of
        # waiting, and finds it done once the first commits.
        effect = (
            Effect.objects.select_for_update(skip_locked=True)
            .filter(pk=effect_id, status=Effect.Status.PENDING, available_at__lte=now)
            .first()
        )
        if effect is None:
            return None
        _carry_out(effect, now)
    return effect.status


def effects_deliver_due(*, now: datetime | None = None, limit: int = 1000) -> int:
    """Carry out every pending effect whose time has come (at most `limit`). Returns how many
    were tried. Effects that fail now are rescheduled after `now` and wait for a later run."""
    now = now or timezone.now()
    tried = 0
    while tried < limit:
        with transaction.atomic():
            effect = (
                Effect.objects.select_for_update(skip_locked=True)
                .filter(status=Effect.Status.PENDING, available_at__lte=now)
                .order_by("available_at", "pk")
                .first()
            )
            if effect is None:
                break
            _carry_out(effect, now)
        tried += 1
    return tried


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failure: doubling, up to the ceiling."""
    base = settings.OUTBOX_RETRY_SECONDS
    return timedelta(seconds=min(base * 2 ** (attempts - 1), settings.OUTBOX_RETRY_MAX_SECONDS))


def _carry_out(effect: Effect, now: datetime) -> None:
    effect.attempts += 1
    try:
        handler = registry.handler_for(effect.kind)
        # A savepoint: a failing handler's writes go, the attempt's record stays.
        with transaction.atomic():
            handler(effect.payload)
    except Exception as error:
        effect.last_error = (str(error) or error.__class__.__name__)[:2000]
        if effect.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
            effect.status = Effect.Status.FAILED
            logger.error("effect %s failed for good: %s", effect.key, effect.last_error)
        else:
            effect.available_at = now + retry_delay(effect.attempts)
            logger.warning(
                "effect %s failed (attempt %s), retrying at %s: %s",
                effect.key,
                effect.attempts,
                effect.available_at.isoformat(),
                effect.last_error,
            )
    else:
        effect.status = Effect.Status.DONE
        effect.done_at = timezone.now()
    effect.save(update_fields=["attempts", "status", "available_at", "last_error", "done_at"])
