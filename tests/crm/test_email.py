"""The email helper: message templates rendered and sent after commit."""

import pytest
from django.core import mail

from crm.email import TemplateMissing, send_email, send_templated_email
from crm.models import MessageTemplate

pytestmark = pytest.mark.django_db


@pytest.fixture
def started_template():
    return MessageTemplate.objects.create(
        code="case_started",
        name="Case in progress",
        subject="Case {{ number }}: we are on it",
        text_body="Hello {{ name }},\nwe will resolve it by {{ deadline }}.",
        html_body="<p>Hello {{ name }}</p>",
    )


def test_a_template_renders_subject_text_and_escaped_html(
    started_template, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_templated_email(
            code="case_started",
            to=["clara@example.com"],
            context={"number": "SR-1", "name": "<Clara>", "deadline": "Monday"},
        )

    [sent] = mail.outbox
    assert sent.subject == "Case SR-1: we are on it"
    assert "Hello <Clara>," in sent.body
    assert sent.alternatives[0].content == "<p>Hello &lt;Clara&gt;</p>"


def test_mail_is_not_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send_email(to=["a@example.com"], subject="Hi", text="Body")

    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_missing_template_is_named():
    with pytest.raises(TemplateMissing, match="no_such"):
        send_templated_email(code="no_such", to=["a@example.com"], context={})
