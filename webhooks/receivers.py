"""Turn what processes and cases announce into webhook deliveries.

The receivers run inside the transaction of the change (see processes.signals and
cases.signals), so a delivery is queued exactly when its cause commits.
"""

from django.db.models.signals import post_delete, post_save

from cases import signals as case_signals
from cases.models import Case, CaseEvent
from outbox.models import Effect
from processes import signals as process_signals
from webhooks import events, services
from webhooks.models import Subscription


def _instance_started(sender, instance, **kwargs):
    services.event_publish(
        events.INSTANCE_STARTED,
        lambda: events.instance_data(instance),
        occurred_at=instance.started_at,
    )


def _instance_completed(sender, instance, **kwargs):
    services.event_publish(events.INSTANCE_COMPLETED, lambda: events.instance_data(instance))


def _instance_failed(sender, instance, **kwargs):
    services.event_publish(events.INSTANCE_FAILED, lambda: events.instance_data(instance))


def _step_activated(sender, step, **kwargs):
    services.event_publish(events.STEP_ACTIVATED, lambda: events.step_data(step))


def _step_closed(sender, step, status, **kwargs):
    if status == "completed":
        services.event_publish(events.STEP_COMPLETED, lambda: events.step_data(step))


def _case_event_saved(sender, instance, created, raw=False, **kwargs):
    # A case is registered when its first History entry is written: by then it has its number.
    if created and not raw and instance.kind == CaseEvent.Kind.CREATED:
        services.event_publish(events.CASE_CREATED, lambda: events.case_data(instance.case))


def _case_status_changed(sender, case, old_status, new_status, actor=None, **kwargs):
    services.event_publish(
        events.CASE_STATUS_CHANGED,
        lambda: events.case_status_data(case, old_status, new_status, actor),
    )


def _case_customer_message(sender, case, message, reopened=False, **kwargs):
    services.event_publish(
        events.CASE_MESSAGE_RECEIVED, lambda: events.case_message_data(case, message, reopened)
    )


def _effect_saved(sender, instance, created, **kwargs):
    if not created and instance.kind == services.EFFECT_KIND:
        services.attempt_record(instance)


def connect() -> None:
    uid = "webhooks."
    process_signals.instance_started.connect(_instance_started, dispatch_uid=uid + "instance")
    post_save.connect(_case_event_saved, sender=CaseEvent, dispatch_uid=uid + "case_created")
    post_save.connect(_effect_saved, sender=Effect, dispatch_uid=uid + "attempt")
    post_save.connect(services.events_forget, sender=Subscription, dispatch_uid=uid + "forget")
    post_delete.connect(services.events_forget, sender=Subscription, dispatch_uid=uid + "forgot")
    process_signals.instance_completed.connect(_instance_completed, dispatch_uid=uid + "completed")
    process_signals.instance_failed.connect(_instance_failed, dispatch_uid=uid + "failed")
    process_signals.step_activated.connect(_step_activated, dispatch_uid=uid + "activated")
    process_signals.step_closed.connect(_step_closed, dispatch_uid=uid + "closed")
    case_signals.case_status_changed.connect(
        _case_status_changed, sender=Case, dispatch_uid=uid + "status"
    )
    case_signals.case_customer_message.connect(
        _case_customer_message, sender=Case, dispatch_uid=uid + "message"
    )
