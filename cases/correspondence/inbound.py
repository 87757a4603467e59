"""Incoming email to the support address: read, thread into its case, store once.

Transports: a Maildir the MTA delivers to (settings.INBOUND_MAILDIR) and,
when IMAP_HOST is set, an IMAP folder. Both hand raw RFC 5322 bytes to
`receive_raw`, which:

1. keeps aside a message it cannot read (InboundFailure with the reason; the
   Maildir copy moves to its "quarantine" folder) and logs it: never dropped;
2. skips a Message-ID it has stored already (the same email read twice lands once);
3. threads it: In-Reply-To / References naming an outgoing Message-ID, else a
   case number ("SR-00012") in the subject, else a new case for the sender's
   contact (or for an unknown sender).
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import hashlib
import imaplib
import logging
import mailbox
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.html import strip_tags

from cases.correspondence import attachments as attachment_rules
from cases.correspondence import messages as services
from cases.correspondence.attachments import AttachmentRefused, IncomingFile
from cases.history import event_add
from cases.models import Case, CaseEvent, CaseMessage, InboundFailure
from crm.models import Contact

logger = logging.getLogger(__name__)

CASE_NUMBER = re.compile(r"\bSR-(\d{5,})\b", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
QUARANTINE = "quarantine"
PROCESSED = "processed"


class Unreadable(ValueError):
    """The bytes are not an email Flowdesk can file; the message says why."""


@dataclass
class Outcome:
    status: str  # stored | duplicate | quarantined
    case: Case | None = None
    message: CaseMessage | None = None
    reason: str = ""
    reopened: bool = False
    new_case: bool = False


@dataclass
class FetchReport:
    stored: int = 0
    duplicates: int = 0
    quarantined: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        if outcome.status == "stored":
            self.stored += 1
        elif outcome.status == "duplicate":
            self.duplicates += 1
        else:
            self.quarantined += 1
            self.reasons.append(outcome.reason)

    def as_dict(self) -> dict:
        return {
            "stored": self.stored,
            "duplicates": self.duplicates,
            "quarantined": self.quarantined,
        }


@dataclass
class Parsed:
    message_id: str
    sender_name: str
    sender_email: str
    subject: str
    body: str
    in_reply_to: str
    references: str
    files: list[IncomingFile]
    notes: list[str]


# -- parsing ----------------------------------------------------------------------------


def parse(raw: bytes) -> Parsed:
    """The parts Flowdesk files; Unreadable when the bytes are not a usable email."""
    if not raw or not raw.strip():
        raise Unreadable("the message is empty")
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as error:  # the parser is lenient; anything it raises is fatal
        raise Unreadable(f"the message cannot be parsed: {error}") from None
    if not msg.keys():
        raise Unreadable("the message has no headers")
    try:
        from_header = str(msg.get("From", "") or "")
    except Exception as error:
        raise Unreadable(f"the From header cannot be read: {error}") from None
    name, address = parseaddr(from_header)
    if not address or "@" not in address:
        raise Unreadable(f"the sender address is missing or invalid (From: {from_header!r})")
    try:
        subject = str(msg.get("Subject", "") or "").strip()
        body, files, notes = _content(msg)
    except Unreadable:
        raise
    except Exception as error:
        raise Unreadable(f"the message body cannot be decoded: {error}") from None
    message_id = _first_id(str(msg.get("Message-ID", "") or ""))
    if not message_id:
        # No Message-ID: the content's hash stands in, so reading it twice still dedupes.
        message_id = f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.flowdesk>"
    return Parsed(
        message_id=message_id[:300],
        sender_name=name.strip(),
        sender_email=address.strip().lower(),
        subject=subject[:300],
        body=body,
        in_reply_to=_first_id(str(msg.get("In-Reply-To", "") or "")),
        references=" ".join(MESSAGE_ID.findall(str(msg.get("References", "") or ""))),
        files=files,
        notes=notes,
    )


def _first_id(text: str) -> str:
    found = MESSAGE_ID.findall(text or "")
    return found[0] if found else ""


def _content(msg) -> tuple[str, list[IncomingFile], list[str]]:
    text_part = msg.get_body(preferencelist=("plain", "html"))
    body = ""
    if text_part is not None:
        body = text_part.get_content()
        if text_part.get_content_type() == "text/html":
            body = strip_tags(body)
    files, notes = [], []
    for part in msg.iter_attachments():
        filename = part.get_filename()
        if not filename:
            continue
        payload = part.get_payload(decode=True) or b""
        item = IncomingFile(name=filename, content=payload, content_type=part.get_content_type())
        try:
            attachment_rules.check([item])
        except AttachmentRefused as refused:
            # Not kept, but not lost silently either: the message says what was left out.
            notes.append(str(refused))
            continue
        files.append(item)
    if len(files) > settings.CASE_ATTACHMENT_MAX_FILES:
        for extra in files[settings.CASE_ATTACHMENT_MAX_FILES :]:
            notes.append(
                f"“{extra.safe_name}” was not kept: at most "
                f"{settings.CASE_ATTACHMENT_MAX_FILES} files per message."
            )
        files = files[: settings.CASE_ATTACHMENT_MAX_FILES]
    return _strip_quoted(body).strip(), files, notes


def _strip_quoted(body: str) -> str:
    """The reply above the quoted history ("On ... wrote:" and "> " lines)."""
    lines = body.replace("\r\n", "\n").split("\n")
    kept = []
    for line in lines:
        if re.match(r"^\s*On .+wrote:\s*$", line) or line.startswith("-----Original Message"):
            break
        if line.startswith(">"):
            continue
        kept.append(line)
    text = "\n".join(kept).strip()
    return text or body.strip()


# -- threading ---------------------------------------------------------------------------


def find_case(parsed: Parsed) -> Case | None:
    ids = [i for i in [parsed.in_reply_to, *parsed.references.split()] if i]
    if ids:
        message = (
            CaseMessage.objects.filter(message_id__in=ids)
            .select_related("case")
            .order_by("-created_at")
            .first()
        )
        if message is not None:
            return message.case
        event = (
            CaseEvent.objects.filter(kind=CaseEvent.Kind.EMAIL, data__message_id__in=ids)
            .select_related("case")
            .order_by("-created_at")
            .first()
        )
        if event is not None:
            return event.case
    match = CASE_NUMBER.search(parsed.subject)
    if match:
        return Case.objects.filter(number__iexact=f"SR-{match.group(1)}").first()
    return None


def _contact_for(address: str):

    return Contact.objects.filter(email__iexact=address).order_by("pk").first()


# -- receiving ------------------------------------------------------------------------------


def receive_raw(raw: bytes, *, source: str = "maildir", key: str = "") -> Outcome:
    """File one incoming email; see the module docstring for the rules."""
    try:
        parsed = parse(raw)
    except Unreadable as error:
        return _keep_aside(raw, reason=str(error), source=source, key=key)
    if CaseMessage.objects.filter(message_id=parsed.message_id).exists():
        return Outcome("duplicate", reason=parsed.message_id)
    body = parsed.body
    if parsed.notes:
        body = (body + "\n\n" + "\n".join(f"[{note}]" for note in parsed.notes)).strip()
    contact = _contact_for(parsed.sender_email)
    author_email = parsed.sender_email
    try:
        with transaction.atomic():
            case = find_case(parsed)
            if case is not None and case.status.is_final:
                # A reply to a closed or canceled case is a new request, linked to the old one.
                case, message = services.case_create_from_customer(
                    subject=parsed.subject,
                    body=body,
                    contact=contact or case.contact,
                    author_email=author_email,
                    files=parsed.files,
                    message_id=parsed.message_id,
                    in_reply_to=parsed.in_reply_to,
                    references=parsed.references,
                    parent=case,
                )
                return Outcome("stored", case=case, message=message, new_case=True)
            if case is not None:
                message, reopened = services.message_receive(
                    case=case,
                    channel=CaseMessage.Channel.EMAIL,
                    body=body,
                    subject=parsed.subject,
                    contact=contact,
                    author_email=author_email,
                    files=parsed.files,
                    message_id=parsed.message_id,
                    in_reply_to=parsed.in_reply_to,
                    references=parsed.references,
                )
                return Outcome("stored", case=case, message=message, reopened=reopened)
            if not body and not parsed.subject and not parsed.files:
                raise Unreadable("the message has no subject, no text and no attachment")
            case, message = services.case_create_from_customer(
                subject=parsed.subject,
                body=body,
                contact=contact,
                author_email=author_email,
                files=parsed.files,
                message_id=parsed.message_id,
                in_reply_to=parsed.in_reply_to,
                references=parsed.references,
            )
            if contact is None:
                who = (
                    f"{parsed.sender_name} <{author_email}>" if parsed.sender_name else author_email
                )
                event_add(
                    case,
                    CaseEvent.Kind.NOTE,
                    None,
                    f"Unknown sender {who}: no contact has this address.",
                    sender=author_email,
                )
            return Outcome("stored", case=case, message=message, new_case=True)
    except IntegrityError:
        # Another reader stored the same Message-ID between our check and our insert.
        if CaseMessage.objects.filter(message_id=parsed.message_id).exists():
            return Outcome("duplicate", reason=parsed.message_id)
        raise
    except Unreadable as error:
        return _keep_aside(raw, reason=str(error), source=source, key=key)


def _keep_aside(raw: bytes, *, reason: str, source: str, key: str, kept_at: str = "") -> Outcome:
    sender = subject = ""
    try:
        msg = email.message_from_bytes(raw or b"", policy=email.policy.compat32)
        sender, subject = str(msg.get("From", ""))[:300], str(msg.get("Subject", ""))[:300]
    except Exception:  # noqa: S110 - best effort: the reason and raw bytes are what matter
        pass
    InboundFailure.objects.create(
        source=source,
        source_key=key[:300],
        reason=reason,
        sender=sender,
        subject=subject,
        raw=raw or b"",
        kept_at=kept_at,
    )
    logger.error("incoming email %s from %s kept aside: %s", key or "?", sender or "?", reason)
    return Outcome("quarantined", reason=reason)


# -- Maildir --------------------------------------------------------------------------------


def fetch_maildir(path: str | Path | None = None) -> FetchReport:
    """Read every new message of the Maildir; filed ones move to its "processed" folder,
    unreadable ones to "quarantine" (both Maildir++ folders beside new/ and cur/)."""
    path = Path(path or settings.INBOUND_MAILDIR)
    box = mailbox.Maildir(str(path), factory=None, create=True)
    processed = _folder(box, PROCESSED)
    quarantine = _folder(box, QUARANTINE)
    report = FetchReport()
    for key in list(box.iterkeys()):
        try:
            raw = box.get_bytes(key)
        except (KeyError, FileNotFoundError):
            continue  # another reader took it
        outcome = receive_raw(raw, source="maildir", key=key)
        target = quarantine if outcome.status == "quarantined" else processed
        try:
            target.add(raw)  # the bytes as delivered, not a re-serialized copy
            box.remove(key)
        except (KeyError, FileNotFoundError):
            pass
        if outcome.status == "quarantined":
            InboundFailure.objects.filter(source="maildir", source_key=key).update(
                kept_at=str(path / f".{QUARANTINE}")
            )
        report.add(outcome)
    return report


def _folder(box, name):
    try:
        return box.get_folder(name)
    except mailbox.NoSuchMailboxError:
        return box.add_folder(name)


# -- IMAP -------------------------------------------------------------------------------------


def fetch_imap() -> FetchReport:
    """Read the unseen messages of IMAP_FOLDER; filed ones are marked seen, unreadable
    ones copied to IMAP_QUARANTINE_FOLDER (and kept as InboundFailure rows)."""
    report = FetchReport()
    if not settings.IMAP_HOST:
        return report
    connect = imaplib.IMAP4_SSL if settings.IMAP_SSL else imaplib.IMAP4
    client = connect(settings.IMAP_HOST, settings.IMAP_PORT)
    try:
        client.login(settings.IMAP_USER, settings.IMAP_PASSWORD)
        client.select(settings.IMAP_FOLDER)
        status, data = client.uid("SEARCH", None, "UNSEEN")
        if status != "OK":
            raise RuntimeError(f"IMAP search failed: {status}")
        for uid in (data[0] or b"").split():
            status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
            if status != "OK" or not fetched or not isinstance(fetched[0], tuple):
                continue
            raw = fetched[0][1]
            outcome = receive_raw(raw, source="imap", key=uid.decode())
            if outcome.status == "quarantined":
                client.uid("COPY", uid, settings.IMAP_QUARANTINE_FOLDER)
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            report.add(outcome)
    finally:
        with contextlib.suppress(Exception):  # the connection may already be gone
            client.logout()
    return report


def fetch_mail() -> FetchReport:
    """The periodic job: the Maildir, then IMAP when it is configured."""
    report = fetch_maildir()
    if settings.IMAP_HOST:
        imap = fetch_imap()
        report.stored += imap.stored
        report.duplicates += imap.duplicates
        report.quarantined += imap.quarantined
        report.reasons += imap.reasons
    return report
