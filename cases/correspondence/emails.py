"""Emails to the customer about their case, each recorded in the case's History."""

from __future__ import annotations

import logging

from django.conf import settings
from django.urls import reverse

from cases.correspondence import satisfaction
from cases.history import event_add, person_name
from cases.models import CaseEvent
from crm.email import TemplateMissing, send_templated_email

logger = logging.getLogger(__name__)


def portal_url(case) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:case-detail", args=[case.pk])


def subject_for(case, subject: str = "") -> str:
    """The subject of an email about `case`, carrying its number in brackets."""
    subject = (subject or "").strip() or f"Re: {case.subject}"
    tag = f"[{case.number}]"
    return subject if tag in subject else f"{tag} {subject}"


def email_customer(case, code, extra, *, actor=None) -> bool:
    """Email the case's contact the message template `code`; False when there is no
    address or no template."""
    contact = case.contact
    if contact is None or not contact.email:
        return False
    context = {
        "case": case,
        "contact_name": contact.full_name,
        "url": portal_url(case),
        "portal_url": portal_url(case),
        **extra,
    }
    try:
        message = send_templated_email(
            code=code, to=[contact.email], context=context, reply_to=[settings.DEFAULT_FROM_EMAIL]
        )
    except TemplateMissing:
        logger.warning("message template %s is missing; no email sent", code)
        return False
    event_add(
        case,
        CaseEvent.Kind.EMAIL,
        actor,
        message.subject,
        to=message.to,
        body=message.text,
        direction="out",
        template=code,
        message_id=message.message_id,
        resolved_at=case.resolved_at.isoformat() if case.resolved_at else None,
    )
    return True


def email_resolution(case, user) -> None:
    """The case is resolved: the customer gets the satisfaction scale."""
    email_customer(
        case,
        "case_resolved",
        {"agent_name": person_name(user), "rating_links": satisfaction.rating_links(case)},
        actor=user,
    )


def email_canceled(case, user) -> None:
    """The case was canceled: the customer hears it needs no further answer."""
    email_customer(case, "case_canceled", {"agent_name": person_name(user)}, actor=user)
