"""Record-trigger start events: a registered model's row added, modified or deleted.

Receivers are connected in ProcessesConfig.ready() for registered models only;
matching processes' instances are created in the saving transaction, so they
commit with the change (the worker steps them after commit, the stuck-instance
sweep if that is lost).
"""

import logging

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from processes import registry, start_event_cache
from processes.engine.expressions import ExpressionError
from processes.errors import ProcessError
from processes.instances import instance_start

logger = logging.getLogger(__name__)


def connect() -> None:
    # One receiver for every model: apps register their models in their own
    # ready(), after this runs, and the registry check is a dict lookup.
    post_save.connect(_saved, dispatch_uid="flowdesk-record-trigger-save")
    post_delete.connect(_deleted, dispatch_uid="flowdesk-record-trigger-delete")


def _saved(sender, instance, created, raw=False, **kwargs):
    if not raw and registry.is_registered(sender):
        _fire(instance, "added" if created else "modified")


def _deleted(sender, instance, **kwargs):
    if registry.is_registered(sender):
        _fire(instance, "deleted")


def _fire(record, trigger: str) -> None:
    label = registry.label_of(record)
    starts = start_event_cache.record_starts(label, trigger)
    if not starts:
        return
    values = registry.record_values(record)
    keep_record = trigger != "deleted"

    for definition, start in starts:
        if start.filter is not None:
            try:
                if not start.filter.evaluate({"record": values, **values}):
                    continue
            except ExpressionError:
                logger.warning("filter of %s on %s failed", start.element_id, definition.code)
                continue
        try:
            # A savepoint: a process that cannot start never undoes the record's save.
            with transaction.atomic():
                instance_start(
                    definition=definition,
                    variables={"record": values},
                    record=record if keep_record else None,
                    start_event_id=start.element_id,
                )
        except ProcessError:
            logger.exception("%s did not start on %s %s", definition.code, label, trigger)
