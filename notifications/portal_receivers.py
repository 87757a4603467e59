"""Who hears that a customer wrote (email or portal).

When the reply reopened the case, its assignee was cleared and the group's
members hear of it through the assignment announcement (case_receivers).
Otherwise the assignee working the case gets a panel notification.
"""

from django.utils.translation import gettext as _

from cases import signals as case_signals
from cases.models import Case
from notifications.services import notification_create


def on_customer_message(sender, *, case, message, reopened=False, **kwargs):
    if reopened or not case.assignee_id:
        return
    channel = _("by email") if message.channel == "email" else _("on the portal")
    notification_create(
        recipient=case.assignee,
        title=_("Customer replied %(channel)s: %(number)s")
        % {"channel": channel, "number": case.number},
        body=f"{message.author_name}: {message.body[:140]}",
        url=case.get_absolute_url(),
        kind="case",
    )


def connect() -> None:
    case_signals.case_customer_message.connect(
        on_customer_message, sender=Case, dispatch_uid="notifications.case_customer_message"
    )
