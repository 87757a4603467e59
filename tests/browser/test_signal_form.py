"""An admin sees what a step waits for in the Process log and throws the signal
from the Process library, in Chromium."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from processes.models import ProcessInstance
from processes.services import instance_start, process_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIGNALS = Path(__file__).resolve().parents[1] / "processes" / "data" / "signals.bpmn"


def test_an_admin_sees_the_wait_and_throws_the_signal_from_the_library(signed_in_page, make_user):
    admin = make_user("alice", first="Alice", last="Admin", staff=True)
    process_import(data=SIGNALS.read_bytes())
    waiter = instance_start(code="signal_waiter", run_now=True)
    page = signed_in_page(admin, f"/processes/log/{waiter.pk}/")

    expect(page.locator("#steps-table")).to_contain_text("Waits for signal “go”")

    page.goto("/processes/library/")
    page.get_by_text("Throw a signal").click()
    page.get_by_label("Signal name").fill("go")
    page.get_by_role("button", name="Throw signal").click()

    expect(page.get_by_text("Signal “go” thrown")).to_be_visible()
    assert ProcessInstance.objects.get(pk=waiter.pk).status == "completed"
