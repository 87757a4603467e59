"""Processes started by a changed record and by a timer start event."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from crm.models import Contact
from processes import clock, start_event_cache
from processes.models import ProcessDefinition, ProcessInstance
from processes.services import process_import, process_set_active, timers_fire_due

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


def test_adding_a_contact_that_matches_the_filter_starts_the_process_connected_to_it(
    django_capture_on_commit_callbacks,
):
    process_import(data=(DATA / "contact_welcome.bpmn").read_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        matching = Contact.objects.create(full_name="Ada Lovelace", email="ada@example.com")
        Contact.objects.create(full_name="No Email")

    [instance] = ProcessInstance.objects.filter(definition__code="contact_welcome")
    assert instance.record_id == str(matching.pk)
    assert instance.status == "completed"
    assert instance.variables["greeting"] == "Welcome Ada Lovelace"


def test_a_deactivated_process_is_not_started_by_its_trigger(django_capture_on_commit_callbacks):
    [version] = process_import(data=(DATA / "contact_welcome.bpmn").read_bytes())
    process_set_active(definition=version.definition, active=False)

    with django_capture_on_commit_callbacks(execute=True):
        Contact.objects.create(full_name="Ada Lovelace", email="ada@example.com")

    assert not ProcessInstance.objects.exists()


def test_a_timer_cycle_start_fires_as_many_times_as_it_repeats(django_capture_on_commit_callbacks):
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    with clock.frozen_at(start), django_capture_on_commit_callbacks(execute=True):
        process_import(data=(DATA / "hourly.bpmn").read_bytes())
        fired = []
        for _ in range(4):
            clock.advance(timedelta(hours=1))
            fired.append(timers_fire_due())

    assert fired == [1, 1, 0, 0]
    assert ProcessInstance.objects.filter(status="completed").count() == 2


def test_reimporting_a_timer_started_process_keeps_one_timer(django_capture_on_commit_callbacks):
    start = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    with clock.frozen_at(start), django_capture_on_commit_callbacks(execute=True):
        process_import(data=(DATA / "hourly.bpmn").read_bytes())
        process_import(data=(DATA / "hourly.bpmn").read_bytes())
        clock.advance(timedelta(hours=1))
        fired = timers_fire_due()

    assert fired == 1
    [instance] = ProcessInstance.objects.all()
    assert instance.version.number == 2


def test_a_process_activated_elsewhere_is_seen_without_a_restart():
    process_import(data=(DATA / "contact_welcome.bpmn").read_bytes(), activate=False)
    assert start_event_cache.record_starts("crm.Contact", "added") == []

    # Another web or worker process activates it: nothing clears this process's cache.
    ProcessDefinition.objects.filter(code="contact_welcome").update(
        is_active=True, modified_at=timezone.now()
    )

    assert [d.code for d, _ in start_event_cache.record_starts("crm.Contact", "added")] == [
        "contact_welcome"
    ]
