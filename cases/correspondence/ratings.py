"""The customer's satisfaction rating of a resolution, from the portal or a signed link."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services as case_services
from cases.correspondence import satisfaction
from cases.correspondence.messages import reopen_for_customer
from cases.errors import CaseError
from cases.history import case_locked, event_add
from cases.models import Case, CaseEvent, SatisfactionLevel

logger = logging.getLogger(__name__)


def satisfaction_rate(*, case, value: int, user=None) -> Case:
    """The customer's 1-5 rating of a resolution: the Satisfaction levels lookup says
    where the case goes (by default 1-2 reopen it with the assignee cleared, 3-5 close
    it). Refused (RatingRefused) unless the case is resolved and not final."""
    level = SatisfactionLevel.objects.select_related("status").filter(value=value).first()
    if level is None:
        raise satisfaction.RatingRefused(_("Choose a score from the scale."))
    with transaction.atomic():
        case = case_locked(case.pk)
        if not case.status.is_awaiting_rating:
            raise satisfaction.RatingRefused(
                _("%(number)s is “%(status)s”: it is not waiting for a rating.")
                % {"number": case.number, "status": case.status}
            )
        Case.objects.filter(pk=case.pk).update(satisfaction=level, modified_at=timezone.now())
        case.satisfaction = level
        event_add(case, CaseEvent.Kind.RATING, user, str(level), value=level.value)
        target = level.status
        if target is None or target.pk == case.status_id:
            return case
        if target.is_reopen:
            reopen_for_customer(
                case, why=_("the customer rated the resolution %(value)s") % {"value": level.value}
            )
        else:
            try:
                case_services.case_set_status(case=case, status=target, user=None)
            except CaseError as refused:
                logger.warning("rating of %s could not move it: %s", case.number, refused)
    return Case.objects.select_related("status").get(pk=case.pk)
