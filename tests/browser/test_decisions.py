"""An admin imports a DMN file, reads its decision table and tries it out, in Chromium."""

import pytest
from playwright.sync_api import expect

from tests.processes.test_decisions import dmn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_imports_a_decision_reads_its_table_and_evaluates_it(
    signed_in_page, make_user, tmp_path
):
    admin = make_user("alice", first="Alice", last="Admin", staff=True)
    page = signed_in_page(admin, "/processes/library/")
    model = tmp_path / "pricing.dmn"
    model.write_bytes(dmn())

    page.get_by_role("link", name="Import BPMN or DMN").click()
    page.get_by_label("BPMN 2.0 files and DMN files").set_input_files(str(model))
    page.get_by_role("button", name="Import", exact=True).click()

    # The decision page draws the table with dmn-js: its rules, inputs and output.
    expect(page.get_by_role("heading", name="Discount")).to_be_visible()
    viewer = page.locator("#decision-viewer")
    expect(viewer).to_have_attribute("data-ready", "true", timeout=10_000)
    expect(viewer).to_have_attribute("data-view", "decisionTable")
    table = viewer.locator(".tjs-table")
    expect(table).to_be_visible()
    expect(table).to_contain_text("Amount")
    expect(table).to_contain_text('"gold"')
    expect(viewer.locator("tbody tr")).to_have_count(3)

    # Trying it out shows the value and the rules that matched, without leaving the page.
    page.get_by_label("amount").fill("250")
    page.get_by_label("tier").fill("silver")
    page.get_by_role("button", name="Evaluate").click()
    result = page.locator("#decision-result")
    expect(result.locator("#decision-value")).to_have_text("0.1")
    expect(result.locator("[data-rule]")).to_have_text(["rule 2"])

    # The library lists it beside the processes.
    page.goto("/processes/library/")
    expect(page.locator("#decision-models")).to_contain_text("Pricing")
    page.locator("#decision-models").get_by_role("link", name="Discount").click()
    expect(page.get_by_role("heading", name="Discount")).to_be_visible()
