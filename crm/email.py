"""The one helper that renders and sends email, so processes and cases can send it too.

Message templates are rows admins edit (subject, text, HTML), rendered with
Django's template language in an engine of their own: no custom tags, no
file access, autoescaped HTML. Mail leaves after the transaction commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context, Engine

from crm.models import MessageTemplate

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
    """Send one email after the current transaction commits; returns what will be sent."""
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
        transaction.on_commit(lambda: _deliver(message))
    return message


def new_message_id() -> str:
    """A Message-ID nobody can guess (160 random bits), so that a reply's In-Reply-To
    naming one shows that its writer saw the mail. email.utils.make_msgid is made of
    the time, the process id and the `random` module's generator: predictable."""
    return f"<{secrets.token_hex(20)}@{_domain()}>"


def _deliver(message: OutgoingEmail) -> None:
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
