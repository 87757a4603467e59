"""Retention: finished operational rows older than FLOWDESK_RETAIN_DAYS are deleted.

Each app that keeps such rows owns one prune function (`effects_prune` here,
`webhooks.retention.deliveries_prune`, `processes.retention.kept_messages_prune`)
and registers it in its AppConfig.ready(); `history_prune`, run daily by beat and
the embedded ticker (`outbox.prune_history`) and by `manage.py prune_history`,
calls every registered one. The outbox holds the registry because every app may
import it.

A prune deletes only rows whose status is final, never a pending or in-flight one,
`batch` rows per statement (each its own short transaction) and at most `limit`
rows of a table per run, so one run cannot keep the database busy for minutes;
what is left over goes in the next run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from outbox.models import Effect

logger = logging.getLogger(__name__)

BATCH = 5000  # rows per DELETE statement
# Rows of one table one run deletes at most: 40 statements. Deleting 5,000 done
# effects takes a fraction of a second on PostgreSQL, so a run stays within seconds.
LIMIT = 200_000

# A prune takes keyword arguments (older_than_days, now, dry_run, batch, limit) and
# returns how many rows it deleted (or, on a dry run, would delete) per table.
Pruner = Callable[..., dict[str, int]]
_pruners: dict[str, Pruner] = {}


def register(name: str, pruner: Pruner) -> None:
    _pruners[name] = pruner


def retention_cutoff(*, older_than_days: int | None = None, now: datetime | None = None):
    """The moment before which finished rows go, or None when history is kept forever."""
    days = settings.FLOWDESK_RETAIN_DAYS if older_than_days is None else older_than_days
    if days < 0:
        raise ValueError("the retention age is a number of days, 0 or more")
    if days == 0:
        return None
    return (now or timezone.now()) - timedelta(days=days)


def rows_delete(rows: QuerySet, *, batch: int = BATCH, limit: int = LIMIT) -> int:
    """Delete the rows of `rows`, `batch` per statement, at most `limit` in all; how many.

    One statement per batch, `DELETE … WHERE id IN (SELECT id … LIMIT batch)`: the
    sub-select reads the rows' index and the delete matches them by primary key alone
    (repeating the filter outside made PostgreSQL read every old row through the index
    for each batch, so a long backlog cost more per batch). `rows` must select final
    states only, which nothing changes back. QuerySet.delete() would load every row to
    send post_delete (the record triggers listen to all models) and delete them a
    hundred at a time; these tables have no receivers and no rows point at them, so
    the rows go straight (webhooks deletes a delivery's attempts itself)."""
    model = rows.model
    if model._meta.related_objects:
        raise ValueError(f"rows of other tables point at {model._meta.label}: delete those first")
    deleted = 0
    while deleted < limit:
        size = min(batch, limit - deleted)
        picked = rows.order_by().values("pk")[:size]
        count = model._base_manager.using(rows.db).filter(pk__in=picked)._raw_delete(rows.db)
        deleted += count
        if count < size:
            return deleted
    if rows.exists():
        logger.warning(
            "retention: %s deleted %s rows, its limit per run; the next run goes on",
            model._meta.label,
            deleted,
        )
    return deleted


def effects_prune(
    *,
    older_than_days: int | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
    limit: int = LIMIT,
) -> dict[str, int]:
    """Delete done effects older than the retention age (failed and pending ones stay).

    A deleted effect no longer dedupes its key; a case's History still marks such an
    email sent (only done effects are ever deleted: cases.selectors.case_history)."""
    label = Effect._meta.label
    cutoff = retention_cutoff(older_than_days=older_than_days, now=now)
    if cutoff is None:
        return {label: 0}
    rows = Effect.objects.filter(status=Effect.Status.DONE, done_at__lt=cutoff)
    if dry_run:
        return {label: rows.count()}
    return {label: rows_delete(rows, batch=batch, limit=limit)}


def history_prune(
    *,
    older_than_days: int | None = None,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
    limit: int = LIMIT,
) -> dict[str, int]:
    """Run every registered prune; rows deleted (or on a dry run, to delete) per table."""
    counts: dict[str, int] = {}
    failure = None
    for name, pruner in _pruners.items():
        try:
            counts.update(
                pruner(
                    older_than_days=older_than_days,
                    now=now,
                    dry_run=dry_run,
                    batch=batch,
                    limit=limit,
                )
            )
        except Exception as error:
            # One table's trouble (a lock timeout) must not keep the others growing;
            # the run still fails afterwards, so the job's log says so.
            logger.exception("retention: pruning %s failed", name)
            failure = failure or error
    if failure is not None:
        raise failure
    return counts
