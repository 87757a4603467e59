"""Deadlines from the service agreement's terms, on the calendar, stopped by pauses."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from cases import services
from cases.calendars import BASE_CALENDAR_SETTING
from cases.models import Service, ServiceTerm, WorkCalendar, WorkingDay
from crm.models import SystemSetting
from tests.cases.factories import agreement, make_case, priority, status

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
MONDAY_10 = datetime(2026, 3, 2, 10, tzinfo=UTC)


def test_deadlines_count_the_terms_in_working_time_on_the_base_calendar(agent):
    # The data migration made "Standard working week" (Mon-Fri 9-18) the base calendar.
    assert SystemSetting.objects.get(code=BASE_CALENDAR_SETTING).value == "Standard working week"
    sla = agreement(response=60, resolution=9 * 60)
    case = make_case(by=agent, service_agreement=sla, registered_at=MONDAY_10)
    assert case.response_due == datetime(2026, 3, 2, 11, tzinfo=UTC)
    assert case.resolution_due == datetime(2026, 3, 3, 10, tzinfo=UTC)


def test_a_service_specific_term_wins_over_the_any_service_term(agent):
    sla = agreement(response=60, resolution=480)
    vpn = Service.objects.create(name="VPN access")
    ServiceTerm.objects.create(
        agreement=sla,
        service=vpn,
        priority=priority("medium"),
        response_minutes=15,
        resolution_minutes=30,
    )
    case = make_case(by=agent, service_agreement=sla, service=vpn, registered_at=MONDAY_10)
    assert case.response_due == MONDAY_10 + timedelta(minutes=15)
    assert case.resolution_due == MONDAY_10 + timedelta(minutes=30)


def test_the_agreement_calendar_wins_over_the_base_calendar(agent):
    weekend_crew = WorkCalendar.objects.create(name="Weekend crew")
    WorkingDay.objects.create(calendar=weekend_crew, weekday=5, start=time(10), end=time(14))
    sla = agreement("Weekend", response=60, resolution=240, calendar=weekend_crew)
    case = make_case(by=agent, service_agreement=sla, registered_at=MONDAY_10)
    assert case.resolution_due == datetime(2026, 3, 7, 14, tzinfo=UTC)


def test_the_base_calendar_setting_chooses_the_calendar(agent):
    nights = WorkCalendar.objects.create(name="Nights")
    for weekday in range(7):
        WorkingDay.objects.create(calendar=nights, weekday=weekday, start=time(20), end=time(23))
    SystemSetting.objects.filter(code=BASE_CALENDAR_SETTING).update(value="Nights")
    case = make_case(
        by=agent, service_agreement=agreement(response=60, resolution=120), registered_at=MONDAY_10
    )
    assert case.resolution_due == datetime(2026, 3, 2, 22, tzinfo=UTC)


def test_a_pause_status_stops_the_clock_and_shifts_the_deadlines(agent, monkeypatch):
    sla = agreement(response=60, resolution=9 * 60)
    case = make_case(by=agent, service_agreement=sla, registered_at=MONDAY_10)
    original = case.resolution_due

    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 2, 12, tzinfo=UTC))
    case = services.case_set_status(case=case, status=status("waiting"), user=agent)
    assert case.paused_at == datetime(2026, 3, 2, 12, tzinfo=UTC)
    # Back on Tuesday 10:00: Monday 12-18 and Tuesday 9-10 were working time, 7 hours.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 3, 3, 10, tzinfo=UTC))
    case = services.case_set_status(case=case, status=status("in_progress"), user=agent)
    assert case.paused_at is None
    assert case.paused_seconds == 7 * 3600
    assert case.resolution_due == datetime(2026, 3, 3, 17, tzinfo=UTC)
    assert case.resolution_due > original


def test_the_timer_on_the_case_page_and_list_turns_red_when_overdue(client, agent):
    sla = agreement(response=1, resolution=2)
    overdue = make_case(
        by=agent,
        subject="Old outage",
        service_agreement=sla,
        registered_at=timezone.now() - timedelta(days=10),
    )
    fresh = make_case(
        by=agent,
        subject="Fresh",
        service_agreement=agreement("Roomy", response=100_000, resolution=200_000),
    )
    client.force_login(agent)
    page = client.get(overdue.get_absolute_url()).content.decode()
    assert 'class="deadline-timer is-overdue"' in page and "Overdue" in page
    listing = client.get("/cases/").content.decode()
    assert listing.count("deadline-timer is-overdue") == 1
    assert "left</span>" in listing
    assert fresh.is_overdue is False and overdue.is_overdue is True
