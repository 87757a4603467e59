"""The service desk journey: take a case, work it, escalate it live, reclassify, link it."""

from datetime import time

import pytest
from django.apps import apps
from playwright.sync_api import expect

from cases import services
from cases.defaults import load_defaults
from cases.models import (
    CaseCategory,
    CasePriority,
    CaseStatus,
    Service,
    ServiceAgreement,
    ServiceTerm,
    WorkCalendar,
    WorkingDay,
)
from crm.models import Account, Contact
from knowledge.models import KnowledgeArticle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _desk(make_user):
    load_defaults(apps)  # the servers share this database; earlier tests flushed it
    bob = make_user("bob", first="Bob", last="Agent", groups=["1st line support"])
    dave = make_user("dave", first="Dave", last="Expert", groups=["2nd line support"])
    always = WorkCalendar.objects.create(name="Always open")
    for weekday in range(7):
        WorkingDay.objects.create(
            calendar=always, weekday=weekday, start=time(0), end=time(23, 59, 59)
        )
    incident = CaseCategory.objects.get(code="incident")
    high = CasePriority.objects.get(code="high")
    standard = ServiceAgreement.objects.create(
        name="Standard support", calendar=always, category=incident
    )
    premium = ServiceAgreement.objects.create(
        name="Premium support", calendar=always, category=incident
    )
    ServiceTerm.objects.create(
        agreement=standard, priority=high, response_minutes=240, resolution_minutes=3 * 24 * 60
    )
    ServiceTerm.objects.create(
        agreement=premium, priority=high, response_minutes=30, resolution_minutes=4 * 60
    )
    printers = Service.objects.create(name="Laptops and printers")
    customer = Contact.objects.create(
        full_name="Clara Customer",
        email="clara@northwind.example",
        account=Account.objects.create(name="Northwind Traders"),
    )
    solved = services.case_create(
        subject="Printer jammed last month",
        contact=customer,
        priority=high,
        service_agreement=standard,
        service=printers,
    )
    services.case_set_status(case=solved, status=CaseStatus.objects.get(code="resolved"), user=bob)
    solved.articles.add(KnowledgeArticle.objects.create(title="Clearing a paper jam"))
    case = services.case_create(
        subject="Printer on the 3rd floor jams",
        contact=customer,
        priority=high,
        service_agreement=standard,
        service=printers,
    )
    return bob, dave, case, solved


def test_an_agent_takes_works_escalates_reclassifies_and_links_a_case(
    live_servers, signed_in_page, wait_for_live, make_user
):
    bob, dave, case, solved = _desk(make_user)

    expert = signed_in_page(dave, "/cases/desktop/")
    wait_for_live(expert)

    page = signed_in_page(bob, "/cases/desktop/")
    expect(page.locator("#queue-unassigned")).to_contain_text(case.subject)
    page.locator("#take-next").click()
    page.wait_for_url(f"**{case.get_absolute_url()}")
    expect(page.locator("#toasts")).to_contain_text(f"You took {case.number}")
    expect(page.locator("#case-assignee")).to_contain_text("Bob Agent")

    # In progress: the workflow bar posts with htmx; the customer is emailed the deadline.
    page.locator(".workflow-bar").get_by_role("button", name="In progress").click()
    expect(page.locator(".workflow-step.is-current")).to_have_text("In progress")
    history = page.locator("#case-history")
    expect(history).to_contain_text("We are working on your case")
    expect(history).to_contain_text("clara@northwind.example")
    case.refresh_from_db()
    mail = "\n".join(p.read_text(errors="replace") for p in live_servers.mail_dir.glob("*.log"))
    assert f"[{case.number}] We are working on your case" in mail
    assert "We aim to resolve it by" in mail

    page.locator("#id_note_text").fill("Toner looks fine; asking 2nd line about the fuser.")
    page.get_by_role("button", name="Add note").click()
    expect(history).to_contain_text("asking 2nd line about the fuser")

    # Escalate to the 2nd line group: its member sees the notification arrive live.
    page.locator("#case-actions summary").click()
    page.locator("#action-escalate").click()
    dialog = page.locator("#case-action")
    dialog.get_by_role("button", name="Escalate").click()
    expect(page.locator("#action-error")).to_contain_text(
        "choose the new support level and a new assignee or assignee group"
    )
    dialog.get_by_label("New support level").select_option(label="2nd line")
    dialog.get_by_label("Assignee group").select_option(label="2nd line support")
    dialog.get_by_label("Why escalate?").fill("Fuser error 50.1")
    dialog.get_by_role("button", name="Escalate").click()
    expect(page.locator("#case-level")).to_have_text("2nd line")
    expect(page.locator("#case-group")).to_have_text("2nd line support")
    expect(expert.locator("#notification-list")).to_contain_text(
        f"{case.number} is waiting in the 2nd line support queue", timeout=15_000
    )
    expect(expert.locator("#notifications-count")).to_have_text("1")

    # Reclassify under the premium agreement: the deadlines shown change.
    before = page.locator("#resolution-due").inner_text()
    page.locator("#case-actions summary").click()
    page.locator("#action-reclassify").click()
    page.locator("#case-action").get_by_label("Service agreement").select_option(
        label="Premium support"
    )
    page.locator("#case-action").get_by_role("button", name="Reclassify").click()
    expect(page.locator("#case-agreement")).to_have_text("Premium support")
    expect(page.locator("#resolution-due")).not_to_have_text(before)
    case.refresh_from_db()
    assert case.service_agreement.name == "Premium support"

    # Search for similar cases: the resolved one shows its article; choose it as parent.
    page.locator("#case-actions summary").click()
    page.locator("#action-similar").click()
    similar = page.locator("#similar-cases")
    expect(similar).to_contain_text(solved.subject)
    expect(similar).to_contain_text("Clearing a paper jam")
    similar.locator(f"#choose-parent-{solved.pk}").click()
    expect(page.locator("#case-parent")).to_contain_text(solved.number)
    case.refresh_from_db()
    assert case.parent_id == solved.pk
