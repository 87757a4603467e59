"""Retention: kept-message records that are finished (delivered, expired, failed) and older
than FLOWDESK_RETAIN_DAYS are deleted by the daily job; kept ones stay whatever their age,
and the 30-second sweep deletes nothing."""

import datetime as dt

import pytest
from django.utils import timezone

from processes import clock
from processes.models import KeptMessage
from processes.retention import kept_messages_prune
from processes.services import (
    instance_start,
    kept_messages_sweep,
    message_correlate,
    message_deliver_or_record,
    process_import,
)

from .test_message_correlation import KEYED_ORDER

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)


@pytest.fixture(autouse=True)
def _thirty_days(settings):
    settings.FLOWDESK_RETAIN_DAYS = 30


def keep(key, keep_for=HOUR):
    message_correlate(name="supplier_reply", correlation_key=key, keep_for=keep_for)


def fail(key):
    message_deliver_or_record(name="supplier_reply", correlation_key=key, if_unmatched="refuse")


def by_key():
    return dict(KeptMessage.objects.values_list("correlation_key", "status"))


def test_finished_records_older_than_the_age_go_and_kept_ones_stay(
    django_capture_on_commit_callbacks, settings
):
    settings.FLOWDESK_RETAIN_DAYS = 7  # shorter than a message may be kept
    process_import(data=KEYED_ORDER)
    with clock.frozen_at(timezone.now() - dt.timedelta(days=10)):
        keep("DELIVERED")
        keep("EXPIRED")
        keep("STILL-KEPT", keep_for=dt.timedelta(days=30))
        fail("FAILED")
        with django_capture_on_commit_callbacks(execute=True):
            instance_start(code="keyed_order", variables={"order_no": "DELIVERED"}, run_now=True)
        clock.advance(HOUR + dt.timedelta(seconds=1))
        kept_messages_sweep()
    keep("RECENT")
    fail("RECENT-FAILED")
    kept_messages_sweep()  # the sweep expires; it deletes nothing, however old
    assert by_key() == {
        "DELIVERED": "delivered",
        "EXPIRED": "expired",
        "STILL-KEPT": "kept",
        "FAILED": "failed",
        "RECENT": "kept",
        "RECENT-FAILED": "failed",
    }

    assert kept_messages_prune(dry_run=True) == {"processes.KeptMessage": 3}
    assert len(by_key()) == 6
    assert kept_messages_prune() == {"processes.KeptMessage": 3}

    assert by_key() == {"STILL-KEPT": "kept", "RECENT": "kept", "RECENT-FAILED": "failed"}


def test_batches_bound_the_run_and_the_setting_0_keeps_all(settings):
    with clock.frozen_at(timezone.now() - dt.timedelta(days=40)):
        for n in range(5):
            fail(f"F-{n}")

    settings.FLOWDESK_RETAIN_DAYS = 0
    assert kept_messages_prune() == {"processes.KeptMessage": 0}
    settings.FLOWDESK_RETAIN_DAYS = 30
    assert kept_messages_prune(batch=2, limit=3) == {"processes.KeptMessage": 3}
    assert KeptMessage.objects.count() == 2
    assert kept_messages_prune(batch=2, limit=3) == {"processes.KeptMessage": 2}
