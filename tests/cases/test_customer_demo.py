"""The demo's customer side: Clara's portal cases, articles, a reply waiting in the inbox."""

import mailbox

import pytest

from cases.correspondence import inbound
from cases.models import Case, CaseMessage
from crm import demo
from knowledge.models import KnowledgeArticle

pytestmark = pytest.mark.django_db


def test_the_demo_loads_the_customer_side_once(
    settings, tmp_path, django_capture_on_commit_callbacks
):

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INBOUND_MAILDIR = str(tmp_path / "inbox")
    with django_capture_on_commit_callbacks(execute=True):
        demo.load_all()
        demo.load_all()
    clara = {
        c.subject: c.status.code
        for c in Case.objects.filter(
            contact__email="clara@northwind.example", messages__isnull=False
        ).distinct()
    }
    assert clara == {
        "Invoice PDF cannot be downloaded": "waiting",
        "Add a second user to the portal": "resolved",
        "Printer toner order": "closed",
    }
    assert KnowledgeArticle.objects.count() >= 4
    assert len(mailbox.Maildir(settings.INBOUND_MAILDIR)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert inbound.fetch_maildir().stored == 1
    waiting = Case.objects.get(subject="Invoice PDF cannot be downloaded")
    assert waiting.status.code == "reopened"
    assert CaseMessage.objects.filter(case=waiting, direction="in").get().attachments.count() == 1
