"""Messages and signals reaching waiting instances, or starting processes (timers:
`processes.timer_sweep`)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from processes import start_event_cache
from processes.engine.events import key_text
from processes.errors import ProcessError
from processes.instances import instance_start
from processes.models import Step
from processes.stepping import advance


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
    steps = Step.objects.filter(status="waiting", event_key=f"message:{name}")
    if key is not None:
        steps = steps.filter(correlation_key=key)
    elif not business_key and not variables:
        steps = steps.filter(correlation_key="")
    if business_key:
        steps = steps.filter(instance__business_key=business_key)
    if variables:
        steps = steps.filter(instance__variables__contains=variables)
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
