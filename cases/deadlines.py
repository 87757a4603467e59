"""A case's response and resolution deadlines, from its agreement's terms and calendar."""

from __future__ import annotations

from cases import calendars
from cases.models import ServiceTerm


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


def deadlines_compute(case) -> None:
    """Set the case's two deadlines (unsaved), shifted by the time it spent paused."""
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
