"""Archiving finished instances: flagged, not moved, so the Process log's indexes stay small.

An instance completed or canceled longer ago than FLOWDESK_ARCHIVE_AFTER_DAYS gets
`archived_at`. The log's indexes are partial (`archived_at IS NULL`), so they hold the
live work and the recent past however long the history grows; "Include archived" reads
the full index beside them. A flag rather than archive tables: an instance's steps,
children, activities and notifications point at it by foreign key, and its page, its
record's links and the API must keep finding it by the same id.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction

from processes import clock
from processes.models import ProcessInstance

FINISHED = ("completed", "canceled")


def instances_archive(*, older_than_days: int | None = None, batch: int = 5000, now=None) -> int:
    """Flag finished instances older than the age as archived, `batch` rows per transaction
    (claimed with SKIP LOCKED: a second archiver beside it skips them). Returns how many."""
    days = settings.FLOWDESK_ARCHIVE_AFTER_DAYS if older_than_days is None else older_than_days
    if days < 0:
        raise ValueError("the archive age is a number of days, 0 or more")
    now = now or clock.now()
    cutoff = now - timedelta(days=days)
    archived = 0
    while True:
        with transaction.atomic():
            ids = list(
                ProcessInstance.objects.filter(
                    archived_at__isnull=True, status__in=FINISHED, completed_at__lt=cutoff
                )
                .order_by()
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch]
            )
            if not ids:
                return archived
            archived += ProcessInstance.objects.filter(pk__in=ids).update(archived_at=now)
