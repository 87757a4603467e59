"""The engine's clock: timezone.now, unless a test or benchmark sets it.

Timers, due times and durations all read `now()`, so a test moves time on
instead of sleeping.
"""

import contextlib
import threading
from datetime import datetime, timedelta

from django.utils import timezone

_local = threading.local()


def now() -> datetime:
    frozen = getattr(_local, "frozen", None)
    return frozen if frozen is not None else timezone.now()


@contextlib.contextmanager
def frozen_at(moment: datetime):
    """Freeze the clock at `moment` for this thread; `advance()` moves it on."""
    previous = getattr(_local, "frozen", None)
    _local.frozen = moment
    try:
        yield
    finally:
        _local.frozen = previous


def advance(delta: timedelta) -> datetime:
    if getattr(_local, "frozen", None) is None:
        raise RuntimeError("advance() needs a frozen clock (use frozen_at)")
    _local.frozen = _local.frozen + delta
    return _local.frozen
