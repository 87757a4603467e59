"""Retention of kept messages: delivered, expired and failed records older than
FLOWDESK_RETAIN_DAYS go (outbox.retention runs this daily); kept ones stay until
the sweep expires them, whatever their age."""

from __future__ import annotations

from datetime import datetime

from outbox import retention
from processes import clock
from processes.models import KeptMessage

FINISHED = (KeptMessage.Status.DELIVERED, KeptMessage.Status.EXPIRED, KeptMessage.Status.FAILED)


def kept_messages_prune(
    *,
    older_than_days: int | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = retention.BATCH,
    limit: int = retention.LIMIT,
) -> dict[str, int]:
    """Delete finished kept-message records received before the retention age, `batch`
    per statement and at most `limit` per run; how many per table."""
    label = KeptMessage._meta.label
    cutoff = retention.retention_cutoff(older_than_days=older_than_days, now=now or clock.now())
    if cutoff is None:
        return {label: 0}
    # Read through the kept_message_status index (status, created_at).
    rows = KeptMessage.objects.filter(status__in=FINISHED, created_at__lt=cutoff)
    if dry_run:
        return {label: rows.count()}
    return {label: retention.rows_delete(rows, batch=batch, limit=limit)}
