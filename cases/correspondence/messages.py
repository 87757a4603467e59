"""Messages between the service desk and the customer, both ways: an agent's email or
portal message, a customer's reply (which reopens a paused or resolved case), and a
new case from an email to the support address.

Each public function runs in one transaction: the mail it writes is queued in the
outbox in that transaction and leaves after commit; its signals are sent inside it.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import services as case_services
from cases import signals
from cases.correspondence import attachments as attachment_rules
from cases.correspondence.attachments import IncomingFile
from cases.correspondence.emails import portal_url, subject_for
from cases.errors import CaseError
from cases.history import case_locked, event_add, person_name
from cases.models import Case, CaseAttachment, CaseEvent, CaseMessage, CaseStatus
from crm.email import Attachment, TemplateMissing, send_email, send_templated_email

logger = logging.getLogger(__name__)


def _store_files(case, message, files) -> list[CaseAttachment]:
    stored = []
    for item in files:
        attachment = CaseAttachment(
            case=case,
            message=message,
            name=item.safe_name,
            size=item.size,
            content_type=item.guessed_type,
        )
        attachment.file.save(item.safe_name, item.as_django_file(), save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _messageevent_add(case, message, stored, *, actor=None) -> CaseEvent:
    kind = (
        CaseEvent.Kind.EMAIL
        if message.channel == CaseMessage.Channel.EMAIL
        else CaseEvent.Kind.PORTAL
    )
    text = message.subject if message.channel == CaseMessage.Channel.EMAIL else ""
    return event_add(
        case,
        kind,
        actor,
        text or message.body[:300],
        message=message.pk,
        direction=message.direction,
        to=list(message.to),
        body=message.body,
        author=message.author_name,
        message_id=message.message_id or "",
        attachments=[{"id": a.pk, "name": a.name, "size": a.size} for a in stored],
    )


# -- from the service desk to the customer ---------------------------------------------


def message_send(
    *, case, user, channel: str, body: str, subject: str = "", files: list[IncomingFile] = ()
) -> CaseMessage:
    """An agent's Email or Portal message to the case's contact, with attachments.

    Refused (CaseError, or AttachmentRefused naming the limit) before anything is
    written. A portal message is also announced to the customer by email.
    """
    body = (body or "").strip()
    files = list(files)
    if not body:
        raise CaseError(_("Write the message before sending it."))
    attachment_rules.check(files)
    contact = case.contact
    if contact is None:
        raise CaseError(_("The case has no contact to write to: set its contact first."))
    email_channel = channel == CaseMessage.Channel.EMAIL
    if email_channel and not contact.email:
        raise CaseError(
            _("%(name)s has no email address: add one on the contact, or send a portal message.")
            % {"name": contact}
        )
    with transaction.atomic():
        case = case_locked(case.pk)
        message = CaseMessage.objects.create(
            case=case,
            direction=CaseMessage.Direction.OUT,
            channel=channel,
            author_user=user,
            to=[contact.email] if contact.email else [],
            subject=subject_for(case, subject) if email_channel else "",
            body=body,
        )
        stored = _store_files(case, message, files)
        if email_channel:
            last_in = (
                CaseMessage.objects.filter(case=case, direction="in", message_id__isnull=False)
                .order_by("-created_at")
                .first()
            )
            headers = {}
            if last_in is not None:
                headers = {
                    "In-Reply-To": last_in.message_id,
                    "References": f"{last_in.references} {last_in.message_id}".strip(),
                }
            outgoing = send_email(
                to=[contact.email],
                subject=message.subject,
                text=body,
                reply_to=[settings.DEFAULT_FROM_EMAIL],
                headers=headers,
                attachments=[Attachment(f.safe_name, f.content, f.guessed_type) for f in files],
            )
            message.message_id = outgoing.message_id
            message.in_reply_to = headers.get("In-Reply-To", "")
            message.save(update_fields=["message_id", "in_reply_to"])
        elif contact.email:
            try:
                outgoing = send_templated_email(
                    code="case_portal_message",
                    to=[contact.email],
                    context={
                        "case": case,
                        "contact_name": contact.full_name,
                        "agent_name": person_name(user),
                        "body": body,
                        "portal_url": portal_url(case),
                    },
                    reply_to=[settings.DEFAULT_FROM_EMAIL],
                )
                message.message_id = outgoing.message_id
                message.save(update_fields=["message_id"])
            except TemplateMissing:
                logger.warning("message template case_portal_message is missing; no email sent")
        _messageevent_add(case, message, stored, actor=user)
        if case.responded_at is None:
            Case.objects.filter(pk=case.pk).update(responded_at=timezone.now())
    return message


# -- from the customer ---------------------------------------------------------------


def reopen_for_customer(case, *, why: str) -> bool:
    """Paused, or resolved but not final: back to the reopen status (Reopened) with the
    assignee cleared, so the case returns to its group's queue (whose members are
    notified). The caller holds the case's row lock."""
    status = case.status
    if not (status.is_paused or status.is_awaiting_rating):
        return False
    reopened = CaseStatus.reopen_target()
    if reopened is None:
        return False
    if case.assignee_id:
        previous = case.assignee
        Case.objects.filter(pk=case.pk).update(assignee=None, modified_at=timezone.now())
        case.assignee = None
        event_add(
            case,
            CaseEvent.Kind.ASSIGNMENT,
            None,
            _("Assignee cleared (was %(name)s): %(why)s")
            % {"name": person_name(previous), "why": why},
            assignee=None,
        )
    try:
        case_services.case_set_status(case=case, status=reopened, user=None)
    except CaseError as refused:
        logger.warning("case %s not reopened: %s", case.number, refused)
        return False
    return True


def message_receive(
    *,
    case,
    channel: str,
    body: str,
    subject: str = "",
    contact=None,
    user=None,
    author_email: str = "",
    files: list[IncomingFile] = (),
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
) -> tuple[CaseMessage, bool]:
    """A customer's reply (portal or email) lands on the case: a message, its files and
    a History entry; a paused or resolved-not-final case reopens with its assignee cleared.

    Returns (message, reopened). An email whose Message-ID is already stored raises
    IntegrityError (the caller treats it as read already).
    """
    files = list(files)
    with transaction.atomic():
        case = case_locked(case.pk)
        message = CaseMessage.objects.create(
            case=case,
            direction=CaseMessage.Direction.IN,
            channel=channel,
            author_user=user,
            author_contact=contact,
            author_email=author_email[:254],
            subject=subject[:300],
            body=body,
            message_id=message_id or None,
            in_reply_to=in_reply_to[:300],
            references=references,
        )
        stored = _store_files(case, message, files)
        _messageevent_add(case, message, stored, actor=user)
        reopened = reopen_for_customer(
            case,
            why=_("the customer replied by email")
            if channel == "email"
            else _("the customer replied on the portal"),
        )
        signals.case_customer_message.send(
            sender=Case, case=case, message=message, reopened=reopened
        )
    return message, reopened


def case_create_from_customer(
    *,
    subject: str,
    body: str,
    contact=None,
    author_email="",
    channel="email",
    files=(),
    message_id=None,
    in_reply_to="",
    references="",
    parent=None,
) -> tuple[Case, CaseMessage]:
    """A new case from an email to the support address (or a portal request)."""
    with transaction.atomic():
        case = case_services.case_create(
            subject=(subject or _("(no subject)"))[:300],
            description=body,
            contact=contact,
            parent=parent,
        )
        message, _reopened = message_receive(
            case=case,
            channel=channel,
            body=body,
            subject=subject,
            contact=contact,
            author_email=author_email,
            files=files,
            message_id=message_id,
            in_reply_to=in_reply_to,
            references=references,
        )
    return case, message


__all__ = [
    "case_create_from_customer",
    "message_receive",
    "message_send",
    "reopen_for_customer",
]
