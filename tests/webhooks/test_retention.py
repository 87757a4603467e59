"""Retention: finished deliveries older than FLOWDESK_RETAIN_DAYS go with their attempts;
queued and retrying ones stay whatever their age."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox.services import effects_deliver_due
from webhooks import events, services
from webhooks.models import Attempt, Delivery
from webhooks.retention import deliveries_prune

pytestmark = pytest.mark.django_db

LONG_AGO = timedelta(days=40)


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.FLOWDESK_RETAIN_DAYS = 30
    settings.OUTBOX_MAX_ATTEMPTS = 2


def subscription_to(receiver, name="Receiver"):
    return services.subscription_create(name=name, url=receiver.url, events=[])


def sent(subscription, committed):
    """A test event, posted once right after commit."""
    with committed():
        delivery = services.test_event_send(subscription=subscription)
    delivery.refresh_from_db()
    return delivery


def age(*deliveries):
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        created_at=timezone.now() - LONG_AGO
    )


def test_finished_deliveries_older_than_the_age_go_with_their_attempts(receiver, committed):
    subscription = subscription_to(receiver)
    old_delivered = sent(subscription, committed)
    receiver.answers = [(500, b"down"), (500, b"still down")]
    old_failed = sent(subscription, committed)
    effects_deliver_due(now=timezone.now() + timedelta(hours=1))  # the last attempt
    receiver.answers = [(503, b"busy")]
    old_retrying = sent(subscription, committed)
    old_queued = services.test_event_send(subscription=subscription)  # never committed
    paused = services.subscription_create(
        name="Paused", url=receiver.url, events=[events.CASE_CREATED]
    )
    with committed():  # paused before it went out: not sent
        [old_skipped] = services.event_publish(events.CASE_CREATED, lambda: {"case": {}})
        services.subscription_update(subscription=paused, is_active=False)
    recent_delivered = sent(subscription, committed)
    with committed():
        resent_lately = services.delivery_resend(delivery=old_delivered)
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses == {
        old_delivered.pk: "succeeded",
        old_failed.pk: "failed",
        old_retrying.pk: "retrying",
        old_queued.pk: "queued",
        old_skipped.pk: "skipped",
        recent_delivered.pk: "succeeded",
        resent_lately.pk: "succeeded",
    }
    age(old_delivered, old_failed, old_retrying, old_queued, old_skipped)

    assert deliveries_prune() == {"webhooks.Delivery": 3, "webhooks.Attempt": 3}

    assert set(Delivery.objects.values_list("pk", flat=True)) == {
        old_retrying.pk,
        old_queued.pk,
        recent_delivered.pk,
        resent_lately.pk,
    }
    assert not Attempt.objects.filter(delivery_id__in=[old_delivered.pk, old_failed.pk]).exists()
    assert Attempt.objects.filter(delivery=old_retrying).count() == 1
    # A recent resend of a deleted delivery stays, and forgets where it came from.
    resent_lately.refresh_from_db()
    assert resent_lately.resent_from_id is None
    # The retrying one is still retried, and then it is finished but recent.
    effects_deliver_due(now=timezone.now() + timedelta(hours=1))
    old_retrying.refresh_from_db()
    assert old_retrying.status == "succeeded"


def test_batches_bound_each_transaction_and_each_run(receiver, committed):
    subscription = subscription_to(receiver)
    deliveries = [sent(subscription, committed) for _ in range(5)]
    age(*deliveries)

    with CaptureQueriesContext(connection) as queries:
        counts = deliveries_prune(batch=2, limit=3)
    assert counts == {"webhooks.Delivery": 3, "webhooks.Attempt": 3}
    statements = [q["sql"].split(" ", 3)[:3] for q in queries.captured_queries]
    assert [s for s in statements if s[0] == "DELETE"] == [
        ["DELETE", "FROM", '"webhooks_attempt"'],
        ["DELETE", "FROM", '"webhooks_delivery"'],
    ] * 2, "two batches (2 and 1), each one statement per table"
    assert Delivery.objects.count() == 2

    assert deliveries_prune(batch=2, limit=3)["webhooks.Delivery"] == 2, "the next run goes on"
    assert not Delivery.objects.exists() and not Attempt.objects.exists()


def test_the_dry_run_counts_and_the_setting_0_keeps_all(receiver, committed, settings):
    subscription = subscription_to(receiver)
    age(sent(subscription, committed))

    assert deliveries_prune(dry_run=True) == {"webhooks.Delivery": 1, "webhooks.Attempt": 1}
    settings.FLOWDESK_RETAIN_DAYS = 0
    assert deliveries_prune() == {"webhooks.Delivery": 0, "webhooks.Attempt": 0}
    assert Delivery.objects.count() == Attempt.objects.count() == 1
