"""Who may write into a case by email: a case number or an In-Reply-To only points at a
case; the mail joins it only when its sender is the case's contact or a participant.
Anyone else gets a new case of their own, and the named case is left as it was."""

import random
import socket
import threading

import pytest
from django.core import mail

from cases import assignment, services
from cases.correspondence import inbound
from cases.correspondence.messages import message_send
from cases.models import Case, CaseAttachment
from crm.email import send_email
from crm.models import Account, Contact
from tests.cases.customer_factories import deliver, email_bytes, portal_customer
from tests.cases.factories import make_case, status

pytestmark = pytest.mark.django_db

STRANGER = "Zed Stranger <zed@nowhere.example>"


@pytest.fixture(autouse=True)
def _dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INBOUND_MAILDIR = str(tmp_path / "inbox")
    return tmp_path / "inbox"


@pytest.fixture
def clara(db):
    return portal_customer()


@pytest.fixture
def resolved_case(agent, clara, committed):
    """Clara's case, assigned to Bob, resolved (waiting for her rating)."""
    _user, contact = clara
    case = make_case(by=agent, contact=contact)
    assignment.case_assign(case=case, user=agent, assignee=agent)
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    with committed():
        services.case_set_status(case=case, status=status("resolved"), user=agent)
    return Case.objects.get(pk=case.pk)


def _receive(committed, _dirs, raw):
    deliver(_dirs, raw)
    with committed():
        report = inbound.fetch_maildir()
    assert report.as_dict() == {"stored": 1, "duplicates": 0, "quarantined": 0}


def _untouched(case, before_messages, *, status_code, assignee):
    case.refresh_from_db()
    assert (case.status.code, case.assignee) == (status_code, assignee)
    assert case.messages.count() == before_messages
    assert not CaseAttachment.objects.filter(case=case).exists()
    assert not case.children.exists()


def _with_cc(raw: bytes, cc: str) -> bytes:
    return raw.replace(b"Subject:", f"Cc: {cc}\nSubject:".encode(), 1)


def _outgoing_message_id(case, agent, committed):
    with committed():
        message = message_send(case=case, user=agent, channel="email", body="Which model?")
    return message.message_id


def test_a_stranger_writing_re_case_number_gets_a_new_case_and_the_named_one_is_untouched(
    agent, clara, committed, _dirs
):
    _user, contact = clara
    case = make_case(by=agent, contact=contact)
    assignment.case_assign(case=case, user=agent, assignee=agent)
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    _receive(
        committed,
        _dirs,
        email_bytes(sender=STRANGER, subject=f"Re: [{case.number}] printer", body="Me too"),
    )
    _untouched(case, 0, status_code="in_progress", assignee=agent)
    new = Case.objects.exclude(pk=case.pk).get()
    assert (new.contact, new.parent, new.account) == (None, None, None)
    assert new.messages.get().author_email == "zed@nowhere.example"
    history = " ".join(new.events.filter(kind="note").values_list("text", flat=True))
    assert f"This email named {case.number}" in history
    assert "zed@nowhere.example" in history and "not a participant" in history


def test_the_strangers_answer_to_the_desks_reply_joins_the_strangers_own_case(
    agent, clara, committed, _dirs
):
    case = make_case(by=agent, contact=clara[1])
    zed = Contact.objects.create(
        full_name="Zed Stranger",
        email="zed@nowhere.example",
        account=Account.objects.create(name="Nowhere Ltd"),
    )
    _receive(
        committed,
        _dirs,
        email_bytes(sender=STRANGER, subject=f"Re: [{case.number}] printer", body="Me too"),
    )
    theirs = Case.objects.exclude(pk=case.pk).get()
    assert theirs.contact == zed
    with committed():
        answer = message_send(case=theirs, user=agent, channel="email", body="Which one?")
    # The desk's subject names both numbers; the stranger takes part only in their own.
    _receive(
        committed,
        _dirs,
        email_bytes(
            sender=STRANGER,
            subject=f"Re: {answer.subject}",
            body="The 3F",
            in_reply_to=answer.message_id,
        ),
    )
    assert theirs.messages.filter(direction="in").count() == 2
    assert (case.messages.count(), Case.objects.count()) == (0, 2)


def test_a_stranger_with_the_in_reply_to_of_a_real_outgoing_mail_does_not_thread(
    agent, clara, committed, _dirs
):
    _user, contact = clara
    case = make_case(by=agent, contact=contact)
    assignment.case_assign(case=case, user=agent, assignee=agent)
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    asked = _outgoing_message_id(case, agent, committed)
    services.case_set_status(case=case, status=status("waiting"), user=agent)
    # The stranger has seen the real mail (forwarded, leaked): its Message-ID is not a key.
    _receive(
        committed,
        _dirs,
        email_bytes(sender=STRANGER, subject="Re: your mail", body="Hi", in_reply_to=asked),
    )
    _untouched(case, 1, status_code="waiting", assignee=agent)
    new = Case.objects.exclude(pk=case.pk).get()
    assert new.contact is None
    assert new.events.filter(kind="note", text__contains=case.number).exists()


def test_a_stranger_naming_a_resolved_case_leaves_it_resolved_assigned_and_off_the_portal(
    client, agent, clara, resolved_case, committed, _dirs
):
    user, _contact = clara
    _receive(
        committed,
        _dirs,
        email_bytes(
            sender=STRANGER,
            subject=f"Re: [{resolved_case.number}] not fixed",
            body="Open this again, please",
            attachments=[("invoice.pdf", b"%PDF-1.4 fake", "application", "pdf")],
        ),
    )
    _untouched(resolved_case, 0, status_code="resolved", assignee=agent)
    client.force_login(user)
    portal = client.get("/portal/").content.decode()
    page = client.get(f"/portal/cases/{resolved_case.pk}/").content.decode()
    assert "Open this again" not in page and "invoice.pdf" not in page
    assert "not fixed" not in portal
    stranger_case = Case.objects.exclude(pk=resolved_case.pk).get()
    assert stranger_case.attachments.get().name == "invoice.pdf"


def test_a_stranger_naming_a_closed_case_gets_a_case_of_their_own_not_the_customers(
    agent, clara, resolved_case, committed, _dirs
):
    services.case_set_status(case=resolved_case, status=status("closed"), user=agent)
    zed = Contact.objects.create(
        full_name="Zed Stranger",
        email="zed@nowhere.example",
        account=Account.objects.create(name="Nowhere Ltd"),
    )
    _receive(
        committed,
        _dirs,
        email_bytes(sender=STRANGER, subject=f"Re: [{resolved_case.number}] again", body="Hi"),
    )
    new = Case.objects.exclude(pk=resolved_case.pk).get()
    assert (new.contact, new.account, new.parent) == (zed, zed.account, None)
    assert new.events.filter(kind="note", text__contains=resolved_case.number).exists()
    assert not resolved_case.children.exists()
    assert resolved_case.messages.count() == 0


def test_the_contacts_own_reply_to_a_resolved_case_still_threads_and_reopens_it(
    agent, clara, resolved_case, committed, _dirs
):
    _receive(
        committed,
        _dirs,
        email_bytes(
            sender="CLARA Customer <Clara@Northwind.example>",
            subject=f"Re: [{resolved_case.number}] not fixed",
            body="Still broken",
            attachments=[("photo.png", b"\x89PNG", "image", "png")],
        ),
    )
    resolved_case.refresh_from_db()
    assert (resolved_case.status.code, resolved_case.assignee) == ("reopened", None)
    reply = resolved_case.messages.get()
    assert (reply.body, reply.author_contact) == ("Still broken", clara[1])
    assert reply.attachments.get().name == "photo.png"
    assert Case.objects.count() == 1


def test_the_contacts_reply_by_in_reply_to_alone_threads(agent, clara, committed, _dirs):
    case = make_case(by=agent, contact=clara[1])
    asked = _outgoing_message_id(case, agent, committed)
    _receive(
        committed,
        _dirs,
        email_bytes(subject="Re: no number here", body="PRN-3F", in_reply_to=asked),
    )
    assert case.messages.filter(direction="in").get().body == "PRN-3F"
    assert Case.objects.count() == 1


def test_the_contacts_reply_to_a_closed_case_still_opens_a_linked_case_for_them(
    agent, clara, resolved_case, committed, _dirs
):
    services.case_set_status(case=resolved_case, status=status("closed"), user=agent)
    _receive(
        committed, _dirs, email_bytes(subject=f"Re: [{resolved_case.number}] again", body="Hi")
    )
    new = Case.objects.exclude(pk=resolved_case.pk).get()
    assert (new.parent, new.contact) == (resolved_case, clara[1])
    assert not new.events.filter(kind="note", text__contains="not a participant").exists()


def test_a_colleague_cc_d_on_the_customers_mail_is_a_participant_and_threads(
    agent, clara, committed, _dirs
):
    case = make_case(by=agent, contact=clara[1])
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    dan = "Dan Colleague <dan@northwind.example>"
    first = email_bytes(subject=f"[{case.number}] adding Dan", body="Dan knows more")
    _receive(committed, _dirs, _with_cc(first, dan))
    _receive(
        committed,
        _dirs,
        email_bytes(sender=dan, subject=f"Re: [{case.number}] adding Dan", body="It is a 3F"),
    )
    # Having written on the case, Dan stays a participant without being copied again.
    _receive(
        committed,
        _dirs,
        email_bytes(sender=dan, subject=f"Re: [{case.number}] later", body="And a 4G"),
    )
    assert list(case.messages.values_list("author_email", flat=True)) == [
        "clara@northwind.example",
        "dan@northwind.example",
        "dan@northwind.example",
    ]
    assert Case.objects.count() == 1


def test_a_strangers_cc_does_not_make_anyone_a_participant_of_the_named_case(
    agent, clara, committed, _dirs
):
    case = make_case(by=agent, contact=clara[1])
    raw = email_bytes(sender=STRANGER, subject=f"[{case.number}] hello", body="Hi")
    _receive(committed, _dirs, _with_cc(raw, "mallory@nowhere.example"))
    _receive(
        committed,
        _dirs,
        email_bytes(
            sender="mallory@nowhere.example", subject=f"Re: [{case.number}] hello", body="Hi"
        ),
    )
    assert case.messages.count() == 0
    assert Case.objects.exclude(pk=case.pk).count() == 2


def test_mail_forged_from_the_support_address_does_not_thread(agent, clara, committed, _dirs):
    case = make_case(by=agent, contact=clara[1])
    _outgoing_message_id(case, agent, committed)
    _receive(
        committed,
        _dirs,
        email_bytes(sender="support@flowdesk.localhost", subject=f"[{case.number}] x", body="x"),
    )
    assert not case.messages.filter(direction="in").exists()


def test_outgoing_message_ids_cannot_be_predicted_from_the_random_module(committed):
    random.seed(7)
    predicted = str(random.getrandbits(64))
    random.seed(7)
    with committed():
        first = send_email(to=["clara@northwind.example"], subject="One", text="one")
        second = send_email(to=["clara@northwind.example"], subject="Two", text="two")
    assert predicted not in first.message_id
    assert first.message_id != second.message_id
    local, _at, domain = first.message_id.strip("<>").partition("@")
    assert len(local) >= 32 and domain == "flowdesk.localhost"
    assert mail.outbox[0].extra_headers["Message-ID"] == first.message_id


def test_an_imap_server_that_stalls_is_given_up_after_the_timeout(settings):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never greets
    settings.IMAP_HOST, settings.IMAP_PORT = "127.0.0.1", listener.getsockname()[1]
    settings.IMAP_SSL, settings.IMAP_TIMEOUT_SECONDS = False, 0.5
    errors = []

    def fetch():
        try:
            inbound.fetch_imap()
        except Exception as error:
            errors.append(error)

    worker = threading.Thread(target=fetch, daemon=True)
    try:
        worker.start()
        worker.join(10)
        assert not worker.is_alive(), "fetch_imap still waits for a server that never answers"
        assert len(errors) == 1 and isinstance(errors[0], TimeoutError)
    finally:
        listener.close()
