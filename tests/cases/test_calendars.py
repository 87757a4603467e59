"""Deadline arithmetic on a working calendar: pure functions, no database."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases.calendars import (
    NoWorkingTime,
    Schedule,
    add_working_time,
    deadline,
    working_time_between,
)

UTC = ZoneInfo("UTC")
OFFICE = Schedule.office()  # Monday to Friday, 9:00 to 18:00


def at(day, hour, minute=0, tz=UTC):
    return datetime(2026, 3, day, hour, minute, tzinfo=tz)  # 2026-03-02 is a Monday


def test_a_term_inside_one_working_day_ends_the_same_day():
    assert add_working_time(OFFICE, at(2, 10), timedelta(hours=2)) == at(2, 12)


def test_time_before_opening_counts_from_opening():
    assert add_working_time(OFFICE, at(2, 6), timedelta(hours=1)) == at(2, 10)


def test_a_term_ending_exactly_at_closing_stays_at_closing():
    assert add_working_time(OFFICE, at(6, 17), timedelta(hours=1)) == at(6, 18)


def test_friday_afternoon_cases_continue_on_monday_across_the_weekend():
    # Friday 16:00 + 4 working hours: 2 on Friday, 2 on Monday.
    assert add_working_time(OFFICE, at(6, 16), timedelta(hours=4)) == at(9, 11)


def test_a_case_registered_on_saturday_starts_counting_on_monday():
    assert add_working_time(OFFICE, at(7, 12), timedelta(minutes=30)) == at(9, 9, 30)


def test_holidays_are_skipped():
    schedule = Schedule.office(holidays=[date(2026, 3, 3)])
    # Monday 17:00 + 2h: 1h Monday, Tuesday is a holiday, 1h Wednesday.
    assert add_working_time(schedule, at(2, 17), timedelta(hours=2)) == at(4, 10)


def test_split_working_hours_skip_the_lunch_break():
    schedule = Schedule(hours={d: ((time(9), time(12)), (time(13), time(17))) for d in range(5)})
    assert add_working_time(schedule, at(2, 11), timedelta(hours=2)) == at(2, 14)


def test_multi_day_terms_count_only_working_hours():
    # 3 working days of 9h = 27h from Monday 9:00 ends Wednesday 18:00.
    assert add_working_time(OFFICE, at(2, 9), timedelta(hours=27)) == at(4, 18)


def test_calendar_time_zone_is_respected():
    berlin = ZoneInfo("Europe/Berlin")
    schedule = Schedule.office(tz="Europe/Berlin")
    # 07:30 UTC is 08:30 in Berlin (winter time): the clock starts at 09:00 Berlin.
    result = add_working_time(schedule, at(2, 7, 30), timedelta(hours=1))
    assert result == datetime(2026, 3, 2, 10, 0, tzinfo=berlin)


def test_working_time_between_skips_nights_and_weekends():
    assert working_time_between(OFFICE, at(6, 17), at(9, 10)) == timedelta(hours=2)
    assert working_time_between(OFFICE, at(7, 8), at(8, 20)) == timedelta(0)
    assert working_time_between(OFFICE, at(9, 10), at(9, 9)) == timedelta(0)


def test_a_pause_shifts_the_deadline_by_the_paused_working_time():
    registered = at(2, 9)
    term = timedelta(hours=8)
    assert deadline(OFFICE, registered, term) == at(2, 17)
    # Paused from Monday 16:00 to Tuesday 11:00: 2h (Monday) + 2h (Tuesday) working time.
    paused = working_time_between(OFFICE, at(2, 16), at(3, 11))
    assert paused == timedelta(hours=4)
    assert deadline(OFFICE, registered, term, paused) == at(3, 12)


def test_a_pause_over_a_weekend_costs_no_working_time():
    paused = working_time_between(OFFICE, at(6, 18), at(9, 9))
    assert deadline(OFFICE, at(6, 9), timedelta(hours=9), paused) == at(6, 18)


def test_zero_term_is_the_start():
    assert add_working_time(OFFICE, at(7, 12), timedelta(0)) == at(7, 12)


def test_a_calendar_without_working_time_is_refused():
    with pytest.raises(NoWorkingTime):
        add_working_time(Schedule(hours={}), at(2, 9), timedelta(hours=1))
