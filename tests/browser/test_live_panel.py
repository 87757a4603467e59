"""The communication panel's journey: live, read everywhere, paused and polled."""

import re

import pytest
from playwright.sync_api import expect

from notifications.models import Notification
from notifications.tasks import notify_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_panel(page):
    if page.locator("#panel-toggle").get_attribute("aria-expanded") == "false":
        page.locator("#panel-toggle").click()
    expect(page.locator("#notification-list")).to_be_visible()


def test_an_agent_sees_notifications_arrive_live_and_read_in_every_tab(
    signed_in_page, wait_for_live, make_user
):
    agent = make_user("bob", first="Bob", last="Agent", groups=["1st line support"])
    page = signed_in_page(agent, "/contacts/")
    wait_for_live(page)
    expect(page.locator("#live-status")).to_have_text("Live")
    expect(page.locator("body")).to_have_attribute("data-live-state", "connected")
    assert page.evaluate("window.flowdeskLive.connected") is True
    expect(page.locator("#notifications-count")).to_be_hidden()

    other_tab = signed_in_page(agent, "/accounts/")
    wait_for_live(other_tab)
    page.evaluate("window.noReloadMarker = 42")

    notify_user.delay(agent.pk, "Case 42 assigned to you", "Printer on fire", "/contacts/")

    panel = page.locator("#notification-list")
    expect(panel).to_contain_text("Case 42 assigned to you", timeout=15_000)
    expect(page.locator("#notifications-count")).to_have_text("1")
    expect(page.locator("#notifications-count")).to_be_visible()
    expect(other_tab.locator("#notifications-count")).to_have_text("1")
    expect(page.locator("#toasts")).to_contain_text("Case 42 assigned to you")
    assert page.evaluate("window.noReloadMarker") == 42, "the page was not reloaded"

    notify_user.delay(agent.pk, "Case 43 assigned to you")
    expect(page.locator("#notifications-count")).to_have_text("2", timeout=15_000)
    expect(other_tab.locator("#notifications-count")).to_have_text("2")

    open_panel(page)
    open_panel(other_tab)
    page.get_by_role("button", name="Mark “Case 42 assigned to you” as read").click()
    expect(page.locator("#notifications-count")).to_have_text("1")
    expect(other_tab.locator("#notifications-count")).to_have_text("1")
    expect(other_tab.locator(".notice.is-unread")).to_have_count(1)

    other_tab.get_by_role("button", name="Mark all read").click()
    expect(other_tab.locator("#notifications-count")).to_be_hidden()
    expect(page.locator("#notifications-count")).to_be_hidden()
    assert not Notification.objects.filter(recipient=agent, read_at__isnull=True).exists()


def test_with_the_socket_down_the_page_says_so_and_still_gets_notifications_by_polling(
    signed_in_page, wait_for_live, make_user
):
    agent = make_user("bob", first="Bob", last="Agent")
    page = signed_in_page(agent, "/contacts/")
    wait_for_live(page)

    # From now on the server refuses every new socket; then drop the open one.
    page.route_web_socket(re.compile(r".*/ws/live/$"), lambda ws: ws.close(code=1011))
    page.evaluate("window.flowdeskLive.socket.close()")

    expect(page.locator("#live-status")).to_have_text("Live updates paused, reconnecting")
    expect(page.locator("body")).to_have_attribute("data-live-state", "reconnecting")

    notify_user.delay(agent.pk, "Arrived while the socket was down")
    expect(page.locator("#notification-list")).to_contain_text(
        "Arrived while the socket was down", timeout=15_000
    )
    expect(page.locator("#notifications-count")).to_have_text("1")
    expect(page.locator("#live-status")).to_have_text("Live updates paused, reconnecting")


def test_an_anonymous_websocket_is_refused(new_page):
    page = new_page()
    page.goto("/login/")
    code = page.evaluate(
        """() => new Promise(resolve => {
            const socket = new WebSocket(`ws://${location.host}/ws/live/`);
            socket.onclose = event => resolve(event.code);
        })"""
    )
    assert code == 4401
    assert page.locator("#live-socket").count() == 0, "the sign-in page opens no socket"
