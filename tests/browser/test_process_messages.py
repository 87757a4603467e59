"""An admin opens the Messages page from the Process log, filters it by status and
discards a kept message, in Chromium at 1440x900 with the communication panel open;
the screenshots land in var/screenshots/messages-*.png."""

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from processes.models import KeptMessage
from processes.services import message_correlate, message_deliver_or_record, process_import
from tests.processes.test_message_correlation import KEYED_ORDER

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"messages-{name}.png"))


def test_an_admin_filters_the_messages_and_discards_a_kept_one(new_page, make_user):
    make_user("alice", first="Alice", last="Admin", staff=True)
    process_import(data=KEYED_ORDER)
    for key in ("PO-1001", "PO-1002"):
        message_correlate(
            name="supplier_reply",
            correlation_key=key,
            business_key=f"ORDER-{key[3:]}",
            payload={"accepted": True},
            keep_for=dt.timedelta(days=2),
        )
    message_deliver_or_record(name="invoice_paid", business_key="INV-77", if_unmatched="refuse")
    first = KeptMessage.objects.get(correlation_key__contains="PO-1001")

    page = new_page(viewport=WIDE)
    page.goto("/login/?next=/processes/log/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/processes/log/")
    page.evaluate("localStorage.setItem('flowdesk.panel', 'open')")
    page.reload()
    expect(page.locator("#panel-toggle")).to_have_attribute("aria-expanded", "true")

    page.locator("#log-tab-messages").click()
    page.wait_for_url("**/processes/log/messages/")
    table = page.locator("#message-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(table).to_contain_text("invoice_paid")
    shot(page, "all")

    page.get_by_label("Status").select_option(label="Kept")
    page.wait_for_url("**/processes/log/messages/?*status=kept*")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table).not_to_contain_text("invoice_paid")

    table.locator(f'tr[data-message="{first.pk}"]').get_by_role("link", name="Discard").click()
    expect(page.get_by_role("heading", name="Discard “supplier_reply”?")).to_be_visible()
    assert KeptMessage.objects.get(pk=first.pk).status == "kept"
    shot(page, "confirm")
    page.get_by_role("button", name="Discard message").click()

    expect(page.get_by_text("The message “supplier_reply” was discarded")).to_be_visible()
    page.wait_for_url("**/processes/log/messages/?*status=kept*")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table.locator(f'tr[data-message="{first.pk}"]')).to_have_count(0)
    discarded = KeptMessage.objects.get(pk=first.pk)
    assert (discarded.status, discarded.reason) == ("expired", "Discarded by Alice Admin")

    page.get_by_label("Status").select_option(label="Expired")
    row = table.locator(f'tr[data-message="{first.pk}"]')
    expect(row).to_contain_text("Expired")
    expect(row).to_contain_text("Discarded by Alice Admin")
    page.get_by_label("Status").select_option(label="Any status")
    expect(table.locator("tbody tr")).to_have_count(3)
    shot(page, "after-discard")
    # Nothing on the page is cut off or pushed sideways by the open panel.
    overflow = page.evaluate(
        "() => { const s = document.querySelector('#message-table .table-scroll');"
        " return s.scrollWidth - s.clientWidth; }"
    )
    assert overflow <= 0, f"the table scrolls sideways by {overflow}px with the panel open"

    # With the panel closed every column has room, the business key and kept until too.
    page.locator("#panel-toggle").click()
    expect(page.locator("#panel-toggle")).to_have_attribute("aria-expanded", "false")
    expect(table.get_by_role("columnheader", name="Business key")).to_be_visible()
    expect(table.get_by_role("columnheader", name="Kept until")).to_be_visible()
    expect(table).to_contain_text("ORDER-1002")
    shot(page, "panel-closed")
    overflow = page.evaluate(
        "() => { const s = document.querySelector('#message-table .table-scroll');"
        " return s.scrollWidth - s.clientWidth; }"
    )
    assert overflow <= 0, f"the table scrolls sideways by {overflow}px with the panel closed"
