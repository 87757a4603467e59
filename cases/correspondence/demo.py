"""Demo data of the customer side: Clara Customer's portal cases in several statuses,
and a reply of hers waiting in the support inbox (var/inbox).

Idempotent: Clara's conversation is made only when her cases have no message yet.
"""

from __future__ import annotations

import base64
import mailbox
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from cases import services as case_services
from cases.correspondence import messages, ratings
from cases.models import Case, CaseMessage, CaseStatus
from crm import demo
from crm.models import Contact


@demo.register(order=65)
def load_customer_side():
    clara = Contact.objects.filter(email="clara@northwind.example").first()
    agent = User.objects.filter(username="agent1").first()
    if clara is None or agent is None:
        return
    if CaseMessage.objects.filter(case__contact=clara).exists():
        return
    status = {s.code: s for s in CaseStatus.objects.all()}

    def new_case(subject, description):
        return case_services.case_create(
            created_by=agent, subject=subject, description=description, contact=clara
        )

    waiting = new_case(
        "Invoice PDF cannot be downloaded", "The download button for March's invoice does nothing."
    )
    case_services.case_set_status(case=waiting, status=status["in_progress"], user=agent)
    asked = messages.message_send(
        case=waiting,
        user=agent,
        channel=CaseMessage.Channel.PORTAL,
        body="Hello Clara, could you tell us which browser you use, and send a screenshot "
        "of the Documents page?",
    )
    case_services.case_set_status(case=waiting, status=status["waiting"], user=agent)

    resolved = new_case(
        "Add a second user to the portal", "Our accountant needs access to the invoices."
    )
    case_services.case_set_status(case=resolved, status=status["in_progress"], user=agent)
    messages.message_send(
        case=resolved,
        user=agent,
        channel=CaseMessage.Channel.EMAIL,
        subject="Second portal user",
        body="Hello Clara, your accountant has been invited: the invitation email is on its way.",
    )
    case_services.case_set_status(case=resolved, status=status["resolved"], user=agent)

    closed = new_case("Printer toner order", "Please order two black toners for PRN-3F.")
    case_services.case_set_status(case=closed, status=status["in_progress"], user=agent)
    messages.message_send(
        case=closed,
        user=agent,
        channel=CaseMessage.Channel.PORTAL,
        body="The toners are ordered and arrive on Thursday.",
    )
    case_services.case_set_status(case=closed, status=status["resolved"], user=agent)
    ratings.satisfaction_rate(case=Case.objects.get(pk=closed.pk), value=5)

    _reply_waiting_in_inbox(waiting, asked)


def _reply_waiting_in_inbox(case, asked) -> None:
    """Clara's answer to the portal message, delivered to the support Maildir; the
    fetch_mail job (or `manage.py fetch_mail`) files it and reopens the case."""
    reply = EmailMessage()
    reply["From"] = "Clara Customer <clara@northwind.example>"
    reply["To"] = settings.DEFAULT_FROM_EMAIL
    reply["Subject"] = f"Re: [{case.number}] New message about your case: {case.subject}"
    reply["Date"] = format_datetime(timezone.now())
    reply["Message-ID"] = make_msgid(domain="northwind.example")
    if asked.message_id:
        reply["In-Reply-To"] = asked.message_id
        reply["References"] = asked.message_id
    reply.set_content("Hi, I use Firefox 128. The screenshot is attached.\n\nClara\n")
    reply.add_attachment(
        _tiny_png(), maintype="image", subtype="png", filename="documents-page.png"
    )
    box = mailbox.Maildir(settings.INBOUND_MAILDIR, create=True)
    box.add(reply.as_bytes())


def _tiny_png() -> bytes:
    return base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
    )
