"""Incoming email to the support address: read, thread into its case, store once.

Transports: a Maildir the MTA delivers to (settings.INBOUND_MAILDIR) and,
when IMAP_HOST is set, an IMAP folder. Both hand raw RFC 5322 bytes to
`receive_raw`, which:

1. keeps aside a message it cannot read (InboundFailure with the reason; the
   Maildir copy moves to its "quarantine" folder) and logs it: never dropped;
2. skips a Message-ID it has stored already (the same email read twice lands once);
3. threads it into a case its sender takes part in. In-Reply-To / References
   naming a stored Message-ID, and case numbers ("SR-00012") in the subject, only
   *point* at cases: the mail joins one only when its sender is that case's contact
   or a participant of it (someone who wrote on it, or whom it addressed). A case
   number is easy to guess, so is a header; who writes decides;
4. anything else becomes a new case for the sender's contact (or for an unknown
   sender); when the mail named a case its sender is not part of, that case is left
   untouched and the new case's History says so;
5. an automatic reply (out of office, list mail: `mailtext.auto_reply_reason`) is
   recorded on the case it threads into, marked as automatic, and never reopens it,
   opens a new case or notifies anyone; one that threads into no case is kept aside.

The text filed is readable (`mailtext`): an HTML-only mail is turned into text, its
HTML kept as the message's file "original.html"; the quoted history is cut off.
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
from email.utils import getaddresses, parseaddr
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.correspondence import attachments as attachment_rules
from cases.correspondence import messages as services
from cases.correspondence.attachments import AttachmentRefused, IncomingFile
from cases.correspondence.mailtext import auto_reply_reason, html_to_text, strip_quoted
from cases.history import event_add
from cases.models import Case, CaseEvent, CaseMessage, InboundFailure
from crm.models import Contact

logger = logging.getLogger(__name__)

CASE_NUMBER = re.compile(r"\bSR-(\d{5,})\b", re.IGNORECASE)
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
QUARANTINE = "quarantine"
PROCESSED = "processed"
MAX_RECIPIENTS = 50


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
    # A case the mail named but may not join (its sender takes no part in it).
    named_case: Case | None = None


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
    # The other addresses the mail went to (To, Cc), without ours and the sender's.
    recipients: list[str] = field(default_factory=list)
    # The header that marks it an automatic reply (out of office, list mail), or "".
    auto_reply: str = ""


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
        recipients=_recipients(msg, sender=address.strip().lower()),
        auto_reply=auto_reply_reason(msg),
    )


def _recipients(msg, *, sender: str) -> list[str]:
    try:
        headers = [str(value) for key in ("To", "Cc") for value in msg.get_all(key, [])]
    except Exception:  # an unreadable To/Cc only costs the participants it would name
        return []
    ours = own_addresses()
    found = []
    for _name, address in getaddresses(headers):
        address = address.strip().lower()
        if "@" in address and address not in ours and address != sender and address not in found:
            found.append(address[:254])
    return found[:MAX_RECIPIENTS]


def _first_id(text: str) -> str:
    found = MESSAGE_ID.findall(text or "")
    return found[0] if found else ""


def _content(msg) -> tuple[str, list[IncomingFile], list[str]]:
    text_part = msg.get_body(preferencelist=("plain", "html"))
    body = ""
    original_html = None
    if text_part is not None:
        body = text_part.get_content()
        if text_part.get_content_type() == "text/html":
            # An HTML-only mail: its text is read, the HTML itself kept as a file.
            original_html = IncomingFile(
                name="original.html",
                content=body.encode("utf-8"),
                content_type="text/html",
            )
            body = html_to_text(body)
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
    if original_html is not None:
        # Flowdesk's own copy, beside the customer's files (not one of them).
        files.append(original_html)
    return strip_quoted(body).strip(), files, notes


# -- threading ---------------------------------------------------------------------------


@dataclass
class Thread:
    case: Case | None  # the case the mail joins: its sender takes part in it
    named: Case | None  # the first case the mail pointed at, joined or not


def cases_named(parsed: Parsed) -> list[Case]:
    """The cases the mail points at, the strongest pointer first: a stored Message-ID
    in In-Reply-To / References, then the case numbers in the subject. Pointers only:
    whether the mail may join one is decided by its sender (`participants`)."""
    named: list[Case] = []
    ids = [i for i in [parsed.in_reply_to, *parsed.references.split()] if i]
    if ids:
        messages = (
            CaseMessage.objects.filter(message_id__in=ids)
            .select_related("case")
            .order_by("-created_at", "-pk")
        )
        events = (
            CaseEvent.objects.filter(kind=CaseEvent.Kind.EMAIL, data__message_id__in=ids)
            .select_related("case")
            .order_by("-created_at", "-pk")
        )
        named += [m.case for m in messages] + [e.case for e in events]
    numbers = [f"SR-{digits}" for digits in CASE_NUMBER.findall(parsed.subject)]
    if numbers:
        by_number = {c.number.upper(): c for c in Case.objects.filter(number__in=numbers)}
        named += [by_number[n] for n in numbers if n in by_number]
    unique: dict[int, Case] = {}
    for case in named:
        unique.setdefault(case.pk, case)
    return list(unique.values())


def own_addresses() -> set[str]:
    """The service desk's own addresses: never a participant of a case."""
    candidates = [settings.DEFAULT_FROM_EMAIL, settings.SERVER_EMAIL, settings.IMAP_USER]
    return {parseaddr(c)[1].strip().lower() for c in candidates if c and "@" in c}


def participants(case: Case) -> set[str]:
    """The addresses that may write into the case by email: its contact, everyone who
    wrote on it, and everyone it addressed (its outgoing mail, and the To / Cc of the
    mail it accepted). Lower case; the service desk's own addresses never."""
    found = set()
    if case.contact_id and case.contact.email:
        found.add(case.contact.email)
    rows = CaseMessage.objects.filter(case=case).values_list(
        "author_email", "author_contact__email", "to"
    )
    for author_email, contact_email, to in rows:
        found.update([author_email or "", contact_email or "", *_addresses(to)])
    for to in CaseEvent.objects.filter(case=case, kind=CaseEvent.Kind.EMAIL).values_list(
        "data__to", flat=True
    ):
        found.update(_addresses(to))
    found = {address.strip().lower() for address in found if "@" in address}
    return found - own_addresses()


def _addresses(values) -> list[str]:
    if not isinstance(values, list):
        return []
    return [address for _name, address in getaddresses([str(v) for v in values])]


def thread_for(parsed: Parsed) -> Thread:
    """The case the mail joins (the first named one its sender takes part in), and
    the case it named at all."""
    named = cases_named(parsed)
    for case in named:
        if parsed.sender_email in participants(case):
            return Thread(case=case, named=named[0])
    return Thread(case=None, named=named[0] if named else None)


def contact_for(address: str) -> Contact | None:
    return Contact.objects.filter(email__iexact=address).order_by("pk").first()


def _note(case: Case, text: str, **data) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case, kind=CaseEvent.Kind.NOTE, actor=None, text=text, data=data
    )


def _keep_recipients(message: CaseMessage, parsed: Parsed) -> None:
    # Whom an accepted mail addressed takes part in its case from now on (a Cc'd
    # colleague's reply-all threads); the mail's own Message-ID was just stored.
    if parsed.recipients:
        CaseMessage.objects.filter(pk=message.pk).update(to=parsed.recipients)


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
    contact = contact_for(parsed.sender_email)
    author_email = parsed.sender_email
    try:
        with transaction.atomic():
            thread = thread_for(parsed)
            case = thread.case
            if parsed.auto_reply:
                if case is None:
                    # An out-of-office answer to no case of its sender's: no new case
                    # (that would notify), kept aside for an operator instead.
                    raise Unreadable(
                        f"an automatic reply ({parsed.auto_reply}) that belongs to no case"
                    )
                return _record_auto_reply(case, parsed, body=body, contact=contact)
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
                _keep_recipients(message, parsed)
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
                _keep_recipients(message, parsed)
                return Outcome("stored", case=case, message=message, reopened=reopened)
            if not body and not parsed.subject and not parsed.files:
                raise Unreadable("the message has no subject, no text and no attachment")
            # A new case for the sender: a case the mail named but its sender takes no
            # part in is neither written to nor linked (no reopening, no files, no portal).
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
            _keep_recipients(message, parsed)
            who = f"{parsed.sender_name} <{author_email}>" if parsed.sender_name else author_email
            if contact is None:
                _note(
                    case,
                    _("Unknown sender %(who)s: no contact has this address.") % {"who": who},
                    sender=author_email,
                )
            if thread.named is not None:
                _note(
                    case,
                    _(
                        "This email named %(number)s, but its sender %(who)s is not a "
                        "participant of that case: it was filed as this new case and "
                        "%(number)s was left as it was."
                    )
                    % {"number": thread.named.number, "who": who},
                    sender=author_email,
                    named_case=thread.named.pk,
                )
                logger.warning(
                    "incoming email from %s named %s but its sender is not a participant: "
                    "filed as new case %s",
                    author_email,
                    thread.named.number,
                    case.number,
                )
            return Outcome(
                "stored", case=case, message=message, new_case=True, named_case=thread.named
            )
    except IntegrityError:
        # Another reader stored the same Message-ID between our check and our insert.
        if CaseMessage.objects.filter(message_id=parsed.message_id).exists():
            return Outcome("duplicate", reason=parsed.message_id)
        raise
    except Unreadable as error:
        return _keep_aside(raw, reason=str(error), source=source, key=key)


def _record_auto_reply(case: Case, parsed: Parsed, *, body: str, contact) -> Outcome:
    """An automatic reply on its case: stored and in the History, marked as automatic;
    the case keeps its status (never reopened) and nobody is notified."""
    message = CaseMessage.objects.create(
        case=case,
        direction=CaseMessage.Direction.IN,
        channel=CaseMessage.Channel.EMAIL,
        author_contact=contact,
        author_email=parsed.sender_email[:254],
        subject=parsed.subject[:300],
        body=body,
        message_id=parsed.message_id or None,
        in_reply_to=parsed.in_reply_to[:300],
        references=parsed.references,
    )
    left_out = [f.safe_name for f in parsed.files]
    event_add(
        case,
        CaseEvent.Kind.EMAIL,
        None,
        _("Automatic reply: %(subject)s") % {"subject": parsed.subject or _("(no subject)")},
        message=message.pk,
        direction=message.direction,
        to=[],
        body=body,
        author=message.author_name,
        message_id=message.message_id or "",
        attachments=[],
        auto_reply=True,
        auto_reply_header=parsed.auto_reply,
        files_not_kept=left_out,
    )
    logger.info(
        "automatic reply from %s (%s) recorded on %s; not reopened, nobody notified",
        parsed.sender_email,
        parsed.auto_reply,
        case.number,
    )
    return Outcome("stored", case=case, message=message)


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
    # A server that accepts the connection and then stalls must not hold the job for ever.
    client = connect(settings.IMAP_HOST, settings.IMAP_PORT, timeout=settings.IMAP_TIMEOUT_SECONDS)
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
