"""Writes on cases: one transaction each, history rows written alongside, emails,
signals and process steps after commit.

Every path that changes who works on a case (create, a status move, take,
reassign, escalate) ends in `_after_assignment`, so the assignee / group
notification and the diagnosis task follow the same rules whichever way the
case got there.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases import calendars, signals
from cases.models import Case, CaseCategory, CaseEvent, CaseStatus, ServiceTerm
from crm.email import TemplateMissing, send_templated_email

logger = logging.getLogger(__name__)

DIAGNOSIS_PROCESS = "case_diagnosis"
DIAGNOSIS_BPMN = "bpmn/case_diagnosis.bpmn"

RESULT_SOLVED = "Solution found"
RESULT_CANCELED = "Canceled"
RESULT_WAITING = "Additional information required"
RESULT_ESCALATED = "Escalation required"

CASE_FIELDS = (
    "description",
    "category",
    "priority",
    "contact",
    "account",
    "service_agreement",
    "service",
    "configuration_item",
    "support_level",
    "assignee",
    "assignee_group",
    "parent",
)
_UNCHANGED = object()


class CaseError(Exception):
    """A refused change, with a message meant for the person who asked."""


class CaseTaken(CaseError):
    def __init__(self, message, holder=None):
        super().__init__(message)
        self.holder = holder


def _status(code) -> CaseStatus:
    return CaseStatus.objects.get(code=code)


def _locked(case_id) -> Case:
    # The row lock orders concurrent writers on one case (status moves, assignment).
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related(
            "status",
            "service_agreement__calendar",
            "priority",
            "category",
            "contact",
            "assignee",
            "assignee_group",
        )
        .get(pk=case_id)
    )


def _event(case, kind, actor=None, text="", **data) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=actor, text=text, data=data)


def _who(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "N j, Y, H:i") if moment else ""


def case_url(case) -> str:
    return settings.SITE_URL.rstrip("/") + case.get_absolute_url()


# -- deadlines --------------------------------------------------------------------


def term_for(case) -> ServiceTerm | None:
    """The agreement's term for the case's service and priority (a service-specific term
    wins over the agreement's any-service term)."""
    if case.service_agreement_id is None or case.priority_id is None:
        return None
    terms = ServiceTerm.objects.filter(
        agreement_id=case.service_agreement_id, priority_id=case.priority_id
    )
    if case.service_id:
        exact = terms.filter(service_id=case.service_id).first()
        if exact is not None:
            return exact
    return terms.filter(service__isnull=True).first()


def _compute_deadlines(case) -> None:
    term = term_for(case)
    if term is None:
        case.response_due = case.resolution_due = None
        return
    schedule = calendars.schedule_for_agreement(case.service_agreement)
    case.response_due = calendars.deadline(
        schedule, case.registered_at, term.response_time, case.paused_time
    )
    case.resolution_due = calendars.deadline(
        schedule, case.registered_at, term.resolution_time, case.paused_time
    )


# -- create -----------------------------------------------------------------------


def case_create(*, created_by=None, subject: str, tags=(), registered_at=None, **fields) -> Case:
    """Register a New case: number, deadlines from its agreement, history; then notify
    its assignee or group and start the diagnosis task when the rules say so."""
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        case = Case(subject=subject, status=_status("new"), created_by=created_by, **fields)
        if registered_at is not None:
            case.registered_at = registered_at
        if case.account_id is None and case.contact is not None:
            case.account_id = case.contact.account_id
        if case.category_id is None and case.service_agreement is not None:
            case.category_id = case.service_agreement.category_id
        _compute_deadlines(case)
        case.save()
        # The number comes from the primary key's sequence: unique under any concurrency.
        case.number = f"SR-{case.pk:05d}"
        Case.objects.filter(pk=case.pk).update(number=case.number)
        if tags:
            case.tags.set(tags)
        _event(case, CaseEvent.Kind.CREATED, created_by, case.subject)
        if case.assignee_id or case.assignee_group_id:
            _after_assignment(case, created_by, reason="created")
    return case


# -- status -----------------------------------------------------------------------


def case_set_status(*, case, status: CaseStatus, user=None) -> Case:
    """Move a case along the workflow bar.

    Refused (CaseError with the reason) from a final status or to a status not
    allowed next. "In progress" makes the mover the assignee and emails the
    customer the resolution deadline; a pause status stops the deadline clock
    until the case leaves it.
    """
    with transaction.atomic():
        case = _locked(case.pk)
        refusal = case.move_refusal(status)
        if refusal:
            raise CaseError(refusal)
        old = case.status
        now = timezone.now()
        if old.is_paused and not status.is_paused and case.paused_at is not None:
            schedule = calendars.schedule_for_agreement(case.service_agreement)
            paused = calendars.working_time_between(schedule, case.paused_at, now)
            case.paused_seconds += int(paused.total_seconds())
            case.paused_at = None
            _compute_deadlines(case)
        elif status.is_paused and not old.is_paused:
            case.paused_at = now
        assignee_changed = False
        if status.code == "in_progress" and user is not None and case.assignee_id != user.pk:
            case.assignee = user
            assignee_changed = True
        if case.responded_at is None and status.code != "new":
            case.responded_at = now
        if status.is_resolved and case.resolved_at is None:
            case.resolved_at = now
        elif not status.is_resolved:
            case.resolved_at = None
        case.status = status
        case.save()
        _event(
            case, CaseEvent.Kind.STATUS, user, f"{old} → {status}", old=old.name, new=status.name
        )
        if assignee_changed:
            _event(
                case,
                CaseEvent.Kind.ASSIGNMENT,
                user,
                _("Assignee: %(name)s") % {"name": _who(user)},
                assignee=user.pk,
            )
        if status.code == "in_progress":
            _email_customer_in_progress(case, user)
        from cases.customer.services import after_status_change

        after_status_change(case=case, old=old, new=status, user=user)
        if status.is_active and (assignee_changed or not old.is_active):
            _after_assignment(case, user, reason="status", assignment_changed=assignee_changed)
        else:
            _sync_diagnosis(case, user, assignment_changed=assignee_changed)
        transaction.on_commit(
            lambda: signals.case_status_changed.send(
                sender=Case, case=case, old_status=old, new_status=status, actor=user
            )
        )
    return case


def _email_customer_in_progress(case, user) -> None:
    contact = case.contact
    if contact is None or not contact.email:
        return
    context = {
        "case": case,
        "contact_name": contact.full_name,
        "agent_name": _who(user),
        "resolution_due": _when(case.resolution_due),
        "url": case_url(case),
    }
    try:
        message = send_templated_email(code="case_in_progress", to=[contact.email], context=context)
    except TemplateMissing:
        logger.warning("message template case_in_progress is missing; no email sent")
        return
    _event(
        case,
        CaseEvent.Kind.EMAIL,
        user,
        message.subject,
        to=message.to,
        body=message.text,
        direction="out",
    )


# -- assignment -------------------------------------------------------------------


def _after_assignment(case, actor, *, reason, assignment_changed=True) -> None:
    """Notify who now works on an active case, and keep its diagnosis task with them."""
    _sync_diagnosis(case, actor, assignment_changed=assignment_changed)
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
    assigned_to = _who(case.assignee) if case.assignee_id else str(case.assignee_group)
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
                    "resolution_due": _when(case.resolution_due),
                },
            )
        except TemplateMissing:
            logger.warning("message template case_assignee is missing; no email sent")
    transaction.on_commit(
        lambda: signals.case_assignment_announced.send(
            sender=Case, case=case, recipients=recipients, actor=actor, reason=reason
        )
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
        case = _locked(case.pk)
        if case.status.is_final:
            raise CaseError(
                _("“%(status)s” is a final status: the case cannot be reassigned.")
                % {"status": case.status}
            )
        changes = []
        if assignee is not _UNCHANGED and case.assignee_id != getattr(assignee, "pk", None):
            case.assignee = assignee
            changes.append(_("Assignee: %(name)s") % {"name": _who(assignee) or "—"})
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
        _event(
            case,
            kind,
            user,
            text,
            assignee=case.assignee_id,
            group=case.assignee_group_id,
            level=case.support_level_id,
        )
        _after_assignment(case, user, reason="escalated" if escalation else "reassigned")
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
                % {"name": _who(holder.assignee), "case": holder.number},
                holder=holder.assignee,
            )
        case = _locked(case_id)
        _event(
            case,
            CaseEvent.Kind.ASSIGNMENT,
            user,
            _("%(name)s took the case") % {"name": _who(user)},
            assignee=user.pk,
        )
        _after_assignment(case, user, reason="taken")
    return case


def case_take_next(*, user) -> Case | None:
    """Take the first case of the user's queues that nobody has taken meanwhile."""
    from cases import selectors

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
        case = _locked(case.pk)
        case.postponed_until = until
        case.save(update_fields=["postponed_until", "modified_at"])
        _event(
            case,
            CaseEvent.Kind.POSTPONED,
            user,
            _("Postponed until %(when)s") % {"when": _when(until)},
        )
    return case


# -- reclassify, parent, notes ----------------------------------------------------------


def case_reclassify(
    *, case, user=None, service_agreement, service=_UNCHANGED, priority=_UNCHANGED
) -> Case:
    """Put the case under another service agreement: its category and terms follow,
    and both deadlines are computed again."""
    with transaction.atomic():
        case = _locked(case.pk)
        old = (case.service_agreement, case.response_due, case.resolution_due)
        case.service_agreement = service_agreement
        if service is not _UNCHANGED:
            case.service = service
        if priority is not _UNCHANGED and priority is not None:
            case.priority = priority
        if service_agreement is not None and service_agreement.category_id:
            case.category = service_agreement.category
        _compute_deadlines(case)
        case.save()
        _event(
            case,
            CaseEvent.Kind.RECLASSIFIED,
            user,
            _("%(old)s → %(new)s; resolution deadline %(due)s")
            % {
                "old": old[0] or "—",
                "new": service_agreement or "—",
                "due": _when(case.resolution_due) or "—",
            },
            old_resolution_due=old[2].isoformat() if old[2] else None,
        )
    return case


def case_set_parent(*, case, parent, user=None) -> Case:
    """Link the case to an identical one (its Parent case); refused for loops."""
    with transaction.atomic():
        case = _locked(case.pk)
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == case.pk:
                raise CaseError(
                    _("A case cannot be its own parent, directly or through another case.")
                )
            ancestor = ancestor.parent
        case.parent = parent
        case.save(update_fields=["parent", "modified_at"])
        _event(case, CaseEvent.Kind.PARENT, user, str(parent), parent=parent.pk)
    return case


def case_add_note(*, case, user, text: str) -> CaseEvent:
    """An internal note to colleagues; the customer never sees it."""
    text = (text or "").strip()
    if not text:
        raise CaseError(_("Write the note before adding it."))
    with transaction.atomic():
        return _event(case, CaseEvent.Kind.NOTE, user, text)


def case_link_article(*, case, article, user=None) -> Case:
    with transaction.atomic():
        case.articles.add(article)
    return case


# -- the diagnosis process ------------------------------------------------------------


def diagnosis_definition(*, user=None):
    """The built-in diagnosis process, imported from cases/bpmn on first use."""
    from pathlib import Path

    from processes.models import ProcessDefinition
    from processes.services import process_import

    definition = ProcessDefinition.objects.filter(code=DIAGNOSIS_PROCESS).first()
    if definition is None:
        data = (Path(__file__).parent / DIAGNOSIS_BPMN).read_bytes()
        process_import(data=data, user=user)
        definition = ProcessDefinition.objects.get(code=DIAGNOSIS_PROCESS)
        ProcessDefinition.objects.filter(pk=definition.pk).update(is_system=True)
        definition.is_system = True
    return definition


def diagnosis_step(case):
    """The case's open diagnosis task (a waiting user step), if any."""
    from processes.models import Step

    return (
        Step.objects.filter(
            instance__definition__code=DIAGNOSIS_PROCESS,
            instance__record_type=ContentType.objects.get_for_model(Case),
            instance__record_id=str(case.pk),
            instance__status="running",
            status="waiting",
            is_user_step=True,
        )
        .select_related("owner", "instance")
        .order_by("-instance_id", "-number")
        .first()
    )


def _sync_diagnosis(case, actor, *, assignment_changed=False) -> None:
    """Close the diagnosis task the way the case moved; start one for its assignee when
    an incident is active and assigned."""
    from processes.services import ProcessError, instance_start, step_complete

    step = diagnosis_step(case)
    result = ""
    if case.status.is_resolved:
        result = RESULT_SOLVED
    elif case.status.code == "canceled" or (case.status.is_final and not case.status.is_resolved):
        result = RESULT_CANCELED
    elif case.status.is_paused:
        result = RESULT_WAITING
    elif assignment_changed or (step is not None and step.owner_id != case.assignee_id):
        result = RESULT_ESCALATED
    if step is not None and result:
        step_complete(
            instance_id=step.instance_id, step_number=step.number, user=actor, result=result
        )
        step = None
    is_incident = case.category_id is not None and case.category.code == "incident"
    if step is None and is_incident and case.status.is_active and case.assignee_id:
        definition = diagnosis_definition(user=actor)
        if not definition.is_active:
            return
        try:
            instance_start(
                definition=definition,
                variables={
                    "case_id": case.pk,
                    "case_number": case.number or "",
                    "assignee": case.assignee.get_username(),
                },
                user=actor,
                record=case,
                run_now=True,
            )
        except ProcessError:
            logger.exception("could not start the diagnosis process for case %s", case.pk)


def category_by_code(code):
    return CaseCategory.objects.filter(code=code).first()


__all__ = [
    "CaseError",
    "CaseTaken",
    "case_add_note",
    "case_assign",
    "case_create",
    "case_escalate",
    "case_postpone",
    "case_reclassify",
    "case_set_parent",
    "case_set_status",
    "case_take",
    "case_take_next",
    "diagnosis_definition",
    "diagnosis_step",
    "term_for",
]
