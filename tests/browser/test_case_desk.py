"""The desk as an agent lives in it: the desktop pages through every queue, a case
goes back to the queue, a postponed one comes back early; the case page is edited in
place, gets a task, shows the contact's card; the top bar's search box by keyboard.

Each journey leaves a 1440x900 screenshot with the communication panel open in
var/screenshots/ (what a person would see)."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from cases import assignment, services
from cases.defaults import load_defaults
from cases.models import Case, CaseCategory, CasePriority
from crm.models import Account, Contact
from knowledge.models import KnowledgeArticle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def wide_page(new_page, user, path):
    page = new_page(viewport=WIDE)
    page.goto(f"/login/?next={path}")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def _people(make_user):
    load_defaults(apps)  # the servers share this database; earlier tests flushed it
    bob = make_user("bob", first="Bob", last="Agent", groups=["1st line support"])
    clara = Contact.objects.create(
        full_name="Clara Customer",
        email="clara.customer@northwind.example",
        phone="+1 206 555 0142",
        account=Account.objects.create(name="Northwind Traders", phone="+1 206 555 0100"),
    )
    return bob, clara


def _case(by, contact, subject, **fields):
    fields.setdefault("category", CaseCategory.objects.get(code="incident"))
    fields.setdefault("priority", CasePriority.objects.get(code="medium"))
    return services.case_create(created_by=by, subject=subject, contact=contact, **fields)


def _clones(template, count, **fields):
    Case.objects.bulk_create(
        Case(
            subject=f"{template.subject} #{n}",
            number=f"SR-{90000 + template.pk * 3000 + n}",
            status_id=template.status_id,
            priority_id=template.priority_id,
            category_id=template.category_id,
            contact_id=template.contact_id,
            account_id=template.account_id,
            resolution_due=template.resolution_due,
            **fields,
        )
        for n in range(count)
    )


def test_the_desktop_pages_returns_and_brings_back_cases_with_2000_cases(new_page, make_user):
    bob, clara = _people(make_user)
    first_line = Group.objects.get(name="1st line support")
    mine = _case(bob, clara, "VPN drops every hour", assignee=bob, assignee_group=first_line)
    grouped = _case(bob, clara, "Laptop will not charge", assignee_group=first_line)
    loose = _case(bob, clara, "Printer offline")
    later = _case(bob, clara, "Order new headsets")
    assignment.case_postpone(case=later, user=bob, until=timezone.now() + timedelta(days=1))
    _clones(grouped, 1400, assignee_group=first_line)
    _clones(loose, 596)
    assert Case.objects.count() == 2000

    page = wide_page(new_page, bob, "/cases/desktop/")
    expect(page.locator("#count-groups")).to_have_text("1401")
    expect(page.locator("#count-unassigned")).to_have_text("597")
    expect(page.locator("#desktop-new-case")).to_be_visible()
    shot(page, "desktop-2000-cases")

    page.locator("#queue-groups-next").click()
    expect(page.locator("#queue-groups")).to_contain_text("26–50 of 1401")
    assert "groups_page=2" in page.url

    page.locator(f"#return-{mine.pk}").click()
    expect(page.locator("#toasts")).to_contain_text(f"{mine.number} is back in the queue.")
    expect(page.locator("#count-mine")).to_have_text("0")
    expect(page.locator("#count-groups")).to_have_text("1402")

    page.locator(f"#bring-back-{later.pk}").click()
    expect(page.locator("#toasts")).to_contain_text(f"{later.number} is back in your queues.")
    expect(page.locator("#count-postponed")).to_have_text("0")


def test_an_agent_edits_a_case_in_place_adds_a_task_and_opens_the_contact_card(new_page, make_user):
    bob, clara = _people(make_user)
    _case(bob, clara, "Scanner shows error E5")
    case = _case(bob, clara, "Printer on the 3rd floor jams", assignee=bob)
    page = wide_page(new_page, bob, case.get_absolute_url())

    # The contact's card opens by keyboard focus, with a tel: link.
    page.locator("#contact-card-link").focus()
    card = page.locator("#contact-card")
    expect(card).to_be_visible()
    expect(card.locator("#contact-card-phone")).to_have_attribute("href", "tel:+12065550142")
    expect(card).to_contain_text("1 other open case")
    expect(card).to_contain_text("Scanner shows error E5")
    shot(page, "case-contact-card")
    page.locator("#case-edit").focus()
    expect(card).to_be_hidden()
    page.locator("#contact-card-link").hover()
    expect(card).to_be_visible()

    page.locator("#case-edit").click()
    form = page.locator("#case-edit-form")
    expect(page.locator(".workflow-bar")).to_be_visible()
    form.get_by_label("Subject").fill("Printer on the 3rd floor jams on duplex")
    form.get_by_label("Priority").select_option(label="High")
    shot(page, "case-edit-in-place")
    form.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text("Printer on the 3rd floor jams on duplex")
    expect(page.locator("#case-history")).to_contain_text(
        "Subject: Printer on the 3rd floor jams on duplex"
    )
    expect(page.locator("#case-history")).to_contain_text("Bob Agent")

    page.locator("#task-add-toggle").click()
    page.locator("#task-add-form").get_by_label("Task").fill("Order a duplex unit")
    page.locator("#task-add-save").click()
    expect(page.locator("#case-tasks")).to_contain_text("Order a duplex unit")
    shot(page, "case-page")

    # Resolving now asks what to do with the open task.
    page.locator(".workflow-bar").get_by_role("button", name="In progress").click()
    expect(page.locator(".workflow-step.is-current")).to_have_text("In progress")
    page.locator(".workflow-bar").get_by_role("button", name="Resolved").click()
    expect(page.locator("#case-record")).to_contain_text("Order a duplex unit")


def test_the_search_box_works_from_the_keyboard(new_page, make_user):
    bob, clara = _people(make_user)
    case = _case(bob, clara, "Printer on fire")
    KnowledgeArticle.objects.create(title="Fire safety for printers")
    page = wide_page(new_page, bob, "/cases/desktop/")

    page.keyboard.press("/")
    box = page.locator("#search-q")
    expect(box).to_be_focused()
    box.press_sequentially("fire", delay=30)
    results = page.locator("#search-results")
    expect(results).to_be_visible()
    expect(results).to_contain_text(case.number)
    expect(results).to_contain_text("Fire safety for printers")
    shot(page, "search-box")
    expect(page.locator(f"#search-case-{case.pk}")).to_have_class("search-option is-active")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{case.get_absolute_url()}")

    # On a page with a search box of its own, "/" stays with it; Ctrl+K reaches this one.
    page.goto("/contacts/")
    page.keyboard.press("/")
    expect(page.locator("#contact-search")).to_be_focused()
    page.keyboard.press("Control+k")
    expect(box).to_be_focused()
    page.keyboard.press("Escape")
    expect(box).not_to_be_focused()
