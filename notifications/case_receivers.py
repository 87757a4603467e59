"""Who hears of case events in the communication panel.

cases announces (cases.signals); this module listens. `connect()` is called
from NotificationsConfig.ready(); it is idempotent (dispatch_uid).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases import signals as case_signals
from cases.models import Case
from notifications.services import notification_create

ASSIGNED = gettext_noop("Case assigned to you: %(number)s")
FOR_GROUP = gettext_noop("%(number)s is waiting in the %(group)s queue")
_REASONS = {"escalated": gettext_noop("Case escalated to you: %(number)s")}


def on_case_assignment(sender, *, case, recipients, actor=None, reason="", **kwargs):
    """A panel notification for every recipient the case service chose (the assignee,
    or each member of the assignee group when there is no assignee)."""
    template = _REASONS.get(reason, ASSIGNED)
    if not case.assignee_id and case.assignee_group_id:
        template = FOR_GROUP
    title = _(template) % {"number": case.number, "group": case.assignee_group}
    by = ""
    if actor is not None:
        by = " · " + (_("by %(name)s") % {"name": actor.get_full_name() or actor.get_username()})
    for user in recipients:
        notification_create(
            recipient=user,
            title=title,
            body=f"{case.subject}{by}",
            url=case.get_absolute_url(),
            kind="case",
        )


def connect() -> None:
    case_signals.case_assignment_announced.connect(
        on_case_assignment, sender=Case, dispatch_uid="notifications.case_assignment"
    )
