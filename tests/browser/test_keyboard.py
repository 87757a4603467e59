"""Contacts with the keyboard only: search, open, edit, save."""

import pytest
from playwright.sync_api import expect

from crm.models import Contact
from tests.crm.factories import make_account, make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _tab_to(page, predicate_js, limit=30):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate_js}")


def test_a_contact_round_trip_list_record_edit_works_with_the_keyboard(signed_in_page, make_user):
    agent = make_user("bob", first="Bob", last="Agent")
    acme = make_account("Acme Corporation")
    contact = make_contact("Ana Trujillo", email="ana@example.com", account=acme, owner=agent)
    make_contact("Thomas Hardy")
    page = signed_in_page(agent, "/contacts/")

    page.keyboard.press("/")
    expect(page.locator("#contact-search")).to_be_focused()
    page.keyboard.type("Ana")
    page.wait_for_url("**/contacts/?q=Ana**")
    expect(page.locator("#contact-table tbody tr")).to_have_count(1)
    expect(page.locator("#contact-search")).to_be_focused()

    _tab_to(page, "el.textContent.trim() === 'Ana Trujillo'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{contact.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Trujillo")

    page.keyboard.press("e")
    page.wait_for_url("**/edit/")
    name = page.get_by_label("Full name")
    expect(name).to_be_focused()
    page.keyboard.press("Control+A")
    page.keyboard.type("Ana Trujillo-Moreno")
    _tab_to(page, "el.id === 'id_job_title'")
    page.keyboard.type("Owner")
    page.keyboard.press("Enter")

    page.wait_for_url(f"**{contact.get_absolute_url()}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ana Trujillo-Moreno")
    expect(page.locator("#toasts")).to_contain_text("Contact saved.")
    contact.refresh_from_db()
    assert contact.full_name == "Ana Trujillo-Moreno" and contact.job_title == "Owner"
    assert Contact.objects.count() == 2


def test_the_skip_link_panel_shortcut_and_panel_tabs_work_from_the_keyboard(
    signed_in_page, make_user
):
    agent = make_user("bob")
    page = signed_in_page(agent, "/contacts/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()

    toggle = page.locator("#panel-toggle")
    # At 1280 px the panel starts as a rail; Alt+P opens it and puts focus on its tab.
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".comm-body")).to_be_hidden()
    page.keyboard.press("Alt+P")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".comm-body")).to_be_visible()

    notifications_tab = page.get_by_role("tab", name="Notifications")
    tasks_tab = page.get_by_role("tab", name="Business process tasks")
    expect(notifications_tab).to_be_focused()
    expect(notifications_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Notifications")).to_be_visible()

    page.keyboard.press("ArrowUp")
    expect(tasks_tab).to_be_focused()
    expect(tasks_tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel", name="Business process tasks")).to_contain_text(
        "No process tasks"
    )
    page.keyboard.press("ArrowDown")
    expect(notifications_tab).to_have_attribute("aria-selected", "true")

    page.keyboard.press("Alt+P")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator(".comm-body")).to_be_hidden()
    page.reload()
    expect(page.locator("#panel-toggle")).to_have_attribute("aria-expanded", "false")
