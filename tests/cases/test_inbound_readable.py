"""The mail the customer sends, readable: HTML-only mail as text (the HTML kept as a
file), quoted history cut off in other languages than English, and automatic replies
recorded on their case without reopening it or notifying anyone."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail

from cases import services
from cases.correspondence import inbound
from cases.models import Case, CaseMessage, InboundFailure
from notifications.models import Notification
from tests.cases.customer_factories import deliver, email_bytes
from tests.cases.factories import make_case, status

pytestmark = pytest.mark.django_db

OUTLOOK_HTML = """<html><head><style>p.MsoNormal {margin:0cm; font-size:11pt}</style>
<script>alert("x")</script></head><body>
<p class="MsoNormal">Hallo,</p><p class="MsoNormal">mein Drucker&nbsp;ist kaputt.<br>
Er zeigt &quot;E-12&quot; &amp; piept.</p></body></html>"""


@pytest.fixture(autouse=True)
def _dirs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INBOUND_MAILDIR = str(tmp_path / "inbox")
    return tmp_path / "inbox"


def _raw(*, subject="Hello", text=None, html=None, headers=None, in_reply_to=None):
    message = EmailMessage()
    message["From"] = "Clara Customer <clara@northwind.example>"
    message["To"] = "Flowdesk <support@flowdesk.localhost>"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="northwind.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None:
        message.set_content(html, subtype="html")
    else:
        message.set_content(text or "")
    return message.as_bytes()


def _receive(committed, _dirs, raw):
    deliver(_dirs, raw)
    with committed():
        return inbound.fetch_maildir()


def test_an_html_only_mail_reads_as_text_and_keeps_the_html(agent, committed, _dirs):
    case = make_case(by=agent)
    _receive(committed, _dirs, _raw(subject=f"Re: {case.number}", html=OUTLOOK_HTML))
    message = CaseMessage.objects.get(case=case, direction="in")
    assert message.body == 'Hallo,\n\nmein Drucker ist kaputt.\nEr zeigt "E-12" & piept.'
    assert "MsoNormal" not in message.body and "alert" not in message.body
    event = case.events.get(kind="email", data__direction="in")
    assert event.data["body"] == message.body
    # The original stays viewable: a file of the message, as the customer sent it.
    original = message.attachments.get()
    assert original.name == "original.html"
    assert original.file.read().decode().strip() == OUTLOOK_HTML


def test_a_plain_text_mail_gets_no_html_copy(agent, committed, _dirs):
    case = make_case(by=agent)
    _receive(committed, _dirs, _raw(subject=f"Re: {case.number}", text="Still broken."))
    message = CaseMessage.objects.get(case=case, direction="in")
    assert message.body == "Still broken." and not message.attachments.exists()


@pytest.mark.parametrize(
    ("reply", "quoted"),
    [
        ("Danke, das hilft.", "Am 01.12.2026 um 10:00 schrieb Support <support@x.example>:"),
        ("Merci, ça marche.", "Le lun. 1 déc. 2026 à 10:00, Support <support@x.example> a écrit :"),
        ("Grazie, funziona.", "Il giorno lun 1 dic 2026 alle 10:00 Support ha scritto:"),
        ("Thanks, that works.", "On Mon, Dec 1, 2026 at 10:00 AM Support <s@x.example> wrote:"),
        ("Gracias.", "El lun, 1 dic 2026 a las 10:00, Support (<s@x.example>) escribió:"),
        ("Gracias.", "El lun, 1 dic 2026 a las 10:00,\nSupport (<s@x.example>) escribió:"),
        ("Obrigada.", "Em seg., 1 de dez. de 2026 às 10:00, Support <s@x.ex> escreveu:"),
        ("Bedankt, het werkt.", "Op ma 1 dec 2026 om 10:00 schreef Support <s@x.example>:"),
    ],
)
def test_the_quoted_history_is_cut_off_in_several_languages(agent, committed, _dirs, reply, quoted):
    case = make_case(by=agent)
    body = f"{reply}\n\n{quoted}\n> Bitte starten Sie den Drucker neu.\n> Old text\n"
    _receive(committed, _dirs, _raw(subject=f"Re: {case.number}", text=body))
    assert CaseMessage.objects.get(case=case, direction="in").body == reply


def test_an_outlook_header_block_in_spanish_is_cut_off(agent, committed, _dirs):
    case = make_case(by=agent)
    body = (
        "Hola,\nla impresora no imprime.\n\nSaludos,\nAna\n\n"
        "De: Soporte <support@flowdesk.localhost>\nEnviado: lunes, 1 de diciembre de 2026\n"
        f"Para: Ana <ana@northwind.example>\nAsunto: {case.number}\n\nReinicie la impresora.\n"
    )
    _receive(committed, _dirs, _raw(subject=f"Re: {case.number}", text=body))
    # The customer's own greeting and signature stay; the quoted mail goes.
    assert CaseMessage.objects.get(case=case, direction="in").body == (
        "Hola,\nla impresora no imprime.\n\nSaludos,\nAna"
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Auto-Submitted": "auto-replied"},
        {"X-Autoreply": "yes"},
        {"X-Autorespond": "Out of office"},
        {"Precedence": "bulk"},
        {"Precedence": "auto_reply"},
        {"X-Auto-Response-Suppress": "All"},
    ],
)
def test_an_automatic_reply_is_recorded_but_never_reopens_or_notifies(
    agent, committed, _dirs, headers
):
    case = make_case(by=agent, assignee=agent)
    services.case_set_status(case=case, status=status("resolved"), user=agent)
    sent_before, notified_before = len(mail.outbox), Notification.objects.count()
    _receive(
        committed,
        _dirs,
        _raw(subject=f"Out of office: {case.number}", text="I am away.", headers=headers),
    )
    case.refresh_from_db()
    assert case.status.code == "resolved" and case.assignee == agent
    message = CaseMessage.objects.get(case=case, direction="in")
    assert message.body == "I am away."
    event = case.events.get(kind="email", data__direction="in")
    assert event.data["auto_reply"] is True
    assert event.text == f"Automatic reply: Out of office: {case.number}"
    assert len(mail.outbox) == sent_before and Notification.objects.count() == notified_before
    assert Case.objects.count() == 1


def test_an_automatic_reply_to_a_closed_case_opens_no_new_case(agent, committed, _dirs):
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("canceled"), user=agent)
    _receive(
        committed,
        _dirs,
        _raw(
            subject=f"Re: {case.number}", text="Away.", headers={"Auto-Submitted": "auto-replied"}
        ),
    )
    assert Case.objects.count() == 1
    assert CaseMessage.objects.get(direction="in").case == case


def test_an_automatic_reply_to_no_case_is_kept_aside_not_filed(committed, _dirs):
    report = _receive(
        committed,
        _dirs,
        _raw(subject="Out of office", text="Away.", headers={"Precedence": "junk"}),
    )
    assert report.as_dict() == {"stored": 0, "duplicates": 0, "quarantined": 1}
    assert not Case.objects.exists()
    assert "automatic reply (Precedence: junk)" in InboundFailure.objects.get().reason


def test_auto_submitted_no_is_a_person_writing(agent, committed, _dirs):
    case = make_case(by=agent, assignee=agent)
    services.case_set_status(case=case, status=status("resolved"), user=agent)
    raw = email_bytes(subject=f"Re: {case.number}", body="Not solved.")
    raw = b"Auto-Submitted: no\r\n" + raw
    _receive(committed, _dirs, raw)
    case.refresh_from_db()
    assert case.status.code == "reopened"
