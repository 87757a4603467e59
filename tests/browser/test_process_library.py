"""An admin's journey through the Process library and the Process log, in Chromium."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from processes.models import ProcessInstance, Step
from processes.services import step_complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
REVIEW = ROOT / "tests" / "processes" / "data" / "review.bpmn"
BUDGET = ROOT / "processes" / "demo_bpmn" / "budget_split.bpmn"


def import_file(page, path):
    page.goto("/processes/library/")
    page.get_by_role("link", name="Import BPMN").click()
    page.get_by_label("BPMN 2.0 file").set_input_files(str(path))
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.locator(".page-subtitle")).to_contain_text("Inactive")


def expect_diagram(page):
    diagram = page.locator("#diagram")
    expect(diagram).to_have_attribute("data-ready", "true")
    expect(diagram.locator("svg").first).to_be_visible()


def latest_instance():
    return ProcessInstance.objects.order_by("-pk").first()


def test_an_admin_imports_activates_runs_follows_cancels_and_retries_processes(
    signed_in_page, make_user
):
    admin = make_user("alice", first="Alice", last="Admin", staff=True)
    make_user("bob", first="Bob", last="Agent")
    page = signed_in_page(admin, "/processes/library/")
    page.on("dialog", lambda dialog: dialog.accept())

    # Import: a new process arrives inactive, with its diagram.
    import_file(page, REVIEW)
    expect(page.get_by_role("heading", name="Review a request")).to_be_visible()
    expect_diagram(page)
    expect(page.locator('#diagram [data-element-id="approve"]')).to_be_visible()

    # Activate, then run it with input.
    page.get_by_role("button", name="Activate", exact=True).click()
    expect(page.locator(".page-subtitle")).to_contain_text("Active")
    page.get_by_role("link", name="Run", exact=True).click()
    page.get_by_label("Input variables").fill(json.dumps({"amount": 21}))
    page.get_by_role("button", name="Start the process").click()

    # The worker steps it; the page follows live and highlights where it waits.
    live = page.locator("#instance-live")
    expect(live.locator("#steps-table")).to_contain_text("Approve the request", timeout=15_000)
    expect(page.locator('#diagram [data-element-id="approve"].state-active')).to_be_visible()
    expect(page.locator('#diagram [data-element-id="prepare"].state-completed')).to_be_visible()
    instance = latest_instance()
    step = Step.objects.get(instance=instance, element_id="approve", status="waiting")
    step_complete(instance_id=instance.pk, step_number=step.number, variables={"answer": "Yes"})
    expect(live).to_have_attribute("data-status", "completed", timeout=10_000)
    expect(page.locator('#diagram [data-element-id="approved"].state-completed')).to_be_visible()
    expect(page.locator("#diagram .state-active")).to_have_count(0)

    # The Process log lists it; another run is canceled from its page.
    page.goto(f"/processes/library/{instance.definition_id}/run/")
    page.get_by_label("Input variables").fill(json.dumps({"amount": 1}))
    page.get_by_role("button", name="Start the process").click()
    expect(live.locator("#steps-table")).to_contain_text("Approve the request", timeout=15_000)
    second = latest_instance()
    page.goto("/processes/log/")
    expect(page.locator("#instance-table")).to_contain_text(f"#{instance.pk}")
    page.get_by_label("Status").select_option("running")
    expect(page.locator("#instance-table")).not_to_contain_text(f"#{instance.pk}")
    page.get_by_role("link", name=f"#{second.pk}").click()
    page.get_by_role("button", name="Cancel execution").click()
    expect(page.locator("#instance-live")).to_have_attribute("data-status", "canceled")
    assert ProcessInstance.objects.get(pk=second.pk).status == "canceled"

    # A step fails; the admin fixes its cause and runs the item again.
    import_file(page, BUDGET)
    expect_diagram(page)
    page.get_by_role("button", name="Activate", exact=True).click()
    page.get_by_role("link", name="Run", exact=True).click()
    page.get_by_label("budget").fill("1200")
    page.get_by_label("people").fill("0")
    page.get_by_role("button", name="Start the process").click()
    expect(live).to_have_attribute("data-status", "error", timeout=15_000)
    expect(page.locator("#instance-error")).to_contain_text("division by zero")
    expect(page.locator('#diagram [data-element-id="divide"].state-error')).to_be_visible()
    page.get_by_label("Variables").fill(json.dumps({"budget": 1200, "people": 4}))
    page.get_by_role("button", name="Save variables").click()
    expect(page.locator("#toasts")).to_contain_text("Variables saved")
    page.get_by_role("button", name="Run item").click()
    expect(live).to_have_attribute("data-status", "completed", timeout=10_000)
    expect(page.locator("#diagram .state-error")).to_have_count(0)
    assert latest_instance().variables["share"] == 300
