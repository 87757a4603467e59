"""Parsing and scheduling of BPMN timer definitions (timeDate, timeDuration, timeCycle).

The engine evaluates the timer element's expression first (SpiffWorkflow files hold
Python expressions such as ``"PT0.25S"``) and hands the resulting value to
:func:`parse_timer`. All datetimes going in and out are timezone-aware UTC.

Supported definitions:

* ``timeDate``: an ISO 8601 date-time (a naive one is read as UTC; a date alone means
  midnight UTC), or a ``datetime``.
* ``timeDuration``: an ISO 8601 duration (``PT0.25S``, ``P1DT2H``, ``P2W``, ``P1M``),
  or a ``timedelta``.
* ``timeCycle``: an ISO 8601 repeating interval (``R3/PT10M``, ``R/PT1H``,
  ``R2/2026-01-01T00:00Z/P1D``, ``R/P1D/2026-02-01T00:00Z``,
  ``R4/2026-01-01T00:00Z/2026-01-01T06:00Z``), or a cron expression:

  - 5 fields, standard cron (``*/15 9-17 * * MON-FRI``; day of week 0-7, Sunday 0 or 7);
  - 6 or 7 fields, Quartz/Camunda style (``0 0/5 * * * ?``): seconds first, ``?`` for
    "no specific value", day of week 1-7 with Sunday = 1, optional year field which
    must be ``*`` or ``?``. Seconds, minutes and hours accept ``N``, ``*``, ``a-b``,
    ``a,b``, ``*/N`` and ``a/N``; days also ``L``, ``LW``, ``nL`` and ``n#k``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import isodate
from cronsim import CronSim, CronSimError

__all__ = ["TimerError", "TimerSpec", "first_due", "next_due", "parse_timer"]

# An ISO 8601 period: a plain timedelta, or isodate's Duration when it has months/years
# (their length depends on the date they are added to).
Period = timedelta | isodate.Duration

_KINDS = {
    "timeDate": "date",
    "timeDuration": "duration",
    "timeCycle": "cycle",
    "date": "date",
    "duration": "duration",
    "cycle": "cycle",
}
_REPEAT = re.compile(r"^R(?P<count>\d*)$")
# Quartz day-of-week numbers (1 = Sunday) inside a field, not counting the '#k' suffix.
_QUARTZ_WEEKDAY_NUMBER = re.compile(r"(?<![#/\d])\d+")


class TimerError(ValueError):
    """A timer definition that cannot be parsed or scheduled; the text says why."""


@dataclass(frozen=True)
class TimerSpec:
    """A parsed timer definition.

    ``kind`` is ``'date'``, ``'duration'`` or ``'cycle'``. Which other fields are set
    depends on it: ``at`` for a date; ``period`` for a duration; for a cycle either
    ``cron`` (a 6-field, seconds-first expression for cronsim) or ``period`` with
    optional ``repetitions`` (None = unbounded), ``cycle_start`` and ``cycle_end``.
    """

    kind: str
    source: str
    at: datetime | None = None
    period: Period | None = None
    repetitions: int | None = None
    cycle_start: datetime | None = None
    cycle_end: datetime | None = None
    cron: str | None = None


def parse_timer(kind: str, value: Any) -> TimerSpec:
    """Parse an evaluated timer definition.

    ``kind`` is the BPMN element name (``'timeDate'``, ``'timeDuration'`` or
    ``'timeCycle'``). ``value`` is the definition's text, or a ``datetime`` for a
    timeDate / a ``timedelta`` for a timeDuration. Raises TimerError when invalid.
    """
    if kind not in _KINDS:
        raise TimerError(f"unknown timer kind {kind!r}: use timeDate, timeDuration or timeCycle")
    element = {"date": "timeDate", "duration": "timeDuration", "cycle": "timeCycle"}[_KINDS[kind]]
    if _KINDS[kind] == "date":
        return _parse_date_timer(element, value)
    if _KINDS[kind] == "duration":
        return _parse_duration_timer(element, value)
    return _parse_cycle_timer(element, value)


def first_due(spec: TimerSpec, start: datetime) -> datetime | None:
    """When a timer armed at ``start`` fires first, or None if it never fires.

    A date timer fires at its date, or at ``start`` if that date has already passed
    (an overdue timer fires at once). A duration fires ``start + duration``. A cycle
    without a start date first fires one period after ``start``; with a start date, at
    that date (or at ``start`` when the date has passed); a cron cycle at its first
    matching second at or after ``start``.
    """
    start = _as_utc(start, "start")
    if spec.kind == "date":
        assert spec.at is not None
        return max(spec.at, start)
    if spec.kind == "duration":
        assert spec.period is not None
        return _add_period(start, spec.period)
    if spec.cron is not None:
        return _next_cron_time(spec.cron, start, inclusive=True)
    if spec.repetitions == 0:
        return None
    assert spec.period is not None
    due = max(spec.cycle_start, start) if spec.cycle_start else _add_period(start, spec.period)
    return _within_cycle_end(spec, due)


def next_due(spec: TimerSpec, previous_due: datetime, fired_count: int) -> datetime | None:
    """When a cycle fires after firing at ``previous_due``; None when it is finished.

    ``fired_count`` is how many times the timer has fired so far, ``previous_due``
    included. Date and duration timers fire once, so they always return None.
    """
    if spec.kind != "cycle":
        return None
    previous_due = _as_utc(previous_due, "previous_due")
    if spec.cron is not None:
        return _next_cron_time(spec.cron, previous_due, inclusive=False)
    if spec.repetitions is not None and fired_count >= spec.repetitions:
        return None
    assert spec.period is not None
    return _within_cycle_end(spec, _add_period(previous_due, spec.period))


# --------------------------------------------------------------------------------------
# timeDate and timeDuration
# --------------------------------------------------------------------------------------


def _parse_date_timer(element: str, value: Any) -> TimerSpec:
    if isinstance(value, datetime):
        return TimerSpec(kind="date", source=value.isoformat(), at=_as_utc(value, element))
    text = _require_text(element, value, "an ISO 8601 date-time")
    return TimerSpec(kind="date", source=text, at=_parse_datetime(element, text))


def _parse_duration_timer(element: str, value: Any) -> TimerSpec:
    if isinstance(value, timedelta):
        if value < timedelta(0):
            raise TimerError(f"{element} {value!r} is negative")
        return TimerSpec(kind="duration", source=isodate.duration_isoformat(value), period=value)
    text = _require_text(element, value, "an ISO 8601 duration")
    return TimerSpec(kind="duration", source=text, period=_parse_period(element, text))


def _require_text(element: str, value: Any, expected: str) -> str:
    if not isinstance(value, str):
        raise TimerError(f"{element} must be {expected}, not {type(value).__name__} {value!r}")
    text = value.strip()
    if not text:
        raise TimerError(f"{element} is empty: expected {expected}")
    if text[0] in "'\"":
        # An unevaluated Python literal reached us; say so rather than "invalid".
        raise TimerError(f"{element} {value!r} is quoted: evaluate the expression first")
    return text


def _parse_datetime(element: str, text: str, whole: str | None = None) -> datetime:
    """Parse an ISO 8601 date-time; ``whole`` is the full definition, for messages."""
    try:
        parsed = isodate.parse_datetime(text)
    except (isodate.ISO8601Error, ValueError):
        try:  # a date alone means midnight of that day
            parsed = datetime.combine(isodate.parse_date(text), datetime.min.time())
        except (isodate.ISO8601Error, ValueError):
            where = f" in {whole!r}" if whole else ""
            raise TimerError(f"{element} {text!r}{where} is not an ISO 8601 date-time") from None
    return _as_utc(parsed, element)


def _parse_period(element: str, text: str, whole: str | None = None) -> Period:
    """Parse an ISO 8601 duration; ``whole`` is the full definition, for messages."""
    where = f" in {whole!r}" if whole else ""
    if text.startswith("-"):
        raise TimerError(f"{element} {text!r}{where} is negative: timers cannot go backwards")
    # isodate reads a bare 'PT' as zero; a duration must state at least one number.
    if not text.startswith("P") or not any(character.isdigit() for character in text):
        raise TimerError(f"{element} {text!r}{where} is not an ISO 8601 duration")
    try:
        return isodate.parse_duration(text)
    except (isodate.ISO8601Error, ValueError):
        raise TimerError(f"{element} {text!r}{where} is not an ISO 8601 duration") from None


def _as_utc(moment: datetime | date, what: str) -> datetime:
    """Naive datetimes are UTC; aware ones are converted to UTC."""
    if not isinstance(moment, datetime):
        if isinstance(moment, date):
            moment = datetime.combine(moment, datetime.min.time())
        else:
            raise TimerError(f"{what} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _add_period(moment: datetime, period: Period) -> datetime:
    return (moment + period).astimezone(UTC)


def _is_positive(period: Period, reference: datetime) -> bool:
    return _add_period(reference, period) > reference


# --------------------------------------------------------------------------------------
# timeCycle: ISO 8601 repeating intervals
# --------------------------------------------------------------------------------------


def _parse_cycle_timer(element: str, value: Any) -> TimerSpec:
    text = _require_text(element, value, "an ISO 8601 repeating interval or a cron expression")
    if text.startswith("R"):
        return _parse_repeating_interval(element, text)
    return TimerSpec(kind="cycle", source=text, cron=_cron_for_cronsim(element, text))


def _parse_repeating_interval(element: str, text: str) -> TimerSpec:
    """``Rn/period``, ``Rn/start/period``, ``Rn/period/end`` or ``Rn/start/end``."""
    parts = text.split("/")
    repeat = _REPEAT.match(parts[0])
    if repeat is None or len(parts) not in (2, 3):
        raise TimerError(
            f"{element} {text!r} is not an ISO 8601 repeating interval "
            "(expected e.g. 'R3/PT10M' or 'R/2026-01-01T00:00Z/P1D')"
        )
    repetitions = int(repeat["count"]) if repeat["count"] else None  # 'R/...' repeats forever
    start = end = period = None
    if len(parts) == 2:
        period = _parse_period(element, parts[1], text)
    elif parts[1].startswith("P"):
        period = _parse_period(element, parts[1], text)
        end = _parse_datetime(element, parts[2], text)
    else:
        start = _parse_datetime(element, parts[1], text)
        if parts[2].startswith("P"):
            period = _parse_period(element, parts[2], text)
        else:
            end = _parse_datetime(element, parts[2], text)
            period = end - start
            end = None  # the end only fixes the period: the repetitions count goes on
    reference = start or datetime(2000, 1, 1, tzinfo=UTC)
    if not _is_positive(period, reference):
        # A zero period would fire forever at the same instant.
        raise TimerError(f"{element} {text!r} needs a period longer than zero")
    return TimerSpec(
        kind="cycle",
        source=text,
        period=period,
        repetitions=repetitions,
        cycle_start=start,
        cycle_end=end,
    )


def _within_cycle_end(spec: TimerSpec, due: datetime) -> datetime | None:
    if spec.cycle_end is not None and due > spec.cycle_end:
        return None
    return due


# --------------------------------------------------------------------------------------
# timeCycle: cron
# --------------------------------------------------------------------------------------


def _cron_for_cronsim(element: str, text: str) -> str:
    """Validate a cron expression and return the equivalent 6-field cronsim expression."""
    fields = text.split()
    if len(fields) == 5:
        expression = " ".join(["0", *fields])  # standard cron fires at second 0
    elif len(fields) in (6, 7):
        expression = _quartz_to_cronsim(element, text, fields)
    else:
        raise TimerError(
            f"{element} {text!r} is neither an ISO 8601 repeating interval (R...) nor a cron "
            f"expression with 5, 6 or 7 fields (it has {len(fields)})"
        )
    try:
        CronSim(expression, datetime(2000, 1, 1, tzinfo=UTC))
    except (CronSimError, ValueError) as exc:
        raise TimerError(f"{element} {text!r} is not a valid cron expression: {exc}") from None
    return expression


def _quartz_to_cronsim(element: str, text: str, fields: list[str]) -> str:
    seconds, minutes, hours, day_of_month, month, day_of_week = fields[:6]
    if len(fields) == 7 and fields[6] not in ("*", "?"):
        raise TimerError(f"{element} {text!r}: only '*' is supported in the year field")
    if day_of_month == "?" and day_of_week == "?":
        raise TimerError(f"{element} {text!r}: only one of the day fields may be '?'")
    # '?' means "no constraint"; cronsim ANDs the day fields when either starts with '*',
    # which is what Quartz means when the other one is '?'.
    day_of_month = "*" if day_of_month == "?" else day_of_month
    day_of_week = "*" if day_of_week == "?" else _quartz_weekdays(element, text, day_of_week)
    return " ".join([seconds, minutes, hours, day_of_month, month, day_of_week])


def _quartz_weekdays(element: str, text: str, field: str) -> str:
    """Quartz numbers weekdays 1-7 from Sunday; cron numbers them 0-6."""

    def shift(match: re.Match[str]) -> str:
        number = int(match.group())
        if not 1 <= number <= 7:
            raise TimerError(f"{element} {text!r}: day-of-week numbers must be 1-7 (1 = Sunday)")
        return str(number - 1)

    return _QUARTZ_WEEKDAY_NUMBER.sub(shift, field.upper())


def _next_cron_time(expression: str, moment: datetime, *, inclusive: bool) -> datetime | None:
    """The first cron match after ``moment`` (or at it, when ``inclusive``)."""
    # cronsim yields matches strictly after its (whole-second) starting point.
    whole_second = moment.replace(microsecond=0)
    if inclusive and moment.microsecond == 0:
        whole_second -= timedelta(seconds=1)
    try:
        return next(CronSim(expression, whole_second)).astimezone(UTC)
    except StopIteration:  # cronsim gives up when nothing matches within 50 years
        return None
