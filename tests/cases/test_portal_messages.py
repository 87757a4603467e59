"""Email and Portal message from the case page: attachments, limits, history, access."""

import email
import email.policy

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.correspondence.messages import message_send
from cases.models import CaseAttachment, CaseEvent, CaseMessage
from crm.models import Contact
from tests.cases.customer_factories import portal_customer
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CASE_ATTACHMENT_MAX_BYTES = 1024


def _send(client, case, channel, **data):
    return client.post(f"/cases/{case.pk}/message/{channel}/", data, headers={"HX-Request": "true"})


def test_an_email_with_an_attachment_reaches_the_customer_and_the_history(client, agent, committed):
    case = make_case(by=agent)
    client.force_login(agent)
    upload = SimpleUploadedFile("steps.txt", b"1. switch it off", content_type="text/plain")
    with committed():
        response = _send(
            client, case, "email", subject="Try this", body="Please restart it.", files=[upload]
        )
    assert response.status_code == 200
    assert response["HX-Redirect"] == case.get_absolute_url()
    sent = mail.outbox[-1]
    assert sent.to == ["clara@northwind.example"]
    assert sent.subject == f"[{case.number}] Try this"
    assert sent.attachments[0][0] == "steps.txt"
    message = CaseMessage.objects.get(case=case)
    assert (message.direction, message.channel, message.author_user) == ("out", "email", agent)
    assert message.message_id == sent.extra_headers["Message-ID"]
    attachment = message.attachments.get()
    assert attachment.file.name.startswith(f"case-attachments/{case.pk}/")
    assert (attachment.name, attachment.size) == ("steps.txt", 16)
    event = case.events.get(kind=CaseEvent.Kind.EMAIL, data__message=message.pk)
    assert event.data["attachments"][0]["name"] == "steps.txt"
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Please restart it." in page
    assert f"/cases/attachments/{attachment.pk}/" in page


def test_a_portal_message_is_shown_on_the_portal_and_announced_by_email(client, agent, committed):
    user, contact = portal_customer()
    case = make_case(by=agent, contact=contact)
    client.force_login(agent)
    with committed():
        _send(client, case, "portal", body="We replaced the toner.")
    announcement = mail.outbox[-1]
    assert announcement.to == [contact.email]
    assert "We replaced the toner." in announcement.body
    assert f"/portal/cases/{case.pk}/" in announcement.body
    assert case.events.filter(kind=CaseEvent.Kind.PORTAL).exists()
    client.force_login(user)
    assert "We replaced the toner." in client.get(f"/portal/cases/{case.pk}/").content.decode()


def test_an_oversized_attachment_is_refused_with_the_limit_and_the_text_stays(client, agent):
    case = make_case(by=agent)
    client.force_login(agent)
    big = SimpleUploadedFile("dump.log", b"x" * 2048, content_type="text/plain")
    response = _send(
        client, case, "email", subject="Logs", body="My long careful answer", files=[big]
    )
    html = response.content.decode()
    assert "files may be at most 1.0" in html
    assert "dump.log" in html
    assert "My long careful answer" in html and 'value="Logs"' in html
    assert not CaseMessage.objects.exists() and not CaseAttachment.objects.exists()
    assert mail.outbox == []


def test_a_disallowed_file_type_is_refused_naming_the_allowed_ones(client, agent):
    case = make_case(by=agent)
    client.force_login(agent)
    script = SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream")
    html = _send(client, case, "portal", body="Run this", files=[script]).content.decode()
    assert "“run.exe” is not an allowed file type. Allowed: pdf, png" in html
    assert "Run this" in html
    assert not CaseMessage.objects.exists()


def test_attachments_are_served_to_agents_and_the_cases_own_customer_only(client, agent, committed):
    user, contact = portal_customer()
    other_user, _other = portal_customer(
        "oscar", email="oscar@fabrikam.example", name="Oscar Other"
    )
    case = make_case(by=agent, contact=contact)
    client.force_login(agent)
    with committed():
        _send(
            client,
            case,
            "portal",
            body="See the file",
            files=[SimpleUploadedFile("fix.pdf", b"%PDF-1.4", content_type="application/pdf")],
        )
    attachment = CaseAttachment.objects.get()
    agent_response = client.get(f"/cases/attachments/{attachment.pk}/")
    assert agent_response.status_code == 200
    assert b"".join(agent_response.streaming_content) == b"%PDF-1.4"
    assert agent_response["Cache-Control"] == "private, no-store"
    client.force_login(user)
    assert client.get(f"/portal/attachments/{attachment.pk}/").status_code == 200
    client.force_login(other_user)
    assert client.get(f"/portal/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/cases/attachments/{attachment.pk}/").status_code == 403
    client.logout()
    response = client.get(f"/portal/attachments/{attachment.pk}/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_email_to_a_contact_without_address_is_refused(client, agent):
    contact = Contact.objects.create(full_name="No Mail")
    case = make_case(by=agent, contact=contact)
    client.force_login(agent)
    html = _send(client, case, "email", body="Hello").content.decode()
    assert "No Mail has no email address" in html
    assert not CaseMessage.objects.exists()


def test_the_outgoing_email_is_a_real_rfc_5322_message(agent, committed):
    case = make_case(by=agent)
    with committed():
        message_send(case=case, user=agent, channel="email", body="Body text")
    parsed = email.message_from_bytes(
        mail.outbox[-1].message().as_bytes(), policy=email.policy.default
    )
    assert parsed["Message-ID"] == CaseMessage.objects.get().message_id
    assert parsed["Reply-To"]
