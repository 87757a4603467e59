"""The events a subscription can hear, and what each one's `data` holds.

Every builder returns plain JSON values (strings, numbers, lists): the same dict is
stored on the delivery and sent as the body's `data`.
"""

from django.utils.translation import gettext_lazy as _

INSTANCE_STARTED = "instance.started"
INSTANCE_COMPLETED = "instance.completed"
INSTANCE_FAILED = "instance.failed"
STEP_ACTIVATED = "step.activated"
STEP_COMPLETED = "step.completed"
CASE_CREATED = "case.created"
CASE_STATUS_CHANGED = "case.status_changed"
CASE_MESSAGE_RECEIVED = "case.message_received"
# Sent by the "Send test event" button only; nobody subscribes to it.
TEST = "webhook.test"

CHOICES = [
    (INSTANCE_STARTED, _("Process instance started")),
    (INSTANCE_COMPLETED, _("Process instance completed")),
    (INSTANCE_FAILED, _("Process instance failed")),
    (STEP_ACTIVATED, _("User step activated")),
    (STEP_COMPLETED, _("User step completed")),
    (CASE_CREATED, _("Case created")),
    (CASE_STATUS_CHANGED, _("Case status changed")),
    (CASE_MESSAGE_RECEIVED, _("Customer message received")),
]
# A message's body is sent up to this many characters.
MESSAGE_BODY_LIMIT = 10_000

NAMES = [name for name, _label in CHOICES]
LABELS = {**dict(CHOICES), TEST: _("Test event")}


def _moment(value):
    return value.isoformat() if value else None


def _user(user):
    return user.get_username() if user is not None else None


def instance_data(instance) -> dict:
    return {
        "instance": {
            "id": instance.pk,
            "process": instance.definition.code,
            "process_name": instance.definition.name,
            "version": instance.version.number,
            "business_key": instance.business_key,
            "status": instance.status,
            "started_at": _moment(instance.started_at),
            "completed_at": _moment(instance.completed_at),
            "error": instance.error[:2000],
            "parent_id": instance.parent_id,
        }
    }


def step_data(step) -> dict:
    return {
        "step": {
            "instance_id": step.instance_id,
            "number": step.number,
            "element_id": step.element_id,
            "name": step.name,
            "status": step.status,
            "owner": _user(step.owner),
            "owner_role": step.owner_role.name if step.owner_role_id else None,
            "result": step.result,
            "started_at": _moment(step.started_at),
            "completed_at": _moment(step.completed_at),
            "due_at": _moment(step.due_at),
        },
        "instance": {
            "id": step.instance_id,
            "process": step.instance.definition.code,
            "business_key": step.instance.business_key,
        },
    }


def _status(status):
    return {"code": status.code, "name": status.name} if status is not None else None


def case_data(case) -> dict:
    return {
        "case": {
            "id": case.pk,
            "number": case.number,
            "subject": case.subject,
            "status": _status(case.status),
            "priority": case.priority.code if case.priority_id else None,
            "category": case.category.code if case.category_id else None,
            "contact_id": case.contact_id,
            "account_id": case.account_id,
            "assignee": _user(case.assignee),
            "registered_at": _moment(case.registered_at),
        }
    }


def case_status_data(case, old_status, new_status, actor) -> dict:
    data = case_data(case)
    data["old_status"] = _status(old_status)
    data["new_status"] = _status(new_status)
    data["actor"] = _user(actor)
    return data


def case_message_data(case, message, reopened) -> dict:
    data = case_data(case)
    data["message"] = {
        "id": message.pk,
        "channel": message.channel,
        "subject": message.subject,
        "author_email": message.author_email,
        "body": message.body[:MESSAGE_BODY_LIMIT],
        "sent_at": _moment(message.created_at),
    }
    data["reopened"] = bool(reopened)
    return data
