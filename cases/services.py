"""Writes on cases: register, move along the workflow bar, reclassify, parent, note.
One transaction each, history rows written alongside, emails, signals and process
steps after commit. Who works on a case (reassign, escalate, take, postpone) is in
cases/assignment.py; both end in `assignment_announce`.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import calendars, signals
from cases.assignment import assignment_announce, case_assign
from cases.correspondence import emails as customer_emails
from cases.deadlines import deadlines_compute
from cases.diagnosis import diagnosis_sync
from cases.errors import CaseError, CaseTaken
from cases.history import case_locked, case_url, event_add, moment_text, person_name
from cases.models import Case, CaseEvent, CaseStatus
from crm.email import TemplateMissing, send_templated_email
from knowledge.services import article_process_start

logger = logging.getLogger(__name__)

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


# -- create -----------------------------------------------------------------------


def case_create(*, created_by=None, subject: str, tags=(), registered_at=None, **fields) -> Case:
    """Register a New case: number, deadlines from its agreement, history; then notify
    its assignee or group and start the diagnosis task when the rules say so."""
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        case = Case(subject=subject, status=CaseStatus.initial(), created_by=created_by, **fields)
        if registered_at is not None:
            case.registered_at = registered_at
        if case.account_id is None and case.contact is not None:
            case.account_id = case.contact.account_id
        if case.category_id is None and case.service_agreement is not None:
            case.category_id = case.service_agreement.category_id
        deadlines_compute(case)
        case.save()
        # The number comes from the primary key's sequence: unique under any concurrency.
        case.number = f"SR-{case.pk:05d}"
        Case.objects.filter(pk=case.pk).update(number=case.number)
        if tags:
            case.tags.set(tags)
        event_add(case, CaseEvent.Kind.CREATED, created_by, case.subject)
        if case.assignee_id or case.assignee_group_id:
            assignment_announce(case, created_by, reason="created")
    return case


# -- status -----------------------------------------------------------------------


def case_set_status(*, case, status: CaseStatus, user=None) -> Case:
    """Move a case along the workflow bar.

    Refused (CaseError with the reason) from a final status or to a status not
    allowed next. A work status (In progress) makes the mover the assignee and
    emails the customer the resolution deadline; a pause status stops the deadline
    clock until the case leaves it; a resolved status emails the satisfaction scale
    and may start the article process; a canceled one tells the customer.
    """
    with transaction.atomic():
        case = case_locked(case.pk)
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
            deadlines_compute(case)
        elif status.is_paused and not old.is_paused:
            case.paused_at = now
        assignee_changed = False
        if status.assigns_mover and user is not None and case.assignee_id != user.pk:
            case.assignee = user
            assignee_changed = True
        if case.responded_at is None and not status.is_initial:
            case.responded_at = now
        if status.is_resolved and case.resolved_at is None:
            case.resolved_at = now
        elif not status.is_resolved:
            case.resolved_at = None
        case.status = status
        case.save()
        event_add(
            case, CaseEvent.Kind.STATUS, user, f"{old} → {status}", old=old.name, new=status.name
        )
        if assignee_changed:
            event_add(
                case,
                CaseEvent.Kind.ASSIGNMENT,
                user,
                _("Assignee: %(name)s") % {"name": person_name(user)},
                assignee=user.pk,
            )
        if status.assigns_mover:
            _email_customer_work_started(case, user)
        if status.is_awaiting_rating:
            customer_emails.email_resolution(case, user)
            article_process_start(case=case, user=user)
        elif status.is_canceled:
            customer_emails.email_canceled(case, user)
        if status.is_active and (assignee_changed or not old.is_active):
            assignment_announce(case, user, reason="status", assignment_changed=assignee_changed)
        else:
            diagnosis_sync(case, user, assignment_changed=assignee_changed)
        signals.case_status_changed.send(
            sender=Case, case=case, old_status=old, new_status=status, actor=user
        )
    return case


def _email_customer_work_started(case, user) -> None:
    contact = case.contact
    if contact is None or not contact.email:
        return
    context = {
        "case": case,
        "contact_name": contact.full_name,
        "agent_name": person_name(user),
        "resolution_due": moment_text(case.resolution_due),
        "url": case_url(case),
    }
    try:
        message = send_templated_email(code="case_in_progress", to=[contact.email], context=context)
    except TemplateMissing:
        logger.warning("message template case_in_progress is missing; no email sent")
        return
    event_add(
        case,
        CaseEvent.Kind.EMAIL,
        user,
        message.subject,
        to=message.to,
        body=message.text,
        direction="out",
        message_id=message.message_id,
    )


# -- reclassify, parent, notes ----------------------------------------------------------


def case_reclassify(
    *, case, user=None, service_agreement, service=_UNCHANGED, priority=_UNCHANGED
) -> Case:
    """Put the case under another service agreement: its category and terms follow,
    and both deadlines are computed again."""
    with transaction.atomic():
        case = case_locked(case.pk)
        old = (case.service_agreement, case.response_due, case.resolution_due)
        case.service_agreement = service_agreement
        if service is not _UNCHANGED:
            case.service = service
        if priority is not _UNCHANGED and priority is not None:
            case.priority = priority
        if service_agreement is not None and service_agreement.category_id:
            case.category = service_agreement.category
        deadlines_compute(case)
        case.save()
        event_add(
            case,
            CaseEvent.Kind.RECLASSIFIED,
            user,
            _("%(old)s → %(new)s; resolution deadline %(due)s")
            % {
                "old": old[0] or "—",
                "new": service_agreement or "—",
                "due": moment_text(case.resolution_due) or "—",
            },
            old_resolution_due=old[2].isoformat() if old[2] else None,
        )
        # Into an incident agreement: the assigned agent gets the diagnosis task, as
        # when an assigned case becomes an active incident.
        diagnosis_sync(case, user)
    return case


def case_set_parent(*, case, parent, user=None) -> Case:
    """Link the case to an identical one (its Parent case); refused for loops."""
    with transaction.atomic():
        case = case_locked(case.pk)
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == case.pk:
                raise CaseError(
                    _("A case cannot be its own parent, directly or through another case.")
                )
            ancestor = ancestor.parent
        case.parent = parent
        case.save(update_fields=["parent", "modified_at"])
        event_add(case, CaseEvent.Kind.PARENT, user, str(parent), parent=parent.pk)
    return case


def case_add_note(*, case, user, text: str) -> CaseEvent:
    """An internal note to colleagues; the customer never sees it."""
    text = (text or "").strip()
    if not text:
        raise CaseError(_("Write the note before adding it."))
    with transaction.atomic():
        return event_add(case, CaseEvent.Kind.NOTE, user, text)


# -- edit in place --------------------------------------------------------------------

EDITABLE_FIELDS = ("subject", "description", "contact", "account", "priority")


def case_edit_refusal(case, user) -> str:
    """Why `user` may not edit the case, or "" when they may: staff and holders of the
    change permission edit any case; an agent edits a case nobody else works on."""
    if case.status.is_final:
        return _("“%(status)s” is a final status: the case cannot be edited.") % {
            "status": case.status
        }
    if user.is_staff or user.has_perm("cases.change_case"):
        return ""
    if case.assignee_id and case.assignee_id != user.pk:
        return _("%(name)s works on %(case)s: ask them or a supervisor to change it.") % {
            "name": person_name(case.assignee),
            "case": case.number,
        }
    if (
        case.assignee_id is None
        and case.assignee_group_id
        and not user.groups.filter(pk=case.assignee_group_id).exists()
    ):
        return _("%(case)s is with %(group)s: only its members can change it.") % {
            "case": case.number,
            "group": case.assignee_group,
        }
    return ""


def case_edit(
    *, case, user, tags=_UNCHANGED, assignee=_UNCHANGED, assignee_group=_UNCHANGED, **fields
) -> Case:
    """Change the case's profile in place: one History entry says who changed what;
    a new priority computes the deadlines again; a new assignee or group goes through
    the assignment rules (notification, diagnosis task)."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        case = case_locked(case.pk)
        refusal = case_edit_refusal(case, user)
        if refusal:
            raise CaseError(refusal)
        changes, changed = [], set()
        for name, value in fields.items():
            if (getattr(case, name) or "") == (value or ""):
                continue
            setattr(case, name, value)
            changed.add(name)
            label = str(Case._meta.get_field(name).verbose_name).capitalize()
            shown = _("changed") if name == "description" else (value or "—")
            changes.append(f"{label}: {shown}")
        if "priority" in changed:
            deadlines_compute(case)
        if changed:
            case.save()
        if tags is not _UNCHANGED:
            old_tags = set(case.tags.values_list("pk", flat=True))
            new_tags = {t.pk for t in tags}
            if old_tags != new_tags:
                case.tags.set(tags)
                names = ", ".join(sorted(str(t) for t in tags)) or "—"
                changes.append(_("Tags: %(names)s") % {"names": names})
        if changes:
            event_add(case, CaseEvent.Kind.EDITED, user, "\n".join(changes))
        who = {
            name: value
            for name, value in (("assignee", assignee), ("assignee_group", assignee_group))
            if value is not _UNCHANGED
        }
        if who:
            case = case_assign(case=case, user=user, **who)
    return case


__all__ = [
    "CaseError",
    "CaseTaken",
    "case_add_note",
    "case_create",
    "case_edit",
    "case_edit_refusal",
    "case_reclassify",
    "case_set_parent",
    "case_set_status",
]
