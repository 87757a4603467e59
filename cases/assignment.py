"""Who works on a case: reassign, escalate, take (one winner of two), take next,
postpone. One transaction each.

Every path that changes who works on a case (create, a status move, take,
reassign, escalate) ends in `assignment_announce`, so the assignee / group
notification and the diagnosis task follow the same rules whichever way the
case got there.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import selectors, signals
from cases.diagnosis import diagnosis_sync
from cases.errors import CaseError, CaseTaken
from cases.history import case_locked, case_url, event_add, moment_text, person_name
from cases.models import Case, CaseEvent
from crm.email import TemplateMissing, send_templated_email

logger = logging.getLogger(__name__)

_UNCHANGED = object()


# -- assignment -------------------------------------------------------------------


def assignment_announce(case, actor, *, reason, assignment_changed=True) -> None:
    """Notify who now works on an active case, and keep its diagnosis task with them."""
    diagnosis_sync(case, actor, assignment_changed=assignment_changed)
    if not case.status.is_active:
        return
    if case.assignee_id:
        recipients = [case.assignee]
    elif case.assignee_group_id:
        recipients = list(case.assignee_group.user_set.filter(is_active=True).order_by("username"))
    else:
        return
    # Whoever made the change already knows.
    recipients = [u for u in recipients if actor is None or u.pk != actor.pk]
    if not recipients:
        return
    assigned_to = person_name(case.assignee) if case.assignee_id else str(case.assignee_group)
    emails = [u.email for u in recipients if u.email]
    if emails:
        try:
            send_templated_email(
                code="case_assignee",
                to=emails,
                context={
                    "case": case,
                    "assigned_to": assigned_to,
                    "url": case_url(case),
                    "resolution_due": moment_text(case.resolution_due),
                },
            )
        except TemplateMissing:
            logger.warning("message template case_assignee is missing; no email sent")
    signals.case_assignment_announced.send(
        sender=Case, case=case, recipients=recipients, actor=actor, reason=reason
    )


def case_assign(
    *,
    case,
    user=None,
    assignee=_UNCHANGED,
    assignee_group=_UNCHANGED,
    support_level=_UNCHANGED,
    note="",
    escalation=False,
) -> Case:
    """Reassign a case (assignee and/or group); the old diagnosis task closes with
    "Escalation required" and the new assignee, or the group, is notified."""
    with transaction.atomic():
        case = case_locked(case.pk)
        if case.status.is_final:
            raise CaseError(
                _("“%(status)s” is a final status: the case cannot be reassigned.")
                % {"status": case.status}
            )
        changes = []
        if assignee is not _UNCHANGED and case.assignee_id != getattr(assignee, "pk", None):
            case.assignee = assignee
            changes.append(_("Assignee: %(name)s") % {"name": person_name(assignee) or "—"})
        if assignee_group is not _UNCHANGED and case.assignee_group_id != getattr(
            assignee_group, "pk", None
        ):
            case.assignee_group = assignee_group
            changes.append(_("Assignee group: %(name)s") % {"name": assignee_group or "—"})
        if support_level is not _UNCHANGED and case.support_level_id != getattr(
            support_level, "pk", None
        ):
            case.support_level = support_level
            changes.append(_("Support level: %(name)s") % {"name": support_level or "—"})
        if not changes:
            return case
        if case.assignee_id:
            case.postponed_until = None
        case.save()
        kind = CaseEvent.Kind.ESCALATION if escalation else CaseEvent.Kind.ASSIGNMENT
        text = "; ".join(changes) + (f"\n{note}" if note else "")
        event_add(
            case,
            kind,
            user,
            text,
            assignee=case.assignee_id,
            group=case.assignee_group_id,
            level=case.support_level_id,
        )
        assignment_announce(case, user, reason="escalated" if escalation else "reassigned")
    return case


def case_escalate(
    *, case, user=None, support_level=None, assignee=None, assignee_group=None, note=""
) -> Case:
    """Escalate to a support level and a new assignee or group; refused with what is
    missing when neither a new assignee nor a new group is given."""
    missing = []
    if support_level is None:
        missing.append(_("the new support level"))
    if assignee is None and assignee_group is None:
        missing.append(_("a new assignee or assignee group"))
    if missing:
        raise CaseError(
            _("To escalate the case, choose %(what)s.") % {"what": _(" and ").join(missing)}
        )
    if (
        getattr(assignee, "pk", None) == case.assignee_id
        and getattr(assignee_group, "pk", None) == case.assignee_group_id
    ):
        raise CaseError(
            _(
                "The case is already with this assignee and group: choose a new "
                "assignee or assignee group to escalate it."
            )
        )
    return case_assign(
        case=case,
        user=user,
        assignee=assignee,
        assignee_group=assignee_group,
        support_level=support_level,
        note=note,
        escalation=True,
    )


def case_take(*, case_id: int, user) -> Case:
    """Take an unassigned case. Of two agents taking it at once one gets it; the other
    gets CaseTaken naming who has it."""
    with transaction.atomic():
        # Conditional UPDATE: the second of two concurrent takers waits on the row lock,
        # then finds the WHERE no longer true and changes nothing.
        changed = Case.objects.filter(pk=case_id, assignee__isnull=True).update(
            assignee=user, postponed_until=None, modified_at=timezone.now()
        )
        if changed != 1:
            holder = Case.objects.filter(pk=case_id).select_related("assignee").first()
            if holder is None:
                raise CaseError(_("This case no longer exists."))
            raise CaseTaken(
                _("%(name)s has already taken %(case)s.")
                % {"name": person_name(holder.assignee), "case": holder.number},
                holder=holder.assignee,
            )
        case = case_locked(case_id)
        event_add(
            case,
            CaseEvent.Kind.ASSIGNMENT,
            user,
            _("%(name)s took the case") % {"name": person_name(user)},
            assignee=user.pk,
        )
        assignment_announce(case, user, reason="taken")
    return case


def case_take_next(*, user) -> Case | None:
    """Take the first case of the user's queues that nobody has taken meanwhile."""
    for case_id in selectors.next_case_ids(user=user, limit=25):
        try:
            return case_take(case_id=case_id, user=user)
        except CaseTaken:
            continue
    return None


def case_postpone(*, case, user, until) -> Case:
    """Hide a case from the desktop queues until `until`."""
    if until <= timezone.now():
        raise CaseError(_("Choose a time in the future to postpone the case until."))
    with transaction.atomic():
        case = case_locked(case.pk)
        case.postponed_until = until
        case.save(update_fields=["postponed_until", "modified_at"])
        event_add(
            case,
            CaseEvent.Kind.POSTPONED,
            user,
            _("Postponed until %(when)s") % {"when": moment_text(until)},
        )
    return case


def case_return_to_queue(*, case, user) -> Case:
    """The assignee gives the case back: nobody is assigned, the group keeps it, and
    it waits in the group's (or the unassigned) queue for the next taker."""
    if case.assignee_id is None:
        raise CaseError(
            _("Nobody works on %(case)s: it is in the queue already.") % {"case": case.number}
        )
    if case.assignee_id != user.pk:
        raise CaseError(
            _("%(name)s works on %(case)s: only they can return it to the queue.")
            % {"name": person_name(case.assignee), "case": case.number}
        )
    return case_assign(case=case, user=user, assignee=None, note=_("Returned to the queue"))


def case_bring_back(*, case, user) -> Case:
    """End a postponement early: the case is back in the desktop queues now."""
    with transaction.atomic():
        case = case_locked(case.pk)
        if case.postponed_until is None or case.postponed_until <= timezone.now():
            raise CaseError(_("%(case)s is not postponed.") % {"case": case.number})
        case.postponed_until = None
        case.save(update_fields=["postponed_until", "modified_at"])
        event_add(
            case,
            CaseEvent.Kind.POSTPONED,
            user,
            _("Back in the queue before the postponement ended"),
        )
    return case


__all__ = [
    "assignment_announce",
    "case_assign",
    "case_bring_back",
    "case_escalate",
    "case_postpone",
    "case_return_to_queue",
    "case_take",
    "case_take_next",
]
