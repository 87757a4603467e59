"""Working time on a calendar: the arithmetic behind case deadlines.

The functions at the top are pure (a Schedule in, datetimes out) so they are
unit-tested across weekends, holidays and pauses without a database. The
loaders at the bottom build a Schedule from a WorkCalendar row, or from the
calendar the "BaseCalendar" system setting names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cases.models import WorkCalendar
from crm.models import SystemSetting

# A deadline further away than this is a misconfigured calendar (no working hours).
_MAX_DAYS = 3 * 366


class NoWorkingTime(ValueError):
    pass


@dataclass(frozen=True)
class Schedule:
    """Working intervals per weekday (0 = Monday), holidays, and the calendar's zone."""

    hours: dict[int, tuple[tuple[time, time], ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    @classmethod
    def office(cls, start=time(9), end=time(18), days=range(5), holidays=(), tz="UTC"):
        """Same hours on the given weekdays (Monday to Friday, 9 to 18 by default)."""
        return cls(
            hours={d: ((start, end),) for d in days},
            holidays=frozenset(holidays),
            tz=ZoneInfo(tz),
        )

    def intervals_on(self, day: date) -> list[tuple[datetime, datetime]]:
        if day in self.holidays:
            return []
        return [
            (datetime.combine(day, start, self.tz), datetime.combine(day, end, self.tz))
            for start, end in self.hours.get(day.weekday(), ())
        ]


def add_working_time(schedule: Schedule, start: datetime, duration: timedelta) -> datetime:
    """The moment `duration` of working time after `start`.

    A deadline that falls exactly on the end of a working interval stays
    there (17:00 on Friday, not 9:00 on Monday).
    """
    remaining = duration
    if remaining <= timedelta(0):
        return start
    cursor = start.astimezone(schedule.tz)
    day = cursor.date()
    for _ in range(_MAX_DAYS):
        for begin, end in schedule.intervals_on(day):
            moment = max(cursor, begin)
            if moment >= end:
                continue
            available = end - moment
            if remaining <= available:
                return moment + remaining
            remaining -= available
        day += timedelta(days=1)
    raise NoWorkingTime("the calendar has no working time in the next three years")


def working_time_between(schedule: Schedule, start: datetime, end: datetime) -> timedelta:
    """How much working time lies between two moments (zero if end is not after start)."""
    total = timedelta(0)
    if end <= start:
        return total
    start = start.astimezone(schedule.tz)
    end = end.astimezone(schedule.tz)
    day = start.date()
    while day <= end.date():
        for begin, finish in schedule.intervals_on(day):
            overlap = min(finish, end) - max(begin, start)
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def deadline(
    schedule: Schedule, registered_at: datetime, term: timedelta, paused: timedelta = timedelta(0)
) -> datetime:
    """A case deadline: the term in working time from registration, shifted by the
    working time the case spent paused."""
    return add_working_time(schedule, registered_at, term + paused)


# -- loading schedules from the database -----------------------------------------

BASE_CALENDAR_SETTING = "BaseCalendar"


def schedule_for(calendar) -> Schedule:
    """The Schedule of a WorkCalendar row (its days and holidays)."""
    hours: dict[int, list[tuple[time, time]]] = {}
    for day in calendar.days.all():
        hours.setdefault(day.weekday, []).append((day.start, day.end))
    return Schedule(
        hours={weekday: tuple(sorted(spans)) for weekday, spans in hours.items()},
        holidays=frozenset(calendar.holidays.values_list("date", flat=True)),
        tz=ZoneInfo(calendar.time_zone or "UTC"),
    )


def base_calendar():
    """The WorkCalendar named by the BaseCalendar system setting, if any."""
    name = (
        SystemSetting.objects.filter(code=BASE_CALENDAR_SETTING)
        .values_list("value", flat=True)
        .first()
    )
    if name:
        found = WorkCalendar.objects.filter(name=name).first()
        if found is not None:
            return found
    return WorkCalendar.objects.order_by("pk").first()


def schedule_for_agreement(agreement) -> Schedule:
    """The agreement's calendar, else the base calendar, else round-the-clock."""
    calendar = getattr(agreement, "calendar", None) or base_calendar()
    if calendar is None:
        return Schedule(hours={d: ((time(0), time(23, 59, 59, 999999)),) for d in range(7)})
    return schedule_for(calendar)
