"""The one helper that renders and sends email, so processes and cases can send it too.

Message templates are rows admins edit (subject, text, HTML), rendered with
Django's template language in an engine of their own: no custom tags, no
file access, autoescaped HTML. A message is written to the outbox in the
caller's transaction, rendered; the worker sends it after commit, retrying
with backoff while the mail server is away (outbox.services).
"""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, Engine

from crm.models import MessageTemplate
from outbox.selectors import effects_by_key
from outbox.services import effect_record

EFFECT_KIND = "email"

_engine = Engine(libraries={}, builtins=["django.template.defaultfilters"])


class TemplateMissing(LookupError):
    pass


@dataclass
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass
class OutgoingEmail:
    to: list[str]
    subject: str
    text: str
    html: str = ""
    cc: list[str] = field(default_factory=list)
    reply_to: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    message_id: str = ""


def render_template(code: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of the message template `code` rendered with `context`."""
    try:
        template = MessageTemplate.objects.get(code=code)
    except MessageTemplate.DoesNotExist:
        raise TemplateMissing(f"there is no message template '{code}'") from None
    plain = Context(context, autoescape=False)
    subject = _engine.from_string(template.subject).render(plain).strip().replace("\n", " ")
    text = _engine.from_string(template.text_body).render(plain)
    html = ""
    if template.html_body:
        html = _engine.from_string(template.html_body).render(Context(context, autoescape=True))
    return subject, text, html


def send_templated_email(*, code: str, to: list[str], context: dict, **extra) -> OutgoingEmail:
    """Render message template `code` and send it after commit."""
    subject, text, html = render_template(code, context)
    return send_email(to=to, subject=subject, text=text, html=html, **extra)


def send_email(
    *,
    to: list[str],
    subject: str,
    text: str,
    html: str = "",
    cc: list[str] | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
    attachments: list[Attachment] | None = None,
) -> OutgoingEmail:
    """Queue one email in the current transaction; the worker sends it after commit.

    Returns what will be sent. Its delivery (queued, retrying, sent, failed) is
    `email_delivery(message_id)`."""
    recipients = [address for address in to if address]
    message = OutgoingEmail(
        to=recipients,
        subject=subject,
        text=text,
        html=html,
        cc=list(cc or []),
        reply_to=list(reply_to or []),
        headers=dict(headers or {}),
        attachments=list(attachments or []),
        message_id=new_message_id(),
    )
    if recipients:
        with transaction.atomic():
            effect_record(
                kind=EFFECT_KIND, key=delivery_key(message.message_id), payload=_payload(message)
            )
    return message


def delivery_key(message_id: str) -> str:
    return f"{EFFECT_KIND}:{message_id}"


def email_deliveries(message_ids) -> dict:
    """The outbox rows of the emails named by Message-ID, by Message-ID."""
    effects = effects_by_key(delivery_key(message_id) for message_id in message_ids if message_id)
    return {key.removeprefix(f"{EFFECT_KIND}:"): effect for key, effect in effects.items()}


def _payload(message: OutgoingEmail) -> dict:
    return {
        "to": message.to,
        "cc": message.cc,
        "reply_to": message.reply_to,
        "subject": message.subject,
        "text": message.text,
        "html": message.html,
        "headers": message.headers,
        "message_id": message.message_id,
        "attachments": [
            {
                "filename": a.filename,
                "content": base64.b64encode(a.content).decode("ascii"),
                "mimetype": a.mimetype,
            }
            for a in message.attachments
        ],
    }


def email_deliver(payload: dict) -> None:
    """The outbox's handler for emails: send the stored message (raises while SMTP is away)."""
    deliver(
        OutgoingEmail(
            to=payload["to"],
            subject=payload["subject"],
            text=payload["text"],
            html=payload.get("html", ""),
            cc=payload.get("cc", []),
            reply_to=payload.get("reply_to", []),
            headers=payload.get("headers", {}),
            attachments=[
                Attachment(a["filename"], base64.b64decode(a["content"]), a["mimetype"])
                for a in payload.get("attachments", [])
            ],
            message_id=payload["message_id"],
        )
    )


def new_message_id() -> str:
    """A Message-ID nobody can guess (160 random bits), so that a reply's In-Reply-To
    naming one shows that its writer saw the mail. email.utils.make_msgid is made of
    the time, the process id and the `random` module's generator: predictable."""
    return f"<{secrets.token_hex(20)}@{_domain()}>"


def deliver(message: OutgoingEmail) -> None:
    """Hand one message to the mail server now."""
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=message.to,
        cc=message.cc,
        reply_to=message.reply_to,
        headers={"Message-ID": message.message_id, **message.headers},
    )
    if message.html:
        email.attach_alternative(message.html, "text/html")
    for attachment in message.attachments:
        email.attach(attachment.filename, attachment.content, attachment.mimetype)
    email.send()


def _domain() -> str:
    address = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >")
    return address or "flowdesk.localhost"
