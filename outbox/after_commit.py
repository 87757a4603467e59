"""What one transaction collects for after its commit, handed over once.

Several changes in one transaction often ask for the same kind of follow-up: a
completion closes one step and opens the next for the same owner (two panel
refreshes), a bulk start queues a thousand instances (a thousand advances).
`add_for_commit` gathers them per kind and transaction and hands the whole list
to `send` once, after the commit. A rolled-back transaction, or the savepoint
that registered the batch, drops it with its hook, and the next call starts a
new one. Outside a transaction `send` runs at once, as on_commit does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

from django.db import transaction

_pending = threading.local()


class _Batch:
    def __init__(self, kind: str, send: Callable[[list], None]):
        self.kind = kind
        self.items: list = []
        self._send = send

    def send(self) -> None:
        batches = _pending.__dict__.get("batches", {})
        if batches.get(self.kind) is self:
            del batches[self.kind]
        self._send(self.items)


def add_for_commit(kind: str, items: Iterable, send: Callable[[list], None]) -> None:
    """Add `items` to this transaction's batch of `kind`; after commit `send(items)` runs
    once with all of them, in the order added (duplicates kept: `send` decides)."""
    items = list(items)
    if not items:
        return
    connection = transaction.get_connection()
    batches = _pending.__dict__.setdefault("batches", {})
    batch = batches.get(kind)
    if (
        batch is not None
        and connection.in_atomic_block
        and any(hook[1] == batch.send for hook in connection.run_on_commit)
    ):
        batch.items.extend(items)
        return
    batch = _Batch(kind, send)
    batch.items.extend(items)
    if connection.in_atomic_block:
        batches[kind] = batch
    transaction.on_commit(batch.send)
