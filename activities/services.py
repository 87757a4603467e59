"""Writes on activities: create, complete, reschedule, reassign, and follow their steps.

An activity that carries a process step hands its writes to processes'
services (completing, postponing, reassigning the step) in the same
transaction; the step's announcements (processes.signals) bring the activity
and every panel up to date after commit.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from crm.models import Account, Contact
from processes.errors import ProcessError, StepNotAvailable
from processes.persistence import statement_cursor
from processes.selectors import connected_record
from processes.user_steps import services as step_services
from processes.user_steps.spec import opens_as_activity, spec_for

DEFAULT_LENGTH = timedelta(hours=1)


class ActivityError(Exception):
    """A refused change, with a message for the person who asked."""


def _record_fields(record) -> dict:
    if record is None:
        return {}
    fields = {
        "record_type": ContentType.objects.get_for_model(record),
        "record_id": str(record.pk),
        "record_label": str(record)[:300],
        "record_url": record.get_absolute_url() if hasattr(record, "get_absolute_url") else "",
    }
    if isinstance(record, Contact):
        fields["contact"] = record
        fields["account_id"] = record.account_id
    elif isinstance(record, Account):
        fields["account"] = record
    else:
        for name in ("contact", "account"):
            if getattr(record, f"{name}_id", None):
                fields[f"{name}_id"] = getattr(record, f"{name}_id")
    return fields


def activity_create(
    *,
    title: str,
    owner=None,
    owner_role=None,
    kind: str = Activity.Kind.TASK,
    start_at=None,
    due_at=None,
    record=None,
    results=None,
    notes: str = "",
    created_by=None,
) -> Activity:
    """Create an activity (by hand, or for a process step through activity_create_for_step)."""
    start_at = start_at or timezone.now()
    due_at = due_at or start_at + DEFAULT_LENGTH
    if due_at < start_at:
        raise ActivityError(_("The due time must not be before the start."))
    with transaction.atomic():
        return Activity.objects.create(
            title=title[:300],
            kind=kind,
            owner=owner,
            owner_role=owner_role,
            start_at=start_at,
            due_at=due_at,
            allowed_results=list(results or []),
            notes=notes,
            created_by=created_by,
            **_record_fields(record),
        )


def activity_create_for_step(*, step) -> Activity | None:
    """The activity of a "Perform task" step (or one with flowdesk:createActivity).

    Idempotent: a step has at most one activity (a unique constraint says so). One
    INSERT ... ON CONFLICT DO NOTHING on the hot path (a step activating), the
    existing activity read only when the step already had one.
    """
    spec = spec_for(step)
    if not spec.has_activity:
        return None
    instance = step.instance
    record = connected_record(instance)
    start = step.started_at or timezone.now()
    now = timezone.now()
    activity = Activity(
        step=step,
        title=(step.name or step.element_id)[:300],
        kind=Activity.Kind.TASK,
        owner_id=step.owner_id,
        owner_role_id=step.owner_role_id,
        start_at=step.postponed_until or start,
        due_at=step.due_at or (step.postponed_until or start) + DEFAULT_LENGTH,
        allowed_results=list(spec.results),
        process_name=instance.definition.name[:200],
        notes=spec.hint,
        created_by_id=instance.started_by_id,
        created_at=now,
        modified_at=now,
        **_record_fields(record),
    )
    if _insert_unless_step_has_one(activity):
        return activity
    return Activity.objects.filter(step=step).first()


_INSERT_SQL = None
_INSERT_PREP = None


def _insert_unless_step_has_one(activity: Activity) -> bool:
    """Insert the step's activity; False (nothing written) when the step has one already."""
    global _INSERT_SQL, _INSERT_PREP
    if _INSERT_SQL is None:
        quote = connection.ops.quote_name
        fields = [f for f in Activity._meta.concrete_fields if not f.primary_key]
        _INSERT_PREP = [(f.attname, f.get_db_prep_save) for f in fields]
        columns = ", ".join(quote(f.column) for f in fields)
        values = ", ".join(["%s"] * len(fields))
        step_column = quote(Activity._meta.get_field("step").column)
        # Only model metadata goes into the text; the conflict target is the partial
        # unique index uniq_activity_step.
        _INSERT_SQL = (
            f"INSERT INTO {quote(Activity._meta.db_table)} ({columns}) VALUES ({values}) "  # noqa: S608
            f"ON CONFLICT ({step_column}) WHERE {step_column} IS NOT NULL DO NOTHING "
            f"RETURNING {quote('id')}"
        )
    params = [prep(getattr(activity, attname), connection) for attname, prep in _INSERT_PREP]
    with statement_cursor() as cursor:
        cursor.execute(_INSERT_SQL, params)
        row = cursor.fetchone()
    if row is None:
        return False
    activity.pk = row[0]
    activity._state.adding = False
    activity._state.db = connection.alias
    return True


def _lock(activity_id: int) -> Activity:
    activity = (
        Activity.objects.select_for_update(of=("self",))
        .select_related("step", "owner", "owner_role")
        .filter(pk=activity_id)
        .first()
    )
    if activity is None:
        raise ActivityError(_("There is no such activity."))
    return activity


def _refuse_unless_allowed(activity, user):
    if not activity.can_be_done_by(user):
        owner = activity.owner_label or _("nobody")
        raise ActivityError(
            _("This activity belongs to %(owner)s: only they can change it.") % {"owner": owner}
        )


def activity_complete(*, activity_id: int, user, result: str) -> Activity:
    """Complete an activity with one of its results; its process step completes with it.

    Refused when the activity is already done (another tab, a colleague of its role).
    """
    with transaction.atomic():
        activity = _lock(activity_id)
        if not activity.is_open:
            raise ActivityError(_("This activity is already done."))
        _refuse_unless_allowed(activity, user)
        if result not in activity.results:
            raise ActivityError(
                _("Choose one of the results: %(results)s.")
                % {"results": ", ".join(activity.results)}
            )
        step = activity.step
        if step is not None and step.status == "waiting":
            if not opens_as_activity(step):
                raise ActivityError(_("Fill in the step's page first: open it from this activity."))
            try:
                step_services.step_complete_stored(
                    instance_id=step.instance_id,
                    step_number=step.number,
                    user=user,
                    result=result,
                )
            except StepNotAvailable as error:
                raise ActivityError(str(error)) from None
            except ProcessError as error:
                raise ActivityError(str(error)) from None
        activity.status = Activity.Status.COMPLETED
        activity.result = result
        activity.completed_at = timezone.now()
        activity.save(update_fields=["status", "result", "completed_at", "modified_at"])
    return activity


def activity_reschedule(*, activity_id: int, user, start_at, due_at, notes=None) -> Activity:
    """New Start and Due times ("if you cannot complete the activity immediately").

    A process step whose activity now starts in the future is postponed to that time.
    """
    if due_at < start_at:
        raise ActivityError(_("The due time must not be before the start."))
    with transaction.atomic():
        activity = _lock(activity_id)
        if not activity.is_open:
            raise ActivityError(_("This activity is already done."))
        _refuse_unless_allowed(activity, user)
        activity.start_at, activity.due_at = start_at, due_at
        fields = ["start_at", "due_at", "modified_at"]
        if notes is not None:
            activity.notes = notes
            fields.append("notes")
        activity.save(update_fields=fields)
        step = activity.step
        if step is not None and step.status == "waiting" and start_at > timezone.now():
            step_services.step_postpone(
                instance_id=step.instance_id,
                step_number=step.number,
                user=user,
                until=start_at,
            )
    return activity


def activity_reassign(*, activity_id: int, user, owner=None, role=None) -> Activity:
    """Give the activity (and its process step) to another user or role."""
    if (owner is None) == (role is None):
        raise ActivityError(_("Choose either a user or a role."))
    with transaction.atomic():
        activity = _lock(activity_id)
        if not activity.is_open:
            raise ActivityError(_("This activity is already done."))
        if not (user.is_staff or activity.can_be_done_by(user)):
            _refuse_unless_allowed(activity, user)
        step = activity.step
        if step is not None and step.status == "waiting":
            try:
                step_services.step_reassign(
                    instance_id=step.instance_id,
                    step_number=step.number,
                    user=user,
                    owner=owner,
                    role=role,
                )
            except ProcessError as error:
                raise ActivityError(str(error)) from None
        activity.owner, activity.owner_role = owner, role
        activity.save(update_fields=["owner", "owner_role", "modified_at"])
    return activity


# -- following the steps (called by receivers of processes.signals) --------------------


def activity_close_for_step(*, step, status: str) -> None:
    """A step closed (completed with a result, or canceled): so does its activity.

    One UPDATE (it locks the row it changes), built once: it is on the path of every
    user step's completion. An activity already closed is left alone."""
    global _CLOSE_SQL
    if _CLOSE_SQL is None:
        quote = connection.ops.quote_name
        column = {name: quote(Activity._meta.get_field(name).column) for name in _CLOSE_FIELDS}
        # Only model metadata goes into the text; values are parameters.
        _CLOSE_SQL = (
            f"UPDATE {quote(Activity._meta.db_table)} SET "  # noqa: S608
            f"{column['completed_at']} = %s, {column['modified_at']} = %s, "
            f"{column['status']} = %s, "
            f"{column['result']} = CASE WHEN %s THEN %s ELSE {column['result']} END "
            f"WHERE {column['step']} = %s AND {column['status']} = %s"
        )
    now = timezone.now()
    completed = status == "completed"
    result = (step.result or "")[:200] if completed else ""
    with statement_cursor() as cursor:
        cursor.execute(
            _CLOSE_SQL,
            [
                step.completed_at or now,
                now,
                Activity.Status.COMPLETED if completed else Activity.Status.CANCELED,
                bool(result),
                result,
                step.pk,
                Activity.Status.OPEN,
            ],
        )


_CLOSE_SQL = None
_CLOSE_FIELDS = ("completed_at", "modified_at", "status", "result", "step")


def activity_follow_step(*, step) -> None:
    """A step's owner or postponement changed: its activity follows."""
    with transaction.atomic():
        activity = (
            Activity.objects.select_for_update()
            .filter(step=step, status=Activity.Status.OPEN)
            .first()
        )
        if activity is None:
            return
        fields = []
        if (activity.owner_id, activity.owner_role_id) != (step.owner_id, step.owner_role_id):
            activity.owner_id, activity.owner_role_id = step.owner_id, step.owner_role_id
            fields += ["owner", "owner_role"]
        if step.postponed_until and step.postponed_until > activity.start_at:
            length = max(activity.due_at - activity.start_at, timedelta(minutes=15))
            activity.start_at = step.postponed_until
            activity.due_at = max(activity.due_at, step.postponed_until + length)
            fields += ["start_at", "due_at"]
        if fields:
            activity.save(update_fields=[*fields, "modified_at"])
