"""A Camunda model's formData on the step page: the enum's values to choose from,
the defaults filled in, a read-only field shown but not editable, and the
constraints carried to the inputs; completing it sets the variables."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from processes import services
from processes.models import ProcessInstance
from tests.activities.factories import step_url, waiting_step
from tests.processes.test_vendor_forms import FORM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
MODEL = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">'
    '<bpmn:process id="p" name="Order a shirt" isExecutable="true">'
    + FORM
    + "</bpmn:process></bpmn:definitions>"
)


def test_a_camunda_form_shows_its_values_defaults_and_constraints(signed_in_page, make_user):
    agent = make_user("bob", first="Bob", last="Agent")
    [version] = services.process_import(data=MODEL)
    instance = services.instance_start(definition=version.definition, user=agent, run_now=True)
    step = waiting_step(instance)

    page = signed_in_page(agent, step_url(step))
    size = page.get_by_label("Size")
    expect(size).to_have_value("m")
    expect(size.locator("option")).to_have_text(["—", "Small", "Medium", "Large: roomy"])
    expect(page.get_by_label("Reference")).to_be_disabled()
    expect(page.get_by_label("Reference")).to_have_value("R-1; x")
    expect(page.get_by_label("Initials")).to_have_attribute("maxlength", "3")
    expect(page.get_by_label("How many")).to_have_value("3")
    expect(page.get_by_label("Needed by")).to_have_value("2030-12-31")
    size.select_option("l")
    page.get_by_label("Initials").fill("AB")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(path=str(SHOTS / "vendor-form-page.png"), full_page=True)
    page.get_by_role("button", name="Done").click()

    expect(page.get_by_role("button", name="Done")).to_have_count(0, timeout=15_000)
    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.status == "completed", instance.error
    assert (instance.variables["size"], instance.variables["ref"]) == ("l", "R-1; x")
    assert instance.variables["qty"] == 3 and instance.variables["initials"] == "AB"
