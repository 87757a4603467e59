"""FEEL's values as Python holds them (DMN 1.5 chapter 10.3.2).

number: `decimal.Decimal` computed in `NUMBER_CONTEXT` (34 significant digits);
string: `str`; boolean: `bool`; null: `None`; date: `datetime.date`;
date and time: `datetime.datetime` (naive = local, or with an offset or a zone);
time: `FeelTime`; days and time duration: `DayTime` (exact seconds);
years and months duration: `YearMonth` (months); list: `list`;
context: `dict` (keys kept in order); range: `Range`; function: `Function`.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

NUMBER_CONTEXT = decimal.Context(prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=6144, Emin=-6143)
Decimal = decimal.Decimal


class FeelError(Exception):
    """A FEEL evaluation problem; in DMN it makes the value null, in strict mode it raises."""


def number(value: Any) -> Decimal:
    """A Python number as a FEEL number."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return NUMBER_CONTEXT.create_decimal(repr(value))


@dataclass(frozen=True, slots=True)
class DayTime:
    """A days and time duration, in exact (decimal) seconds."""

    seconds: Decimal

    def __lt__(self, other: DayTime) -> bool:
        return self.seconds < other.seconds

    def __le__(self, other: DayTime) -> bool:
        return self.seconds <= other.seconds

    def __gt__(self, other: DayTime) -> bool:
        return self.seconds > other.seconds

    def __ge__(self, other: DayTime) -> bool:
        return self.seconds >= other.seconds

    def timedelta(self) -> dt.timedelta:
        return (
            dt.timedelta(seconds=float(self.seconds))
            if abs(self.seconds) < 10**15
            else dt.timedelta.max
        )

    def __str__(self) -> str:
        total = self.seconds
        sign = "-" if total < 0 else ""
        total = abs(total)
        days, rest = divmod(total, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, seconds = divmod(rest, 60)
        text = f"{sign}P"
        if days:
            text += f"{int(days)}D"
        time = ""
        if hours:
            time += f"{int(hours)}H"
        if minutes:
            time += f"{int(minutes)}M"
        if seconds:
            shown = (
                format(seconds.normalize(), "f")
                if seconds != seconds.to_integral()
                else str(int(seconds))
            )
            time += f"{shown}S"
        if time:
            text += "T" + time
        if text.endswith("P"):
            text += "T0S"
        return text


@dataclass(frozen=True, slots=True)
class YearMonth:
    """A years and months duration, in months."""

    months: int

    def __lt__(self, other: YearMonth) -> bool:
        return self.months < other.months

    def __le__(self, other: YearMonth) -> bool:
        return self.months <= other.months

    def __gt__(self, other: YearMonth) -> bool:
        return self.months > other.months

    def __ge__(self, other: YearMonth) -> bool:
        return self.months >= other.months

    def __str__(self) -> str:
        sign = "-" if self.months < 0 else ""
        years, months = divmod(abs(self.months), 12)
        if not years and not months:
            return "P0M"
        return sign + "P" + (f"{years}Y" if years else "") + (f"{months}M" if months else "")


@dataclass(frozen=True, slots=True)
class FeelTime:
    """A FEEL time: a wall time, with an offset, a zone, or neither."""

    value: dt.time  # tzinfo: None, a fixed offset, or a ZoneInfo

    def seconds(self) -> Decimal | None:
        """Seconds since midnight UTC (or local when there is no offset)."""
        t = self.value
        total = Decimal(t.hour * 3600 + t.minute * 60 + t.second) + Decimal(t.microsecond) / 10**6
        offset = self.offset()
        if offset is not None:
            total -= Decimal(offset.days * 86400 + offset.seconds)
        return total % 86400

    def offset(self) -> dt.timedelta | None:
        tz = self.value.tzinfo
        if tz is None:
            return None
        return tz.utcoffset(dt.datetime(2000, 1, 1))

    def __str__(self) -> str:
        return format_time(self.value)


def format_time(t: dt.time) -> str:
    text = t.strftime("%H:%M:%S")
    if t.microsecond:
        text += f".{t.microsecond:06d}".rstrip("0")
    return text + format_zone(t.tzinfo, dt.datetime(2000, 1, 1))


def format_zone(tz: dt.tzinfo | None, moment: dt.datetime) -> str:
    if tz is None:
        return ""
    key = getattr(tz, "key", None)
    if key:
        return f"@{key}"
    offset = tz.utcoffset(moment)
    if offset is None:
        return ""
    if not offset:
        return "Z"
    total = offset.days * 86400 + offset.seconds
    sign = "-" if total < 0 else "+"
    hours, rest = divmod(abs(total), 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" + (f":{seconds:02d}" if seconds else "")


def format_datetime(value: dt.datetime) -> str:
    text = format_date(value.date()) + "T" + value.strftime("%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    return text + format_zone(value.tzinfo, value.replace(tzinfo=None))


def format_date(value: dt.date) -> str:
    year = value.year
    return (f"{year:04d}" if year >= 0 else f"-{-year:04d}") + f"-{value.month:02d}-{value.day:02d}"


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range; an absent end (None) is unbounded."""

    low: Any
    high: Any
    low_closed: bool
    high_closed: bool


@dataclass(slots=True)
class Function:
    """A FEEL function: built-in (``native``) or defined in FEEL."""

    name: str
    parameters: tuple[str, ...]
    native: Callable[..., Any] | None = None
    body: Any = None
    closure: Any = None
    variadic: bool = False
    # Parameter types by name (for user functions with typed parameters).
    types: dict[str, Any] = field(default_factory=dict)
    # Calls the DMN layer makes itself (BKMs, decision services): (arguments by name) -> value.
    invoke_named: Callable[[dict[str, Any]], Any] | None = None


def type_name(value: Any) -> str:
    """The FEEL type of a value, as ``instance of`` and messages name it."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, Decimal | int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dt.datetime):
        return "date and time"
    if isinstance(value, dt.date):
        return "date"
    if isinstance(value, FeelTime):
        return "time"
    if isinstance(value, DayTime):
        return "days and time duration"
    if isinstance(value, YearMonth):
        return "years and months duration"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "context"
    if isinstance(value, Range):
        return "range"
    if isinstance(value, Function):
        return "function"
    return type(value).__name__


def to_text(value: Any) -> str:
    """FEEL's ``string()`` of a value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format_number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):
        return format_datetime(value)
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, FeelTime | DayTime | YearMonth):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(quoted_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {quoted_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, Range):
        low = "" if value.low is None else quoted_text(value.low)
        high = "" if value.high is None else quoted_text(value.high)
        return (
            ("[" if value.low_closed else "(")
            + f"{low}..{high}"
            + ("]" if value.high_closed else ")")
        )
    if isinstance(value, Function):
        return f"function {value.name}"
    return str(value)


def quoted_text(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return to_text(value)


def format_number(value: Decimal) -> str:
    if value == value.to_integral_value() and abs(value) < Decimal(10) ** 34:
        return str(int(value))
    text = format(value.normalize(NUMBER_CONTEXT), "f")
    return text
