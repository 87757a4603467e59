"""Resolving a case that still has open tasks: complete, cancel or leave them."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from activities.models import Activity
from activities.services import ActivityError, activity_complete
from cases import services as case_services
from cases.errors import CaseError
from cases.history import event_add
from cases.models import Case, CaseEvent

TASKS_COMPLETE, TASKS_CANCEL, TASKS_LEAVE = "complete", "cancel", "leave"


def open_tasks(case):
    """Open activities connected to the case that no process manages (a process's own
    task, like the diagnosis task, closes with the case move)."""
    return (
        Activity.objects.filter(
            record_type=ContentType.objects.get_for_model(Case),
            record_id=str(case.pk),
            status=Activity.Status.OPEN,
            step__isnull=True,
        )
        .select_related("owner", "owner_role")
        .order_by("due_at", "pk")
    )


def case_set_status_with_tasks(*, case, status, user, tasks: str = TASKS_LEAVE) -> Case:
    """Move the case (to Resolved, typically) and complete, cancel or leave its open tasks."""
    if tasks not in (TASKS_COMPLETE, TASKS_CANCEL, TASKS_LEAVE):
        raise CaseError(_("Choose what to do with the open tasks."))
    with transaction.atomic():
        case = case_services.case_set_status(case=case, status=status, user=user)
        now = timezone.now()
        for activity in open_tasks(case).select_for_update(of=("self",)):
            if tasks == TASKS_COMPLETE:
                if activity.can_be_done_by(user):
                    try:
                        activity_complete(
                            activity_id=activity.pk, user=user, result=activity.results[0]
                        )
                        continue
                    except ActivityError:
                        pass
                activity.status = Activity.Status.COMPLETED
                activity.result = activity.results[0]
            elif tasks == TASKS_CANCEL:
                activity.status = Activity.Status.CANCELED
            else:
                continue
            activity.completed_at = now
            activity.save(update_fields=["status", "result", "completed_at", "modified_at"])
        if tasks != TASKS_LEAVE:
            event_add(
                case,
                CaseEvent.Kind.NOTE,
                user,
                _("Open tasks completed on resolve")
                if tasks == TASKS_COMPLETE
                else _("Open tasks canceled on resolve"),
            )
    return case
