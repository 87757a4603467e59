"""Process variables as JSON: what the engine may store and how it converts the rest."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import isodate

_PRIMITIVES = (str, int, float, bool, type(None))


def timer_text(value: Any) -> str:
    """A timer value as text: dates in ISO 8601, durations as ISO durations."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return isodate.duration_isoformat(value)
    return str(value)


def to_json_value(value: Any) -> Any:
    """The value with anything not JSON-serialisable converted (dates to ISO text,
    tuples and sets to lists); functions and other objects are dropped (None)."""
    if isinstance(value, _PRIMITIVES):
        return value
    if isinstance(value, dict):
        if all(isinstance(k, str) and isinstance(v, _PRIMITIVES) for k, v in value.items()):
            return value
        return {str(k): to_json_value(v) for k, v in value.items() if not callable(v)}
    if isinstance(value, list | tuple | set | frozenset):
        if isinstance(value, list) and all(isinstance(v, _PRIMITIVES) for v in value):
            return value
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [to_json_value(v) for v in items]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return timer_text(value)
    if isinstance(value, decimal.Decimal):
        return float(value)
    return None


def clean_variables(variables: dict) -> None:
    """Make a variables dict JSON-serialisable in place (drops functions)."""
    for key in list(variables):
        value = variables[key]
        if isinstance(value, _PRIMITIVES):
            continue
        if callable(value) and not isinstance(value, type):
            del variables[key]
            continue
        if isinstance(value, type) or type(value).__name__ == "module":
            del variables[key]
            continue
        variables[key] = to_json_value(value)
