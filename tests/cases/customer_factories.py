"""Customer-side test data: portal customers, and incoming emails as real RFC 5322 bytes."""

import mailbox
from email.message import EmailMessage
from email.utils import make_msgid

from django.contrib.auth.models import Group, User

from crm.models import Account, Contact


def portal_customer(username="clara", *, email="clara@northwind.example", name="Clara Customer"):
    """A contact with a portal sign-in (group "Portal users", password "password")."""
    first, _sep, last = name.partition(" ")
    user = User.objects.create_user(
        username=username, email=email, password="password", first_name=first, last_name=last
    )
    user.groups.add(Group.objects.get_or_create(name="Portal users")[0])
    account, _ = Account.objects.get_or_create(name="Northwind Traders")
    contact, _ = Contact.objects.get_or_create(
        email=email, defaults={"full_name": name, "account": account}
    )
    contact.portal_user = user
    contact.save(update_fields=["portal_user"])
    return user, contact


def email_bytes(
    *,
    sender="Clara Customer <clara@northwind.example>",
    subject="Hello",
    body="Hi there",
    message_id=None,
    in_reply_to=None,
    references=None,
    attachments=(),
):
    """An incoming email as bytes: attachments are (filename, bytes, maintype, subtype)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "Flowdesk <support@flowdesk.localhost>"
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="northwind.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
        message["References"] = references or in_reply_to
    message.set_content(body)
    for filename, content, maintype, subtype in attachments:
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def deliver(maildir_path, raw: bytes) -> str:
    """Put raw bytes into a Maildir's new/ folder, as an MTA would."""
    return mailbox.Maildir(str(maildir_path), create=True).add(raw)
