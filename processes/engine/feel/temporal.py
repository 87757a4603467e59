"""FEEL's temporal values: parsing them from text and the arithmetic between them."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .types import NUMBER_CONTEXT, DayTime, Decimal, FeelError, FeelTime, YearMonth

_DATE = re.compile(r"(-?\d{4,9})-(\d\d)-(\d\d)")
_TIME = re.compile(
    r"(\d\d):(\d\d):(\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d(?::\d\d)?|@[A-Za-z][\w/+\-]*)?"
)
_DURATION = re.compile(
    r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)
UTC = dt.UTC


def zone(text: str) -> dt.tzinfo:
    if text == "Z":
        return UTC
    if text.startswith("@"):
        try:
            return ZoneInfo(text[1:])
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise FeelError(f"unknown time zone {text[1:]!r}") from None
    sign = -1 if text[0] == "-" else 1
    parts = [int(part) for part in text[1:].split(":")]
    offset = dt.timedelta(
        hours=parts[0], minutes=parts[1], seconds=parts[2] if len(parts) > 2 else 0
    )
    if offset > dt.timedelta(hours=14):
        raise FeelError(f"time offset {text} is out of range")
    return dt.timezone(sign * offset)


def parse_date(text: str) -> dt.date:
    match = _DATE.fullmatch(text)
    if match is None:
        raise FeelError(f"{text!r} is not a date")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise FeelError(f"{text!r} is not a date: {exc}") from None


def _time_parts(match: re.Match[str]) -> dt.time:
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    fraction = int((match[4] or "0")[:6].ljust(6, "0"))
    tz = zone(match[5]) if match[5] else None
    if hour == 24 and minute == 0 and second == 0 and not fraction:
        hour = 0
    try:
        return dt.time(hour, minute, second, fraction, tzinfo=tz)
    except ValueError as exc:
        raise FeelError(str(exc)) from None


def parse_time(text: str) -> FeelTime:
    match = _TIME.fullmatch(text)
    if match is None:
        raise FeelError(f"{text!r} is not a time")
    return FeelTime(_time_parts(match))


def parse_datetime(text: str) -> dt.datetime:
    if "T" not in text:
        day = parse_date(text)
        return dt.datetime(day.year, day.month, day.day)
    day_text, time_text = text.split("T", 1)
    day = parse_date(day_text)
    match = _TIME.fullmatch(time_text)
    if match is None:
        raise FeelError(f"{text!r} is not a date and time")
    time = _time_parts(match)
    result = dt.datetime.combine(day, time)
    if match[1] == "24":
        result += dt.timedelta(days=1)
    return result


def parse_duration(text: str) -> DayTime | YearMonth:
    match = _DURATION.fullmatch(text)
    if match is None or text.endswith(("P", "T")):
        raise FeelError(f"{text!r} is not a duration")
    sign = -1 if match[1] else 1
    years, months = int(match[2] or 0), int(match[3] or 0)
    if (match[2] or match[3]) and not (match[4] or match[5] or match[6] or match[7]):
        return YearMonth(sign * (years * 12 + months))
    seconds = (
        Decimal(int(match[4] or 0) * 86400 + int(match[5] or 0) * 3600 + int(match[6] or 0) * 60)
        + Decimal(match[7] or 0)
        + Decimal((years * 12 + months) * 0)
    )
    if match[2] or match[3]:
        raise FeelError(f"{text!r} mixes years or months with days or time")
    return DayTime(sign * seconds)


def parse_at_literal(text: str) -> Any:
    """``@"..."``: a date, time, date and time or duration, by its form."""
    if text.startswith(("P", "-P")):
        return parse_duration(text)
    if "T" in text:
        return parse_datetime(text)
    if _DATE.fullmatch(text):
        return parse_date(text)
    return parse_time(text)


def as_datetime(value: dt.date) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=UTC)


def seconds_between(left: dt.datetime, right: dt.datetime) -> Decimal:
    if (left.tzinfo is None) != (right.tzinfo is None):
        # One local and one with an offset: the local one is read as UTC.
        left = left if left.tzinfo else left.replace(tzinfo=UTC)
        right = right if right.tzinfo else right.replace(tzinfo=UTC)
    delta = left - right
    return Decimal(delta.days * 86400 + delta.seconds) + Decimal(delta.microseconds) / 10**6


def add_months(value: dt.date, months: int) -> dt.date:
    total = value.year * 12 + value.month - 1 + months
    year, month = divmod(total, 12)
    month += 1
    day = min(value.day, calendar.monthrange(year, month)[1])
    try:
        return value.replace(year=year, month=month, day=day)
    except ValueError as exc:
        raise FeelError(str(exc)) from None


def add_seconds(value: Any, seconds: Decimal) -> Any:
    delta = dt.timedelta(seconds=float(seconds))
    try:
        if isinstance(value, dt.datetime):
            return value + delta
        if isinstance(value, dt.date):
            return (dt.datetime(value.year, value.month, value.day) + delta).date()
        if isinstance(value, FeelTime):
            base = (
                dt.datetime.combine(dt.date(2000, 1, 1), value.value.replace(tzinfo=None)) + delta
            )
            return FeelTime(base.time().replace(tzinfo=value.value.tzinfo))
    except OverflowError as exc:
        raise FeelError(f"date out of range: {exc}") from None
    raise FeelError("cannot add a duration to this value")


def months_between(left: dt.date, right: dt.date) -> int:
    """Whole months from ``right`` to ``left`` (years and months duration of a subtraction)."""
    months = (left.year - right.year) * 12 + left.month - right.month
    left_rest = (
        left.day,
        getattr(left, "hour", 0),
        getattr(left, "minute", 0),
        getattr(left, "second", 0),
    )
    right_rest = (
        right.day,
        getattr(right, "hour", 0),
        getattr(right, "minute", 0),
        getattr(right, "second", 0),
    )
    if months > 0 and left_rest < right_rest:
        months -= 1
    elif months < 0 and left_rest > right_rest:
        months += 1
    return months


def instant(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def time_seconds(value: FeelTime) -> Decimal:
    result = value.seconds()
    assert result is not None
    return NUMBER_CONTEXT.plus(result)
