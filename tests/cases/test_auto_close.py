"""Close cases automatically: reminder after the first wait, closing after the second,
once per resolution, off with CloseResolvedCases."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from cases import services
from cases.closing import cases_close_resolved
from cases.models import Case
from crm.models import SystemSetting
from processes import clock
from tests.cases.factories import make_case, status

pytestmark = pytest.mark.django_db


@pytest.fixture
def resolved(agent):
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("resolved"), user=agent)
    return Case.objects.get(pk=case.pk)


def _setting(code, value):
    SystemSetting.objects.filter(code=code).update(value=value)


def test_the_loader_creates_the_three_settings():
    settings = {
        s.code: s.typed_value
        for s in SystemSetting.objects.filter(
            code__in=[
                "CloseResolvedCases",
                "FirstReevaluationWaitingDays",
                "SecondReevaluationWaitingDays",
            ]
        )
    }
    assert settings == {
        "CloseResolvedCases": True,
        "FirstReevaluationWaitingDays": 3,
        "SecondReevaluationWaitingDays": 4,
    }


def test_a_reminder_after_the_first_wait_then_closing_after_the_second(resolved, committed):
    start = resolved.resolved_at
    mail.outbox.clear()
    with committed():
        assert cases_close_resolved(now=start + timedelta(days=2)) == {"reminded": 0, "closed": 0}
    with committed():
        assert cases_close_resolved(now=start + timedelta(days=3, hours=1))["reminded"] == 1
    reminder = mail.outbox[-1]
    assert reminder.to == ["clara@northwind.example"] and "How did we do?" in reminder.subject
    assert "/portal/rate/" in reminder.body
    with committed():  # the next day's sweep does not remind again
        assert cases_close_resolved(now=start + timedelta(days=4)) == {"reminded": 0, "closed": 0}
    assert len(mail.outbox) == 1
    with clock.frozen_at(start + timedelta(days=7, minutes=1)), committed():
        assert cases_close_resolved() == {"reminded": 0, "closed": 1}
    resolved.refresh_from_db()
    assert resolved.status.code == "closed"
    assert resolved.events.filter(kind="status", data__new="Closed", actor=None).exists()


def test_the_setting_turns_it_off(resolved):
    _setting("CloseResolvedCases", "false")
    assert cases_close_resolved(now=resolved.resolved_at + timedelta(days=30)) == {
        "reminded": 0,
        "closed": 0,
    }
    resolved.refresh_from_db()
    assert resolved.status.code == "resolved"


def test_the_waiting_days_come_from_the_settings(resolved):
    _setting("FirstReevaluationWaitingDays", "1")
    _setting("SecondReevaluationWaitingDays", "1")
    assert (
        cases_close_resolved(now=resolved.resolved_at + timedelta(days=2, seconds=1))["closed"] == 1
    )


def test_only_resolved_cases_with_a_resolution_time_close(agent, resolved):
    active = make_case(by=agent, subject="Still open")
    Case.objects.filter(pk=resolved.pk).update(resolved_at=None)
    assert cases_close_resolved(now=clock.now() + timedelta(days=60)) == {
        "reminded": 0,
        "closed": 0,
    }
    assert Case.objects.get(pk=active.pk).status.code == "new"
    assert Case.objects.get(pk=resolved.pk).status.code == "resolved"


def test_a_reopened_and_resolved_again_case_gets_a_new_reminder(agent, resolved, committed):
    with committed():
        cases_close_resolved(now=resolved.resolved_at + timedelta(days=3, hours=1))
    services.case_set_status(case=resolved, status=status("reopened"), user=agent)
    services.case_set_status(case=resolved, status=status("resolved"), user=agent)
    resolved.refresh_from_db()
    with committed():
        assert (
            cases_close_resolved(now=resolved.resolved_at + timedelta(days=3, hours=1))["reminded"]
            == 1
        )


def test_the_command_runs_the_sweep(resolved, capsys):
    _setting("FirstReevaluationWaitingDays", "0")
    _setting("SecondReevaluationWaitingDays", "0")
    call_command("close_resolved_cases")
    assert "closed 1" in capsys.readouterr().out
