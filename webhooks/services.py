"""Record deliveries in the cause's transaction; the worker sends them from the outbox.

`event_publish` is called by the signal receivers (inside the transaction of the
change): one Delivery row and one outbox effect per active subscription that
asked for the event, so nothing is sent unless the change commits. The outbox's
worker calls `delivery_send`; a non-2xx answer or an error raises, and the outbox
retries with its backoff. What each attempt got back is written by
`attempt_record` once the outbox has saved the attempt's outcome (a failed
handler's own writes are rolled back with its savepoint).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from outbox.models import Effect
from outbox.services import effect_record
from webhooks import events as event_names
from webhooks import sending
from webhooks.models import Attempt, Delivery, Subscription

EFFECT_KIND = "webhooks.deliver"


class DeliveryFailed(RuntimeError):
    """The receiver did not answer 2xx; the outbox retries."""


# The events some active subscription asks for, as this process last read them. A change
# made in this process forgets them at once (`events_forget`, on every save and delete);
# other processes read them again after LISTENED_SECONDS, so a new subscription hears
# events from at most that long after it was made. Only "nobody listens" skips the query:
# a stale "someone listens" costs one query that finds nobody.
LISTENED_SECONDS = 2.0
_listened: tuple[float, frozenset[str]] | None = None
_listened_lock = threading.Lock()


def events_listened() -> frozenset[str]:
    global _listened
    now = time.monotonic()
    known = _listened
    if known is not None and known[0] > now:
        return known[1]
    with _listened_lock:
        names = set()
        for events in Subscription.objects.filter(is_active=True).values_list("events", flat=True):
            names.update(events or ())
        _listened = (now + LISTENED_SECONDS, frozenset(names))
        return _listened[1]


def events_forget(**_ignored) -> None:
    """Forget the events listened to (a subscription changed in this process)."""
    global _listened
    _listened = None


def subscription_create(*, name: str, url: str, events, is_active=True, user=None) -> Subscription:
    return Subscription.objects.create(
        name=name,
        url=url,
        events=sorted(set(events)),
        is_active=is_active,
        secret=sending.secret_new(),
        created_by=user,
    )


def subscription_update(*, subscription: Subscription, **fields) -> Subscription:
    if "events" in fields:
        fields["events"] = sorted(set(fields["events"]))
    for name, value in fields.items():
        setattr(subscription, name, value)
    subscription.save(update_fields=list(fields))
    return subscription


def subscription_rotate_secret(*, subscription: Subscription) -> Subscription:
    subscription.secret = sending.secret_new()
    subscription.save(update_fields=["secret"])
    return subscription


def _delivery_queue(
    *, subscription, event, data, event_id=None, occurred_at=None, resent_from=None
) -> Delivery:
    delivery = Delivery.objects.create(
        subscription=subscription,
        event=event,
        event_id=event_id or uuid.uuid4(),
        occurred_at=occurred_at or timezone.now(),
        data=data,
        resent_from=resent_from,
    )
    effect_record(
        kind=EFFECT_KIND, payload={"delivery": str(delivery.pk)}, key=f"webhook:{delivery.pk}"
    )
    return delivery


def event_publish(
    event: str, data: Callable[[], dict], *, occurred_at: datetime | None = None
) -> list[Delivery]:
    """Queue `event` for every active subscription that asked for it, in this transaction.

    `data` builds the event's data; it is called only when someone listens. An event
    nobody subscribed to costs no query at all (see `events_listened`)."""
    if event not in events_listened():
        return []
    active = Subscription.objects.filter(is_active=True)
    if connection.features.supports_json_field_contains:
        subscriptions = list(active.filter(Q(events__contains=[event])))
    else:  # SQLite (the embedded demo) has no JSON containment: the few rows are filtered here
        subscriptions = [sub for sub in active if event in sub.events]
    if not subscriptions:
        return []
    occurred_at = occurred_at or timezone.now()
    event_id = uuid.uuid4()
    data = data()
    with transaction.atomic():
        return [
            _delivery_queue(
                subscription=subscription,
                event=event,
                data=data,
                event_id=event_id,
                occurred_at=occurred_at,
            )
            for subscription in subscriptions
        ]


def test_event_send(*, subscription: Subscription, user=None) -> Delivery:
    """Queue a `webhook.test` delivery to this subscription (also when it is paused)."""
    data = {
        "subscription": {"id": subscription.pk, "name": subscription.name},
        "sent_by": user.get_username() if user is not None else None,
    }
    with transaction.atomic():
        return _delivery_queue(subscription=subscription, event=event_names.TEST, data=data)


def delivery_resend(*, delivery: Delivery) -> Delivery:
    """Send the same event again, as a new delivery (a new Flowdesk-Delivery id)."""
    with transaction.atomic():
        return _delivery_queue(
            subscription=delivery.subscription,
            event=delivery.event,
            data=delivery.data,
            event_id=delivery.event_id,
            occurred_at=delivery.occurred_at,
            resent_from=delivery,
        )


def message_for(delivery: Delivery) -> dict:
    """The JSON body every receiver gets."""
    return {
        "id": str(delivery.event_id),
        "event": delivery.event,
        "occurred_at": delivery.occurred_at.isoformat(),
        "data": delivery.data,
    }


# What the attempt in progress got back, by delivery id, until the outbox has saved
# the effect (then `attempt_record` writes it). Only this thread's attempt is here.
_outcomes = threading.local()


def delivery_send(payload: dict) -> None:
    """The outbox handler: POST the delivery once; raise unless the receiver said 2xx."""
    delivery = (
        Delivery.objects.select_related("subscription").filter(pk=payload["delivery"]).first()
    )
    if delivery is None:  # its subscription was deleted
        return
    subscription = delivery.subscription
    if not subscription.is_active and delivery.event != event_names.TEST:
        Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SKIPPED)
        return
    outcome = sending.post(
        url=subscription.url,
        secret=subscription.secret,
        event=delivery.event,
        delivery_id=str(delivery.pk),
        body=sending.body_encode(message_for(delivery)),
    )
    _outcomes.pending = (str(delivery.pk), outcome)
    if not outcome.succeeded:
        raise DeliveryFailed(outcome.error)


def attempt_record(effect: Effect) -> None:
    """Write the attempt the outbox just saved on `effect`, and the delivery's status."""
    pending = getattr(_outcomes, "pending", None)
    delivery_id = str(effect.payload.get("delivery", ""))
    if pending is None or pending[0] != delivery_id:
        return
    _outcomes.pending = None
    outcome = pending[1]
    if effect.status == Effect.Status.DONE:
        status, next_at = Delivery.Status.SUCCEEDED, None
    elif effect.status == Effect.Status.FAILED:
        status, next_at = Delivery.Status.FAILED, None
    else:
        status, next_at = Delivery.Status.RETRYING, effect.available_at
    Attempt.objects.create(
        delivery_id=delivery_id,
        number=effect.attempts,
        at=timezone.now(),
        status_code=outcome.status_code,
        duration_ms=outcome.duration_ms,
        error=outcome.error[:2000],
        response_body=outcome.response_body,
    )
    Delivery.objects.filter(pk=delivery_id).update(
        status=status, attempts=effect.attempts, next_attempt_at=next_at
    )
