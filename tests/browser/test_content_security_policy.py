"""Chromium enforces the Content Security Policy and the pages still work under it:
the agents' frame and its socket, a case's composer, the portal, a process diagram."""

from pathlib import Path

import pytest
from django.apps import apps
from playwright.sync_api import expect

from cases.defaults import load_defaults
from tests.cases.factories import make_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REVIEW = Path(__file__).resolve().parents[2] / "tests" / "processes" / "data" / "review.bpmn"


def record_refusals(page):
    refusals = []
    page.on(
        "console",
        lambda message: (
            refusals.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refusals


def test_pages_run_under_the_policy_with_nothing_refused(
    signed_in_page, make_user, wait_for_live, tmp_path
):
    load_defaults(apps)
    admin = make_user("alice", first="Alice", last="Admin", staff=True)
    case = make_case(by=admin, subject="Label printer jams")
    page = signed_in_page(admin, "/cases/desktop/")
    refusals = record_refusals(page)

    page.goto("/cases/desktop/")
    wait_for_live(page)

    page.goto(case.get_absolute_url())
    wait_for_live(page)
    attachment = tmp_path / "label.txt"
    attachment.write_text("PRN-3F")
    composer_files = page.locator("#id_composer_files")
    if composer_files.count():
        composer_files.set_input_files(str(attachment))
        expect(page.locator(".attach-names").first).to_have_text("label.txt")

    page.goto("/processes/library/")
    page.get_by_role("link", name="Import BPMN").click()
    page.get_by_label("BPMN 2.0 file").set_input_files(str(REVIEW))
    page.get_by_role("button", name="Import", exact=True).click()
    diagram = page.locator("#diagram")
    expect(diagram).to_have_attribute("data-ready", "true")
    expect(diagram.locator("svg").first).to_be_visible()

    assert refusals == []
