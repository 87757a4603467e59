"""Retention of webhook deliveries: finished ones older than FLOWDESK_RETAIN_DAYS go,
with their attempts (outbox.retention runs this daily)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from outbox import retention
from webhooks.models import Attempt, Delivery

# Final: delivered, given up after the last attempt, or not sent (subscription paused).
# Queued and retrying deliveries stay whatever their age.
FINISHED = (Delivery.Status.SUCCEEDED, Delivery.Status.FAILED, Delivery.Status.SKIPPED)


def deliveries_prune(
    *,
    older_than_days: int | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = retention.BATCH,
    limit: int = retention.LIMIT,
) -> dict[str, int]:
    """Delete finished deliveries recorded before the retention age, and their attempts,
    `batch` deliveries per transaction and at most `limit` per run. A newer delivery
    resent from a deleted one keeps its own rows and forgets where it came from."""
    counts = {Delivery._meta.label: 0, Attempt._meta.label: 0}
    cutoff = retention.retention_cutoff(older_than_days=older_than_days, now=now)
    if cutoff is None:
        return counts
    old = Delivery.objects.filter(status__in=FINISHED, created_at__lt=cutoff)
    if dry_run:
        counts[Delivery._meta.label] = old.count()
        counts[Attempt._meta.label] = Attempt.objects.filter(delivery__in=old.values("pk")).count()
        return counts
    while counts[Delivery._meta.label] < limit:
        size = min(batch, limit - counts[Delivery._meta.label])
        with transaction.atomic():
            ids = list(old.order_by().values_list("pk", flat=True)[:size])
            if not ids:
                break
            # Children first, each one statement by index (see outbox.retention.rows_delete
            # for why not QuerySet.delete()); a final status never changes back.
            attempts = Attempt.objects.filter(delivery_id__in=ids)
            counts[Attempt._meta.label] += attempts._raw_delete(attempts.db)
            Delivery.objects.filter(resent_from_id__in=ids).update(resent_from=None)
            deleted = Delivery.objects.filter(pk__in=ids)._raw_delete(Delivery.objects.db)
        counts[Delivery._meta.label] += deleted
        if deleted < size:
            break
    return counts
