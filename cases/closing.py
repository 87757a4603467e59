"""The daily sweep over resolved cases: remind the customer to rate, then close."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from cases import services as case_services
from cases.correspondence import satisfaction
from cases.correspondence.emails import email_customer
from cases.errors import CaseError
from cases.history import event_add, moment_text
from cases.models import Case, CaseEvent, CaseStatus
from crm.models import SystemSetting
from processes import clock

logger = logging.getLogger(__name__)

REMINDER_TEMPLATE = "case_evaluation_reminder"


def _setting(code, default):
    row = SystemSetting.objects.filter(code=code).first()
    if row is None:
        return default
    try:
        return row.typed_value
    except ValueError:
        return default


def _closing_status_for(case):
    return (
        case.status.next_statuses.filter(is_final=True, is_resolved=True)
        .order_by("order", "pk")
        .first()
    )


def cases_close_resolved(*, now=None) -> dict:
    """The daily sweep: remind the customers of Resolved cases to rate them once the
    first waiting period has passed, and close them once the second has passed too.

    Only cases with an actual resolution time; off when CloseResolvedCases is false.
    Each case is handled under its row lock, and the reminder is recorded in its
    History, so two sweeps at once still send it once.
    """
    now = now or clock.now()
    counts = {"reminded": 0, "closed": 0}
    if not _setting("CloseResolvedCases", True):
        return counts
    first = timedelta(days=max(int(_setting("FirstReevaluationWaitingDays", 3)), 0))
    second = timedelta(days=max(int(_setting("SecondReevaluationWaitingDays", 4)), 0))
    closed = CaseStatus.closing()
    candidates = Case.objects.filter(
        status__is_resolved=True,
        status__is_final=False,
        resolved_at__isnull=False,
        resolved_at__lte=now - first,
    ).values_list("pk", flat=True)
    for case_id in list(candidates):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("status", "contact")
                .filter(pk=case_id)
                .first()
            )
            if (
                case is None
                or not case.status.is_resolved
                or case.status.is_final
                or case.resolved_at is None
            ):
                continue
            if now >= case.resolved_at + first + second and closed is not None:
                # The closing status this case may move to, else the first one there is.
                target = _closing_status_for(case) or closed
                try:
                    case_services.case_set_status(case=case, status=target, user=None)
                except CaseError as refused:
                    logger.warning("could not close %s: %s", case.number, refused)
                    continue
                counts["closed"] += 1
                continue
            already = CaseEvent.objects.filter(
                case=case,
                kind=CaseEvent.Kind.EMAIL,
                data__template=REMINDER_TEMPLATE,
                data__resolved_at=case.resolved_at.isoformat(),
            ).exists()
            if already:
                continue
            sent = email_customer(
                case,
                REMINDER_TEMPLATE,
                {
                    "resolved_at": moment_text(case.resolved_at),
                    "closes_at": moment_text(case.resolved_at + first + second),
                    "rating_links": satisfaction.rating_links(case),
                },
            )
            if not sent:
                # No address to write to: record the reminder anyway, so it is not retried.
                event_add(
                    case,
                    CaseEvent.Kind.EMAIL,
                    None,
                    _("Evaluation reminder not sent: the contact has no email address"),
                    template=REMINDER_TEMPLATE,
                    resolved_at=case.resolved_at.isoformat(),
                    direction="out",
                    to=[],
                )
            counts["reminded"] += 1
    return counts
