"""An administrator subscribes a URL, sends a test event, sees it delivered and resends it,
in Chromium against the live Daphne and Celery worker."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.webhook_receiver import Receiver, signature_verify
from webhooks.models import Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_subscribe_send_a_test_event_see_200_and_resend(new_page, make_user):
    make_user("alice", first="Alice", last="Admin", staff=True)
    page = new_page(viewport=WIDE)
    page.goto("/login/?next=/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)

    with Receiver() as receiver:
        page.get_by_role("link", name="Webhooks").click()
        page.get_by_role("link", name="New subscription").click()
        page.get_by_label("Name").fill("Billing system")
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("Case created").check()
        page.get_by_label("Process instance completed").check()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "webhooks-subscribe.png"))
        page.get_by_role("button", name="Subscribe").click()

        expect(page.get_by_role("heading", name="Billing system")).to_be_visible()
        subscription = Subscription.objects.get()
        expect(page.locator("#webhook-secret")).to_contain_text(subscription.secret)

        page.get_by_role("button", name="Send test event").click()
        log = page.locator("#delivery-table")
        expect(log.locator("tbody tr")).to_have_count(1)
        expect(log.locator("tbody tr").first).to_contain_text("Delivered", timeout=20_000)
        expect(log.locator(".attempt-code").first).to_have_text("200")
        page.screenshot(path=str(SHOTS / "webhooks-delivery-log.png"))

        page.get_by_role("button", name="Resend").click()
        expect(log.locator("tbody tr")).to_have_count(2)
        expect(log.locator(".status-succeeded")).to_have_count(2, timeout=20_000)

        assert [r.headers["Flowdesk-Event"] for r in receiver.requests] == ["webhook.test"] * 2
        first, second = receiver.requests
        assert first.json["id"] == second.json["id"]
        assert first.headers["Flowdesk-Delivery"] != second.headers["Flowdesk-Delivery"]
        for request in receiver.requests:
            assert signature_verify(
                subscription.secret, request.headers["Flowdesk-Signature"], request.body
            )
