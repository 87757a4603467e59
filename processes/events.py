"""Messages and signals reaching waiting instances, or starting processes (timers:
`processes.timer_sweep`)."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils.translation import gettext as _

from processes import clock, start_event_cache
from processes.engine.events import key_text
from processes.errors import ProcessError
from processes.instances import instance_start
from processes.models import KeptMessage, Step
from processes.stepping import advance

logger = logging.getLogger(__name__)

# Bounds of message buffering (message_correlate(keep_for=...)).
MAX_KEEP_FOR = dt.timedelta(days=30)  # the longest a message is kept
MAX_KEPT_PER_NAME = 1000  # kept messages of one name at a time; more are refused
MAX_FAILED_PER_NAME = 1000  # failure records of one name kept; beyond, only logged
SWEEP_BATCH = 500  # kept messages a sweep tries to deliver


class MessageNotDelivered(ProcessError):
    """A message no waiting step and no message start took, and the caller refused to drop it."""


class MessageAmbiguous(ProcessError):
    """A message meant for one instance matched several."""


def message_deliver(
    *,
    name: str,
    payload=None,
    correlation_key=None,
    variable: str = "",
    business_key: str | None = None,
    variables: dict | None = None,
    deliver_to_all: bool = False,
    if_unmatched: str = "drop",
) -> int:
    """Deliver a message to the waiting instances it is meant for, or start a process.

    A message reaches only the instances that match it: with a correlation key,
    the steps waiting under that key (the model's correlation properties); with
    a business key and/or variables (Camunda style), the instances that carry
    them; with none of these, the steps the model waits at unkeyed. Several
    matching instances are refused (MessageAmbiguous) unless `deliver_to_all`.
    A message matching none starts the processes with its message start; when
    there is none, it is dropped (returns 0) or, with `if_unmatched="refuse"`,
    refused (MessageNotDelivered): it never goes to another instance.
    Returns how many instances received it or were started.
    """
    key = None if correlation_key is None else key_text([correlation_key])
    steps = _waiting_steps(name, key, business_key, variables)
    instance_ids = steps.order_by("instance_id").values_list("instance_id", flat=True).distinct()
    instance_ids = list(instance_ids if deliver_to_all else instance_ids[:2])
    if len(instance_ids) > 1 and not deliver_to_all:
        raise MessageAmbiguous(
            _(
                "The message “%(name)s” matches several waiting instances: give a "
                "correlation key or business key that names one, or deliver it to all."
            )
            % {"name": name}
        )
    delivered = 0
    for instance_id in instance_ids:
        matched = []

        def deliver(engine, state, matched=matched):
            result = engine.deliver_message(
                state, name, payload, correlation_key=key, variable=variable
            )
            matched.append(result.matched)
            return result

        advance(instance_id, deliver)
        if sum(matched):
            delivered += 1
    if not delivered:
        for definition, element_id in start_event_cache.message_starts(name):
            instance_start(
                definition=definition,
                variables=_payload_vars(name, payload, variable),
                start_event_id=element_id,
                business_key=business_key or "",
            )
            delivered += 1
    if not delivered and if_unmatched == "refuse":
        raise MessageNotDelivered(
            _("No waiting instance and no process start takes the message “%(name)s”%(key)s.")
            % {"name": name, "key": _(" with key “%s”") % key if key is not None else ""}
        )
    return delivered


def _waiting_steps(name, key, business_key, variables):
    """The waiting steps a message matches (see `message_deliver`)."""
    steps = Step.objects.filter(status="waiting", event_key=f"message:{name}")
    if key is not None:
        steps = steps.filter(correlation_key=key)
    elif not business_key and not variables:
        steps = steps.filter(correlation_key="")
    if business_key:
        steps = steps.filter(instance__business_key=business_key)
    if variables:
        steps = steps.filter(instance__variables__contains=variables)
    return steps


def message_correlate(
    *,
    name: str,
    payload=None,
    correlation_key=None,
    variable: str = "",
    business_key: str | None = None,
    variables: dict | None = None,
    deliver_to_all: bool = False,
    keep_for: dt.timedelta | None = None,
) -> int:
    """Correlate a message as `message_deliver` does, refusing one that matches nothing.

    With `keep_for`, a message no waiting instance and no message start takes is
    kept instead (message buffering, Zeebe's message time to live): the first
    instance that starts waiting for that name and key within `keep_for` gets it,
    and never another. Kept messages are bounded (MAX_KEPT_PER_NAME of one name,
    MAX_KEEP_FOR at most) and expire in `kept_messages_sweep`. Returns how many
    instances received or were started by it now (0 when it was kept).
    """
    if keep_for is not None:
        if deliver_to_all:
            raise ProcessError(
                _("A message delivered to all waiting instances cannot also be kept.")
            )
        if keep_for <= dt.timedelta(0) or keep_for > MAX_KEEP_FOR:
            raise ProcessError(
                _("A message is kept for more than nothing and at most %(days)s days.")
                % {"days": MAX_KEEP_FOR.days}
            )
    try:
        return message_deliver(
            name=name,
            payload=payload,
            correlation_key=correlation_key,
            variable=variable,
            business_key=business_key,
            variables=variables,
            deliver_to_all=deliver_to_all,
            if_unmatched="refuse",
        )
    except MessageNotDelivered:
        if keep_for is None:
            raise
    if KeptMessage.objects.filter(status="kept", name=name).count() >= MAX_KEPT_PER_NAME:
        raise MessageNotDelivered(
            _(
                "No waiting instance takes the message “%(name)s”, and %(max)s messages of "
                "that name are already kept: it was not kept."
            )
            % {"name": name, "max": MAX_KEPT_PER_NAME}
        )
    now = clock.now()
    KeptMessage.objects.create(
        name=name,
        correlation_key="" if correlation_key is None else key_text([correlation_key]),
        keyed=correlation_key is not None,
        business_key=business_key or "",
        match_variables=variables or {},
        payload=payload,
        variable=variable,
        created_at=now,
        expires_at=now + keep_for,
    )
    return 0


def message_deliver_or_record(**message) -> int:
    """`message_deliver` for the worker: a message it cannot deliver (several
    instances match, or none and the sender refused to drop it) is recorded as a
    failed KeptMessage with the reason, not raised again and again."""
    try:
        return message_deliver(**message)
    except (MessageAmbiguous, MessageNotDelivered) as refusal:
        name = message.get("name", "")
        logger.warning("message %r not delivered: %s", name, refusal)
        if KeptMessage.objects.filter(status="failed", name=name).count() < MAX_FAILED_PER_NAME:
            key = message.get("correlation_key")
            KeptMessage.objects.create(
                name=name,
                correlation_key="" if key is None else key_text([key]),
                keyed=key is not None,
                business_key=message.get("business_key") or "",
                match_variables=message.get("variables") or {},
                payload=message.get("payload"),
                variable=message.get("variable", ""),
                status="failed",
                reason=str(refusal),
                created_at=clock.now(),
            )
        return 0


def kept_messages_deliver(*, instance_id: int | None = None, now=None) -> int:
    """Give kept messages to the instances waiting for them: one instance's waiting
    steps (it has just started waiting), or every waiting step (the sweep, which
    also catches an instance that started waiting while its message was being
    kept). A message goes to the first instance that waited for it, once."""
    now = now or clock.now()
    kept = KeptMessage.objects.filter(status="kept", expires_at__gt=now)
    if instance_id is not None:
        names = [
            key.removeprefix("message:")
            for key in Step.objects.filter(
                instance_id=instance_id, status="waiting", event_key__startswith="message:"
            ).values_list("event_key", flat=True)
        ]
        kept = kept.filter(name__in=names)
    delivered = 0
    for message_id in kept.values_list("pk", flat=True)[:SWEEP_BATCH]:
        with transaction.atomic():
            message = (
                KeptMessage.objects.select_for_update(skip_locked=True)
                .filter(pk=message_id, status="kept")
                .first()
            )
            if message is None:
                continue
            key = message.correlation_key if message.keyed else None
            steps = _waiting_steps(message.name, key, message.business_key, message.match_variables)
            if instance_id is not None:
                steps = steps.filter(instance_id=instance_id)
            for target in steps.order_by("started_at", "instance_id").values_list(
                "instance_id", flat=True
            ):
                if _give(target, message, key):
                    message.status = "delivered"
                    message.delivered_to_id = target
                    message.delivered_at = now
                    message.save(update_fields=["status", "delivered_to", "delivered_at"])
                    delivered += 1
                    break
    return delivered


def _give(instance_id: int, message: KeptMessage, key) -> bool:
    matched = []

    def deliver(engine, state):
        result = engine.deliver_message(
            state, message.name, message.payload, correlation_key=key, variable=message.variable
        )
        matched.append(result.matched)
        return result

    advance(instance_id, deliver)
    return bool(sum(matched))


def kept_messages_sweep(*, now=None) -> int:
    """The periodic job: deliver kept messages to instances now waiting for them and
    expire those past their time (finished records are deleted after
    FLOWDESK_RETAIN_DAYS by processes.retention). Returns how many were delivered."""
    now = now or clock.now()
    delivered = kept_messages_deliver(now=now)
    KeptMessage.objects.filter(status="kept", expires_at__lte=now).update(status="expired")
    return delivered


def kept_message_discard(*, message_id: int, user) -> KeptMessage:
    """Discard a kept message by hand: it is marked expired, with who discarded it as
    the reason, and reaches no instance any more. The record stays (the sweep forgets
    finished records after a week, as it does expired ones). Only a kept message can
    be discarded; anything else is refused and changes nothing."""
    with transaction.atomic():
        # Locked: a sweep giving it away right now holds it first (this waits, then
        # refuses), or it skips the row this holds (skip_locked) and never sees it kept.
        message = KeptMessage.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            raise ProcessError(_("There is no such message."))
        if message.status != KeptMessage.Status.KEPT:
            raise ProcessError(
                _("Only a kept message can be discarded; this one is “%(status)s”.")
                % {"status": message.get_status_display()}
            )
        now = clock.now()
        message.status = KeptMessage.Status.EXPIRED
        message.reason = _("Discarded by %(user)s") % {
            "user": user.get_full_name() or user.get_username()
        }
        if message.expires_at is None or message.expires_at > now:
            message.expires_at = now
        message.save(update_fields=["status", "reason", "expires_at"])
    logger.info("kept message %s (%r) discarded by %s", message.pk, message.name, user.pk)
    return message


def signal_broadcast(*, name: str, payload=None, variable: str = "") -> int:
    """Send a signal to every waiting instance and start every signal-start process."""
    key = f"signal:{name}"
    instance_ids = list(
        Step.objects.filter(status="waiting", event_key=key)
        .values_list("instance_id", flat=True)
        .distinct()
    )
    for instance_id in instance_ids:
        advance(instance_id, lambda e, s: e.broadcast_signal(s, name, payload, variable=variable))
    started = 0
    for definition, element_id in start_event_cache.signal_starts(name):
        instance_start(
            definition=definition,
            variables=_payload_vars(name, payload, variable),
            start_event_id=element_id,
        )
        started += 1
    return len(instance_ids) + started


def _payload_vars(name: str, payload, variable: str = "") -> dict:
    """Variables a message or signal payload gives the instance it starts: as a catch
    event stores it, the whole payload under the thrower's variable when it names one."""
    if payload is None:
        return {}
    if variable:
        return {variable: payload}
    if isinstance(payload, dict):
        return dict(payload)
    return {name: payload}
