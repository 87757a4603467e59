"""Incoming email: read from a Maildir, threaded into its case, stored once, bad mail
kept aside and reported."""

import mailbox

import pytest
from django.core import mail
from django.core.management import call_command

from cases import services
from cases.correspondence import inbound
from cases.correspondence.messages import message_send
from cases.models import Case, CaseMessage, InboundFailure
from cases.tasks import fetch_mail
from tests.cases.customer_factories import deliver, email_bytes, portal_customer
from tests.cases.factories import make_case, status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INBOUND_MAILDIR = str(tmp_path / "inbox")
    return tmp_path / "inbox"


def _outgoing_message_id(case, agent, committed):
    with committed():
        message = message_send(case=case, user=agent, channel="email", body="Which model?")
    return message.message_id


def test_a_reply_threads_by_in_reply_to_and_reopens_the_waiting_case(agent, committed, _dirs):
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    asked = _outgoing_message_id(case, agent, committed)
    services.case_set_status(case=case, status=status("waiting"), user=agent)
    # The customer answers the email Flowdesk sent (read back from the outbox).
    sent = mail.outbox[-1]
    assert sent.extra_headers["Message-ID"] == asked
    deliver(
        _dirs,
        email_bytes(
            subject=f"Re: {sent.subject}",
            body="A PRN-3F.\n\n> Which model?",
            in_reply_to=asked,
            attachments=[("label.png", b"\x89PNG", "image", "png")],
        ),
    )
    with committed():
        report = inbound.fetch_maildir()
    assert report.as_dict() == {"stored": 1, "duplicates": 0, "quarantined": 0}
    reply = CaseMessage.objects.get(case=case, direction="in")
    assert (reply.channel, reply.body, reply.in_reply_to) == ("email", "A PRN-3F.", asked)
    assert reply.author_contact == case.contact
    assert reply.attachments.get().name == "label.png"
    case.refresh_from_db()
    assert case.status.code == "reopened" and case.assignee is None
    assert case.events.filter(kind="email", data__direction="in").exists()
    # Filed mail leaves new/ for the "processed" folder.
    box = mailbox.Maildir(str(_dirs))
    assert len(box) == 0 and len(box.get_folder("processed")) == 1


def test_a_case_number_in_the_subject_threads_the_email(agent, committed, _dirs):
    case = make_case(by=agent)
    deliver(_dirs, email_bytes(subject=f"Question about {case.number}", body="Still broken"))
    with committed():
        inbound.fetch_maildir()
    assert CaseMessage.objects.get().case == case


def test_an_email_from_a_known_contact_opens_a_new_case_for_them(committed, _dirs):
    user, contact = portal_customer()
    deliver(_dirs, email_bytes(subject="Scanner offline", body="Since this morning."))
    with committed():
        inbound.fetch_maildir()
    case = Case.objects.get(subject="Scanner offline")
    assert (case.contact, case.status.code, case.description) == (
        contact,
        "new",
        "Since this morning.",
    )
    assert case.messages.get().direction == "in"


def test_an_unknown_sender_gets_a_case_that_names_them(committed, _dirs):
    deliver(
        _dirs,
        email_bytes(
            sender="Zed Stranger <zed@nowhere.example>",
            subject="Do you sell printers?",
            body="Prices please.",
        ),
    )
    with committed():
        inbound.fetch_maildir()
    case = Case.objects.get(subject="Do you sell printers?")
    assert case.contact is None
    assert case.messages.get().author_email == "zed@nowhere.example"
    assert case.events.filter(kind="note", text__contains="zed@nowhere.example").exists()


def test_the_same_email_read_twice_lands_once(agent, committed, _dirs):
    case = make_case(by=agent)
    raw = email_bytes(
        subject=f"[{case.number}] more",
        body="Once only",
        message_id="<fixed-id-1@northwind.example>",
    )
    deliver(_dirs, raw)
    deliver(_dirs, raw)
    with committed():
        report = inbound.fetch_maildir()
    assert (report.stored, report.duplicates) == (1, 1)
    deliver(_dirs, raw)
    with committed():
        assert inbound.receive_raw(raw).status == "duplicate"
        inbound.fetch_maildir()
    assert CaseMessage.objects.filter(message_id="<fixed-id-1@northwind.example>").count() == 1
    assert case.events.filter(kind="email").count() == 1


def test_an_email_without_message_id_still_dedupes(committed, _dirs):
    portal_customer()
    raw = (
        b"From: clara@northwind.example\r\nSubject: No id\r\n"
        b"Content-Type: text/plain\r\n\r\nPlain body\r\n"
    )
    with committed():
        assert inbound.receive_raw(raw).status == "stored"
        assert inbound.receive_raw(raw).status == "duplicate"
    assert Case.objects.filter(subject="No id").count() == 1


@pytest.mark.parametrize(
    "raw, reason",
    [
        (b"this is not an email at all", "the message has no headers"),
        (b"Subject: who am I\r\n\r\nno sender here", "sender address is missing"),
        (b"", "empty"),
    ],
)
def test_a_malformed_email_is_kept_aside_and_reported_never_dropped(
    raw, reason, _dirs, committed, caplog
):
    key = deliver(_dirs, raw)
    with committed():
        report = inbound.fetch_maildir()
    assert report.quarantined == 1 and reason in report.reasons[0]
    failure = InboundFailure.objects.get()
    assert reason in failure.reason
    assert bytes(failure.raw) == raw
    assert failure.source_key == key and failure.kept_at.endswith(".quarantine")
    box = mailbox.Maildir(str(_dirs))
    assert len(box) == 0
    quarantine = box.get_folder("quarantine")
    assert [quarantine.get_bytes(k) for k in quarantine.iterkeys()] == [raw]
    assert "kept aside" in caplog.text
    assert not Case.objects.exists()


def test_unreadable_emails_are_listed_in_the_admin(client, admin_user):
    InboundFailure.objects.create(
        source="maildir", reason="the sender address is missing", raw=b"junk"
    )
    client.force_login(admin_user)
    html = client.get("/admin/cases/inboundfailure/").content.decode()
    assert "the sender address is missing" in html


def test_an_oversized_attachment_in_an_email_is_left_out_and_said_so(
    agent, committed, settings, _dirs
):
    settings.CASE_ATTACHMENT_MAX_BYTES = 100
    case = make_case(by=agent)
    deliver(
        _dirs,
        email_bytes(
            subject=f"[{case.number}] logs",
            body="See logs",
            attachments=[("huge.log", b"x" * 500, "text", "plain")],
        ),
    )
    with committed():
        inbound.fetch_maildir()
    message = CaseMessage.objects.get()
    assert not message.attachments.exists()
    assert "“huge.log” is 500" in message.body and "at most 100" in message.body


def test_a_reply_to_a_closed_case_opens_a_new_linked_case(agent, committed, _dirs):
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("canceled"), user=agent)
    deliver(_dirs, email_bytes(subject=f"Re: [{case.number}] canceled?", body="Not solved"))
    with committed():
        inbound.fetch_maildir()
    new = Case.objects.exclude(pk=case.pk).get()
    assert new.parent == case and new.contact == case.contact


def test_the_fetch_mail_command_and_task_read_the_inbox(agent, committed, _dirs, capsys):
    case = make_case(by=agent)
    deliver(_dirs, email_bytes(subject=f"[{case.number}] one", body="one"))
    with committed():
        call_command("fetch_mail")
    assert "stored 1, duplicates 0, kept aside 0" in capsys.readouterr().out
    deliver(_dirs, email_bytes(subject=f"[{case.number}] two", body="two"))
    with committed():
        assert fetch_mail.apply().get() == {"stored": 1, "duplicates": 0, "quarantined": 0}
    assert case.messages.count() == 2


def test_the_periodic_jobs_include_fetching_mail_and_closing_cases(settings):
    assert "cases.fetch_mail" in settings.FLOWDESK_PERIODIC_JOBS
    assert settings.CELERY_BEAT_SCHEDULE["cases.close_resolved_cases"]["schedule"] == 86400


def test_imap_reads_unseen_messages_through_the_same_filing(
    monkeypatch, settings, agent, committed
):
    case = make_case(by=agent)
    raw = email_bytes(subject=f"[{case.number}] via imap", body="over IMAP")
    calls = []

    class FakeImap:
        def __init__(self, host, port, *, timeout):
            calls.append(("connect", host, timeout))

        def login(self, user, password):
            calls.append(("login", user))

        def select(self, folder):
            calls.append(("select", folder))

        def uid(self, command, *args):
            calls.append((command, *args))
            if command == "SEARCH":
                return "OK", [b"7"]
            if command == "FETCH":
                return "OK", [(b"7 (BODY[] {100}", raw), b")"]
            return "OK", [b""]

        def logout(self):
            calls.append(("logout",))

    settings.IMAP_HOST, settings.IMAP_USER = "imap.example", "support"
    monkeypatch.setattr(inbound.imaplib, "IMAP4_SSL", FakeImap)
    with committed():
        report = inbound.fetch_imap()
    assert report.stored == 1
    assert case.messages.get().body == "over IMAP"
    assert ("STORE", b"7", "+FLAGS", "(\\Seen)") in calls
    # The connection is given up after IMAP_TIMEOUT_SECONDS (30 by default).
    assert calls[0] == ("connect", "imap.example", 30)
