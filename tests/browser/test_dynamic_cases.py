"""Dynamic cases in the browser: opportunities walk the stages of the case their category
chooses, their steps on the action panel; a required step blocks a move; a new category
offers Change case. Screenshots of the pages go to /tmp/shots/dyn-*.png."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from crm.models import Account, OpportunityCategory
from crm.services_opportunities import lookups_ensure, opportunity_create
from dynamic_cases.demo import DEMO_CASES
from dynamic_cases.models import DynamicCase
from dynamic_cases.services import dynamic_case_save
from processes.models import Step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")


def _sales_team(make_user):
    lookups_ensure()  # the servers share this database; earlier tests flushed it
    make_user("agent1", first="Alex", last="Agent", groups=["1st line support"])
    make_user("supervisor", first="Sam", last="Supervisor", groups=["Supervisors"])
    admin = make_user("admin", first="Ada", last="Admin", staff=True)
    for data in DEMO_CASES:
        dynamic_case_save(data=data, user=admin)
    Account.objects.create(name="Tailspin Toys", city="Austin")
    Account.objects.create(name="Fabrikam Logistics", city="Rotterdam")


def _opportunity(title, category, account, owner, amount):

    return opportunity_create(
        title=title,
        category=OpportunityCategory.objects.get(name=category),
        account=Account.objects.get(name=account),
        owner=User.objects.get(username=owner),
        amount=amount,
    )


def _bar(page):
    return page.locator("#dynamic-case-bar .workflow-step")


def _shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"dyn-{name}.png"))


def test_a_small_business_opportunity_walks_its_stages_then_changes_case(make_user, signed_in_page):
    _sales_team(make_user)
    deal = _opportunity(
        "Point-of-sale terminals", "Small business", "Tailspin Toys", "agent1", 18500
    )
    page = signed_in_page(deal.owner, deal.get_absolute_url())

    expect(_bar(page)).to_have_text(["Qualification", "Presentation", "Closed won", "Closed lost"])
    expect(page.locator(".workflow-step.is-current")).to_have_text("Qualification")
    panel = page.locator("#action-panel")
    expect(panel.locator("#dyn-step-sb_qualify")).to_contain_text("Alex Agent")
    expect(panel.locator("#dyn-step-sb_budget")).to_contain_text("Optional")

    # A required step still open blocks the move, and the message names it.
    page.get_by_role("button", name="Presentation").click()
    expect(page.locator("#dynamic-case-error")).to_have_text(
        "Complete the required steps of “Qualification” first: Qualify the customer's needs."
    )

    panel.locator("#dyn-step-sb_qualify").get_by_role("button", name="Done").click()
    # The row's own button already reads "Done": wait for the swapped-in state.
    expect(panel.locator("#dyn-step-sb_qualify")).to_have_class(re.compile(r"status-done"))
    panel.locator("#dyn-step-sb_budget").get_by_role("button", name="Skip").click()
    expect(panel.locator("#dyn-step-sb_budget")).to_contain_text("Skipped")
    page.get_by_role("button", name="Presentation").click()

    expect(page.locator(".workflow-step.is-current")).to_have_text("Presentation")
    expect(page.locator(".workflow-step.is-done")).to_have_text(["Qualification"])
    expect(panel.locator("#dyn-step-sb_prepare")).to_contain_text("In progress")
    expect(panel.locator("#dyn-step-sb_present")).to_contain_text(
        "Starts after “Prepare the product demo”"
    )
    # Each task is a waiting user step of its owner (the activities app, when merged,
    # turns page="task" steps into calendar activities).
    assert Step.objects.get(name="Prepare the product demo", status="waiting").owner == deal.owner
    _shot(page, "opportunity")

    panel.locator("#dyn-step-sb_prepare").get_by_role("button", name="Done").click()
    expect(panel.locator("#dyn-step-sb_present")).to_contain_text("In progress")
    panel.locator("#dyn-step-sb_present").get_by_role("button", name="Done").click()
    expect(panel.locator("#dyn-step-sb_followup")).to_contain_text("In progress")
    page.get_by_role("button", name="Closed won").click()

    expect(page.locator(".workflow-step.is-current")).to_have_text("Closed won")
    expect(page.locator("#opportunity-stage")).to_have_text("Closed won")
    expect(panel.locator("#dyn-step-sb_thanks")).to_be_visible()

    # Server processes cache content type ids, and every test flushes the database:
    # the journeys that make the server start step instances share this one test.
    _change_case(page)


def _change_case(page):
    deal = _opportunity("Warehouse scanners", "Small business", "Tailspin Toys", "agent1", 9200)
    page.goto(f"/opportunities/{deal.pk}/edit/")

    page.get_by_label("Category").select_option(label="Medium business")
    page.get_by_role("button", name="Save opportunity").click()
    expect(page.locator("#dynamic-case-change")).to_contain_text("Medium business sale")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Change case").click()

    expect(_bar(page)).to_have_count(6)
    expect(page.locator(".workflow-step.is-current")).to_have_text("Qualification")
    expect(page.locator("#dynamic-case-change")).to_have_count(0)
    expect(page.locator("#dyn-step-mb_qualify")).to_be_visible()


def test_a_medium_business_opportunity_shows_its_own_stages(make_user, signed_in_page):
    _sales_team(make_user)
    deal = _opportunity(
        "Fleet telematics", "Medium business", "Fabrikam Logistics", "agent1", 126000
    )
    page = signed_in_page(deal.owner, deal.get_absolute_url())

    expect(_bar(page)).to_have_text(
        ["Qualification", "Needs analysis", "Proposal", "Negotiation", "Closed won", "Closed lost"]
    )
    expect(page.locator("#dyn-step-mb_qualify")).to_contain_text("In progress")
    expect(page.locator("#dyn-step-mb_approve")).to_contain_text("Starts after “Qualify the lead”")


def test_screens_of_the_designer_and_the_list(make_user, signed_in_page):
    _sales_team(make_user)
    for title, category, account, amount in [
        ("Point-of-sale terminals for 3 stores", "Small business", "Tailspin Toys", 18500),
        ("Fleet telematics rollout", "Medium business", "Fabrikam Logistics", 126000),
        ("Warehouse scanners refresh", "Small business", "Fabrikam Logistics", 9200),
        ("Route planning licences", "Medium business", "Tailspin Toys", 64000),
    ]:
        _opportunity(title, category, account, "agent1", amount)
    admin = User.objects.get(username="admin")
    page = signed_in_page(admin, "/opportunities/")
    expect(page.locator("#opportunity-table tbody tr")).to_have_count(4)
    _shot(page, "opportunities")

    page.goto("/cases/dynamic/")
    expect(page.locator("#case-table tbody tr")).to_have_count(2)
    _shot(page, "designer")

    case = DynamicCase.objects.get(code="opportunity_medium")
    page.goto(f"/cases/dynamic/{case.pk}/")
    expect(page.locator(".dyn-stage-card")).to_have_count(6)
    page.get_by_role("button", name="Add stage").click()
    expect(page.locator(".dyn-stage-card")).to_have_count(7)
    page.goto(f"/cases/dynamic/{case.pk}/")
    _shot(page, "editor")
