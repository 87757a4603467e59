"""Unit tests for BPMN timer parsing and scheduling (no database needed)."""

import re
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from processes.engine.timers import TimerError, TimerSpec, first_due, next_due, parse_timer

START = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def firings(spec, start=START, limit=5):
    """The first ``limit`` due times of ``spec`` armed at ``start`` (fewer if it ends)."""
    due = first_due(spec, start)
    result = []
    while due is not None and len(result) < limit:
        result.append(due)
        due = next_due(spec, due, len(result))
    return result


# --------------------------------------------------------------------------------------
# timeDate
# --------------------------------------------------------------------------------------


def test_a_naive_date_time_is_read_as_utc():
    spec = parse_timer("timeDate", "2026-03-01T10:00:00")
    assert spec == TimerSpec(
        kind="date", source="2026-03-01T10:00:00", at=datetime(2026, 3, 1, 10, tzinfo=UTC)
    )
    assert first_due(spec, START) == datetime(2026, 3, 1, 10, tzinfo=UTC)


def test_a_date_time_with_an_offset_is_converted_to_utc():
    spec = parse_timer("timeDate", "2026-03-01T10:00:00+02:00")
    assert first_due(spec, START) == datetime(2026, 3, 1, 8, tzinfo=UTC)
    assert first_due(spec, START).tzinfo is UTC


def test_a_date_alone_means_midnight_utc():
    assert parse_timer("timeDate", "2026-03-01").at == datetime(2026, 3, 1, tzinfo=UTC)


def test_a_date_time_object_from_a_variable_is_accepted():
    spec = parse_timer("timeDate", datetime(2026, 3, 1, 10, 30))
    assert spec.at == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    berlin = timezone(timedelta(hours=1))
    assert parse_timer("timeDate", datetime(2026, 3, 1, 10, tzinfo=berlin)).at.hour == 9


def test_a_date_in_the_past_is_due_immediately():
    spec = parse_timer("timeDate", "2020-01-01T00:00:00Z")
    assert first_due(spec, START) == START


def test_a_date_timer_fires_only_once():
    spec = parse_timer("timeDate", "2026-03-01T10:00:00Z")
    assert next_due(spec, spec.at, 1) is None


# --------------------------------------------------------------------------------------
# timeDuration
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "delay"),
    [
        ("PT5M", timedelta(minutes=5)),
        ("PT0.25S", timedelta(milliseconds=250)),
        ("PT0.002S", timedelta(milliseconds=2)),
        ("PT0.03S", timedelta(milliseconds=30)),
        ("P1DT2H", timedelta(days=1, hours=2)),
        ("P2W", timedelta(weeks=2)),
        ("PT0S", timedelta(0)),
    ],
)
def test_a_duration_is_due_that_long_after_the_start(text, delay):
    spec = parse_timer("timeDuration", text)
    assert first_due(spec, START) == START + delay
    assert next_due(spec, START + delay, 1) is None


def test_a_duration_in_months_follows_the_calendar():
    spec = parse_timer("timeDuration", "P1M")
    assert first_due(spec, datetime(2026, 1, 31, tzinfo=UTC)) == datetime(2026, 2, 28, tzinfo=UTC)


def test_a_timedelta_from_a_variable_is_accepted():
    spec = parse_timer("timeDuration", timedelta(seconds=90))
    assert spec.source == "PT1M30S"
    assert first_due(spec, START) == START + timedelta(seconds=90)


def test_the_short_kind_names_are_accepted_too():
    assert parse_timer("duration", "PT1S").kind == "duration"


# --------------------------------------------------------------------------------------
# timeCycle: ISO 8601 repeating intervals
# --------------------------------------------------------------------------------------


def test_a_cycle_with_repetitions_fires_that_many_times_one_period_apart():
    spec = parse_timer("timeCycle", "R2/PT0.1S")
    assert (spec.kind, spec.repetitions) == ("cycle", 2)
    assert firings(spec) == [START + timedelta(seconds=0.1), START + timedelta(seconds=0.2)]


def test_a_cycle_without_a_count_repeats_forever():
    spec = parse_timer("timeCycle", "R/PT1H")
    assert spec.repetitions is None
    assert firings(spec, limit=4) == [START + timedelta(hours=hours) for hours in range(1, 5)]


def test_a_cycle_with_a_start_date_fires_first_at_that_date():
    spec = parse_timer("timeCycle", "R2/2026-02-01T00:00Z/P1D")
    assert firings(spec) == [datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 2, 2, tzinfo=UTC)]


def test_a_cycle_whose_start_date_has_passed_fires_at_once():
    spec = parse_timer("timeCycle", "R2/2026-01-01T00:00Z/P1D")
    assert firings(spec) == [START, START + timedelta(days=1)]


def test_a_cycle_with_an_end_date_stops_after_it():
    spec = parse_timer("timeCycle", "R/P1D/2026-01-03T12:00Z")
    assert firings(spec) == [START + timedelta(days=1), START + timedelta(days=2)]


def test_a_cycle_between_two_dates_uses_their_distance_as_its_period():
    spec = parse_timer("timeCycle", "R3/2026-02-01T00:00Z/2026-02-01T06:00Z")
    assert spec.period == timedelta(hours=6)
    assert firings(spec) == [datetime(2026, 2, 1, hour, tzinfo=UTC) for hour in (0, 6, 12)]


def test_a_cycle_with_zero_repetitions_never_fires():
    assert first_due(parse_timer("timeCycle", "R0/PT1M"), START) is None


def test_the_next_firing_counts_the_firings_so_far():
    spec = parse_timer("timeCycle", "R3/PT10M")
    assert next_due(spec, START, 2) == START + timedelta(minutes=10)
    assert next_due(spec, START, 3) is None


# --------------------------------------------------------------------------------------
# timeCycle: cron
# --------------------------------------------------------------------------------------


def test_a_quartz_cron_with_seconds_and_a_question_mark_fires_every_five_minutes():
    spec = parse_timer("timeCycle", "0 0/5 * * * ?")
    assert spec.cron is not None
    start = datetime(2026, 1, 1, 12, 2, 30, tzinfo=UTC)
    assert firings(spec, start, limit=3) == [
        datetime(2026, 1, 1, 12, minute, tzinfo=UTC) for minute in (5, 10, 15)
    ]


def test_a_cron_match_exactly_at_the_start_is_due_at_the_start():
    spec = parse_timer("timeCycle", "0 0/5 * * * ?")
    assert first_due(spec, START) == START
    assert first_due(spec, START + timedelta(microseconds=1)) == START + timedelta(minutes=5)


def test_a_quartz_cron_can_fire_on_seconds():
    spec = parse_timer("timeCycle", "*/20 * * * * ?")
    assert firings(spec, limit=3) == [START + timedelta(seconds=s) for s in (0, 20, 40)]


def test_quartz_weekdays_count_from_sunday_as_one():
    first_monday_noon = parse_timer("timeCycle", "0 0 12 ? * 2#1")
    assert firings(first_monday_noon, limit=2) == [
        datetime(2026, 1, 5, 12, tzinfo=UTC),
        datetime(2026, 2, 2, 12, tzinfo=UTC),
    ]
    sundays = parse_timer("timeCycle", "0 0 9 ? * 1 *")
    assert first_due(sundays, START) == datetime(2026, 1, 4, 9, tzinfo=UTC)
    assert first_due(sundays, START).weekday() == 6


def test_a_standard_five_field_cron_fires_at_second_zero():
    spec = parse_timer("timeCycle", "*/15 9-17 * * MON-FRI")
    friday_evening = datetime(2026, 1, 2, 17, 50, tzinfo=UTC)
    assert firings(spec, friday_evening, limit=2) == [
        datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        datetime(2026, 1, 5, 9, 15, tzinfo=UTC),
    ]


def test_cron_times_are_computed_in_utc_whatever_the_start_zone():
    spec = parse_timer("timeCycle", "0 9 * * *")
    start = datetime(2026, 1, 1, 10, tzinfo=timezone(timedelta(hours=2)))  # 08:00 UTC
    assert first_due(spec, start) == datetime(2026, 1, 1, 9, tzinfo=UTC)


def test_a_cron_for_a_day_that_never_exists_is_rejected():
    with pytest.raises(TimerError, match="not a valid cron expression: Bad day-of-month"):
        parse_timer("timeCycle", "0 0 30 2 *")  # 30 February


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("timeDuration", "P1X", "timeDuration 'P1X' is not an ISO 8601 duration"),
        ("timeDuration", "PT", "timeDuration 'PT' is not an ISO 8601 duration"),
        ("timeDuration", "5 minutes", "is not an ISO 8601 duration"),
        ("timeDuration", "-PT1S", "is negative"),
        ("timeDuration", timedelta(seconds=-1), "is negative"),
        ("timeDuration", '"PT1S"', "is quoted: evaluate the expression first"),
        ("timeDuration", "", "timeDuration is empty"),
        ("timeDuration", 5, "must be an ISO 8601 duration, not int"),
        ("timeDate", "tomorrow", "timeDate 'tomorrow' is not an ISO 8601 date-time"),
        ("timeDate", "2026-13-01T00:00:00", "is not an ISO 8601 date-time"),
        ("timeCycle", "R2/P1X", "timeCycle 'P1X' in 'R2/P1X' is not an ISO 8601 duration"),
        ("timeCycle", "R2/PT0S", "needs a period longer than zero"),
        ("timeCycle", "Rx/PT1S", "is not an ISO 8601 repeating interval"),
        ("timeCycle", "R2/a/b/c", "is not an ISO 8601 repeating interval"),
        ("timeCycle", "every hour", "with 5, 6 or 7 fields (it has 2)"),
        ("timeCycle", "61 * * * *", "is not a valid cron expression"),
        ("timeCycle", "0 0 * ? * ?", "only one of the day fields may be '?'"),
        ("timeCycle", "0 0 12 ? * 8", "day-of-week numbers must be 1-7"),
        ("timeCycle", "0 0 12 * * ? 2027", "only '*' is supported in the year field"),
        ("timeAfter", "PT1S", "unknown timer kind 'timeAfter'"),
    ],
)
def test_invalid_definitions_raise_a_timer_error_saying_what_is_wrong(kind, value, message):
    with pytest.raises(TimerError, match=re.escape(message)):
        parse_timer(kind, value)


def test_timer_errors_are_value_errors():
    assert issubclass(TimerError, ValueError)


def test_scheduling_needs_a_datetime():
    with pytest.raises(TimerError, match="start must be a datetime"):
        first_due(parse_timer("timeDuration", "PT1S"), "now")
    assert first_due(parse_timer("timeDuration", "PT1H"), date(2026, 1, 1)) == datetime(
        2026, 1, 1, 1, tzinfo=UTC
    )


def test_naive_start_times_are_read_as_utc():
    spec = parse_timer("timeDuration", "PT1M")
    assert first_due(spec, datetime(2026, 1, 1, 12)) == START + timedelta(minutes=1)
