"""Writes on user steps: submit a page, postpone, reassign, release postponed steps.

Each locks the step's instance row (the one lock every change of an instance
takes) and refuses a step that is done or not the user's; completing goes
through the instance's locked entry point (processes.instances.step_complete).
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from processes import clock, persistence, signals
from processes.engine import EngineError
from processes.errors import ProcessError, StepNotAvailable
from processes.instances import step_complete
from processes.models import ProcessInstance, Step
from processes.user_steps.spec import spec_for, stored_page


class StepNotYours(ProcessError):
    """The user is neither the step's owner nor a member of its owner role."""

    def __init__(self, step):
        self.step = step
        if step.owner_id is not None and step.owner is not None:
            message = _("This step belongs to %(owner)s: only they can open or complete it.") % {
                "owner": step.owner_label
            }
        elif step.owner_role_id is not None:
            message = _(
                "This step is for the role “%(role)s”: only its members can open or complete it."
            ) % {"role": step.owner_label}
        else:
            message = _("This step has no owner yet: no one can complete it.")
        super().__init__(message)


def _lock_waiting_step(instance_id: int, step_number: int, user=None) -> Step:
    """Lock the instance row and return its waiting user step, refusing a step that is
    done or not the user's."""
    ProcessInstance.objects.select_for_update(of=("self",)).filter(pk=instance_id).exists()
    step = (
        Step.objects.select_related(
            "owner", "owner_role", "instance__version", "instance__definition"
        )
        .defer("instance__version__bpmn_xml")
        .filter(instance_id=instance_id, number=step_number)
        .first()
    )
    if step is None or step.status != Step.Status.WAITING or not step.is_user_step:
        raise StepNotAvailable(_("This step is already done."))
    if user is not None and not step.can_be_done_by(user):
        raise StepNotYours(step)
    return step


def _waiting_user_step(locked, step_number: int, user) -> Step:
    """The waiting user step of an instance read by persistence.lock_instance, refusing
    a step that is done or not the user's."""
    step = locked[1].get(step_number) if locked is not None else None
    if step is None or step.status != Step.Status.WAITING or not step.is_user_step:
        raise StepNotAvailable(_("This step is already done."))
    if user is not None and not step.can_be_done_by(user):
        raise StepNotYours(step)
    return step


def _announce_changed(step, **extra) -> None:
    # In the caller's transaction: the step's activity follows it in the same commit.
    signals.step_changed.send(sender=Step, step=step, **extra)


def step_submit_page(
    *,
    instance_id: int,
    step_number: int,
    user,
    variables: dict | None = None,
    result: str = "",
    before=None,
) -> bool:
    """Submit a step's page for its owner. Returns True when the step completed.

    `before(step)` runs first in the same transaction (saving the record of an edit
    page, queueing an email). A step whose element asks for an activity
    (flowdesk:createActivity) only keeps the page's values: its activity,
    completed with a result, completes the step with them (`step_complete_stored`);
    unless the page's answer already is one of the activity's results (a question
    answered with a single answer that names a result), which completes both at once.
    Refused with StepNotAvailable when the step is already done (a second tab, a
    colleague of the same role) and StepNotYours for anyone but its owner.
    """
    with transaction.atomic():
        # One round trip: the instance locked with its open steps, which the completion
        # below takes as they are (nothing else can change them under the lock).
        locked = persistence.lock_instance(instance_id)
        step = _waiting_user_step(locked, step_number, user)
        spec = spec_for(step)
        if before is not None:
            before(step)
            locked = None  # what it saved may have changed the instance: read it again
        if spec.page_before_activity and not (spec.page == "question" and result):
            if stored_page(step):
                raise StepNotAvailable(_("This step is already done."))
            step.data = {
                **(step.data or {}),
                "page": {
                    "values": dict(variables or {}),
                    "result": result,
                    "by": user.pk,
                    "at": clock.now().isoformat(),
                },
            }
            Step.objects.filter(pk=step.pk).update(data=step.data)
            _announce_changed(step)
            return False
        try:
            step_complete(
                instance_id=instance_id,
                step_number=step_number,
                user=user,
                variables=variables,
                result=result,
                locked=locked,
            )
        except EngineError as error:
            raise ProcessError(str(error)) from None
    return True


def step_complete_stored(*, instance_id: int, step_number: int, user=None, result: str = ""):
    """Complete a step with the values its page stored and the result its activity got."""
    with transaction.atomic():
        step = _lock_waiting_step(instance_id, step_number)
        page = stored_page(step)
        variables = dict(page.get("values") or {})
        try:
            return step_complete(
                instance_id=instance_id,
                step_number=step_number,
                user=user,
                variables=variables,
                result=result or page.get("result", ""),
            )
        except EngineError as error:
            raise ProcessError(str(error)) from None


def step_postpone(*, instance_id: int, step_number: int, user, until) -> Step:
    """Postpone a waiting step ("Perform later", "Close") to a time the owner picks.

    The step stays with its owner; panels show the new time at once and count the
    step again when the time comes (`steps_release_postponed`).
    """
    if until is None or until <= clock.now():
        raise ProcessError(_("Choose a date and time in the future."))
    with transaction.atomic():
        step = _lock_waiting_step(instance_id, step_number, user)
        step.postponed_until = until
        Step.objects.filter(pk=step.pk).update(postponed_until=until)
        _announce_changed(step)
    return step


def step_reassign(*, instance_id: int, step_number: int, user, owner=None, role=None) -> Step:
    """Give a waiting step to another user or role; its activity and panels follow.

    Its owner (or a member of its role), or an administrator, may do this.
    """
    if (owner is None) == (role is None):
        raise ProcessError(_("Choose either a user or a role."))
    with transaction.atomic():
        step = _lock_waiting_step(instance_id, step_number)
        if not (user.is_staff or step.can_be_done_by(user)):
            raise StepNotYours(step)
        previous_owner_id, previous_role_id = step.owner_id, step.owner_role_id
        step.owner, step.owner_role = owner, role
        Step.objects.filter(pk=step.pk).update(owner=owner, owner_role=role, postponed_until=None)
        step.postponed_until = None
        _announce_changed(
            step, previous_owner_id=previous_owner_id, previous_role_id=previous_role_id
        )
    return step


def steps_release_postponed(*, now=None) -> int:
    """Announce every step whose postponement has just passed, so panels count it again.

    Each step is claimed with a conditional UPDATE: two sweeps never announce it twice.
    """
    now = now or clock.now()
    released = 0
    due = Step.objects.filter(
        status=Step.Status.WAITING, is_user_step=True, postponed_until__lte=now
    ).values_list("pk", "postponed_until")
    for pk, until in list(due):
        with transaction.atomic():
            claimed = Step.objects.filter(pk=pk, postponed_until=until).update(postponed_until=None)
            if claimed:
                step = Step.objects.select_related("instance").get(pk=pk)
                _announce_changed(step)
                released += 1
    return released


def refuse_unless_waiting(*, instance_id: int, step_number: int, user=None) -> Step:
    """Lock a step's instance for the rest of the caller's transaction; refuse a step
    that is done or not the user's (the same refusals as `step_submit_page`)."""
    with transaction.atomic():
        return _lock_waiting_step(instance_id, step_number, user)
