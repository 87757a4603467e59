"""The process designer in the browser: model a process from scratch, see a lint error
block publishing, publish, run it and see the question reach its owner; edit a
published process into version 2 and see the differences drawn."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from processes import services
from processes.models import ProcessDefinition, ProcessInstance, Step

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
MODELER = "document.querySelector('[data-designer]')._designer.modeler"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"designer-{name}.png"))


def element_ids(page):
    return set(page.evaluate(f"() => {MODELER}.get('elementRegistry').getAll().map(e => e.id)"))


def id_by_name(page, name):
    return page.evaluate(
        f"name => {MODELER}.get('elementRegistry')"
        ".filter(e => e.businessObject.name === name && !e.labelTarget)[0].id",
        name,
    )


def click_element(page, element_id):
    """Select a shape as a click does (a click on a selected shape would deselect it)."""
    selected = page.locator(f".djs-element.selected[data-element-id='{element_id}']")
    if selected.count() == 0:
        page.locator(f".djs-element.djs-shape[data-element-id='{element_id}']").click()
    expect(selected).to_have_count(1)


def click_empty_canvas(page):
    """Ends label editing and clears the selection, as a click on the paper does (the
    bottom-left corner: the linter's button sits at the bottom middle)."""
    box = page.locator("[data-designer-canvas]").bounding_box()
    page.mouse.click(box["x"] + 40, box["y"] + box["height"] - 40)
    expect(page.locator(".djs-direct-editing-parent")).to_be_hidden()


def append(page, from_id, action, name=None):
    """Append from the element's context pad; returns the new shape's id."""
    before = element_ids(page)
    click_element(page, from_id)
    page.locator(f".djs-context-pad .entry[data-action='append.{action}']").click()
    if name:
        page.keyboard.type(name)
    click_empty_canvas(page)
    new = element_ids(page) - before
    shapes = page.evaluate(
        f"ids => ids.filter(id => {{ const e = {MODELER}.get('elementRegistry').get(id);"
        " return !e.waypoints && !e.labelTarget; })",
        sorted(new),
    )
    assert len(shapes) == 1, shapes
    return shapes[0]


def select_flow(page, source_id, target_id):
    """Select the sequence flow between two shapes (a diagonal line has no reliable
    point to click) and return its id."""
    return page.evaluate(
        f"([s, t]) => {{ const m = {MODELER}; const flow = m.get('elementRegistry')"
        ".filter(e => e.waypoints && e.source && e.source.id === s && e.target.id === t)[0];"
        " m.get('selection').select(flow); return flow.id; }",
        [source_id, target_id],
    )


def open_group(page, group):
    header = page.locator(f"[data-group-id='group-{group}'] .bio-properties-panel-group-header")
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def panel(page):
    return page.locator("[data-designer-properties]")


def test_model_a_process_from_scratch_publish_it_run_it_and_the_question_reaches_its_owner(
    signed_in_page, make_user
):
    admin = make_user("ada", first="Ada", last="Admin", staff=True)
    owner = make_user("olga", first="Olga", last="Owner")
    owner_page = signed_in_page(owner, "/")
    # The owner's socket is open (a wait of our own: "/" answers with a CSP that refuses
    # the eval a string predicate needs).
    expect(owner_page.locator("body")).to_have_attribute("data-live-state", "connected")

    page = signed_in_page(admin, "/processes/library/")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.locator("#new-process").click()
    page.get_by_label("Name").fill("Approve an offer")
    page.get_by_label("Code").fill("approve_offer")
    page.get_by_role("button", name="Open the designer").click()
    expect(page.locator("[data-designer]")).to_have_attribute("data-ready", "1", timeout=15_000)

    task = append(page, "start", "append-task", "Approve the offer")
    click_element(page, task)
    page.locator(".djs-context-pad .entry[data-action='replace']").click()
    page.locator(".djs-popup [data-id='replace-with-user-task']").click()
    task = id_by_name(page, "Approve the offer")  # a replaced element gets a new id
    open_group(page, "flowdesk-step")
    panel(page).get_by_label("Owner", exact=True).select_option(label="Olga Owner")
    panel(page).get_by_label("Page", exact=True).select_option(label="Question")

    gateway = append(page, task, "gateway")
    approved = append(page, gateway, "end-event")
    declined = append(page, gateway, "end-event")

    # A question without answers: the lint rule blocks publishing, naming the element.
    click_element(page, task)
    page.get_by_role("button", name="Publish").click()
    status = page.locator("[data-designer-status]")
    expect(status).to_contain_text("Cannot publish")
    expect(status).to_contain_text(f"Approve the offer ({task})")
    expect(status).to_contain_text("no answers")
    expect(
        page.locator(f"[data-designer-problems] li[data-element='{task}']").first
    ).to_be_visible()
    assert not ProcessDefinition.objects.filter(code="approve_offer").exists()

    open_group(page, "flowdesk-step")
    panel(page).get_by_label("Answers", exact=True).fill("Yes;No")
    shot(page, "properties")

    for target, condition in ((approved, "answer == 'Yes'"), (declined, "answer == 'No'")):
        click_empty_canvas(page)  # leaves the field being typed in, as a modeller would
        select_flow(page, gateway, target)
        open_group(page, "flowdesk-condition")
        panel(page).get_by_label("Condition", exact=True).fill(condition)
        click_empty_canvas(page)
    expect(page.locator("[data-designer]")).to_have_attribute("data-errors", "0")

    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(re.compile(r"/processes/library/\d+/$"))
    expect(page.locator(".toast").first).to_contain_text(
        "Published “Approve an offer” as version 1"
    )
    definition = ProcessDefinition.objects.get(code="approve_offer")
    assert definition.is_active
    xml = definition.versions.get().bpmn_xml
    assert 'flowdesk:owner="olga"' in xml and 'flowdesk:answers="Yes;No"' in xml

    page.get_by_role("link", name="Run", exact=True).click()
    page.get_by_role("button", name="Start the process").click()
    page.wait_for_url(re.compile(r"/processes/log/\d+/$"))

    dialog = owner_page.locator("dialog.step-dialog[open]")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog.get_by_role("heading", name="Approve the offer")).to_be_visible()
    dialog.locator(".answer-option", has_text="Yes").click()
    dialog.get_by_role("button", name="Answer").click()
    expect(owner_page.locator("dialog.step-dialog")).to_have_count(0, timeout=15_000)

    instance = ProcessInstance.objects.get(definition=definition)
    assert instance.status == ProcessInstance.Status.COMPLETED
    assert instance.variables["answer"] == "Yes"
    assert Step.objects.filter(instance=instance, element_id=approved).exists()
    assert not Step.objects.filter(instance=instance, element_id=declined).exists()


VERSION_ONE = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
  xmlns:flowdesk="https://flowdesk.dev/bpmn" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
  id="d" targetNamespace="t">
  <bpmn:process id="call_back" name="Call back" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="call"/>
    <bpmn:userTask id="call" name="Call the customer" camunda:dueDate="P1D"/>
    <bpmn:sequenceFlow id="f2" sourceRef="call" targetRef="end">
      <bpmn:conditionExpression>reached == True</bpmn:conditionExpression></bpmn:sequenceFlow>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="dia"><bpmndi:BPMNPlane id="plane" bpmnElement="call_back">
    <bpmndi:BPMNShape id="start_di" bpmnElement="start">
      <dc:Bounds x="150" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="call_di" bpmnElement="call">
      <dc:Bounds x="240" y="78" width="100" height="80"/></bpmndi:BPMNShape>
    <bpmndi:BPMNShape id="end_di" bpmnElement="end">
      <dc:Bounds x="400" y="100" width="36" height="36"/></bpmndi:BPMNShape>
    <bpmndi:BPMNEdge id="f1_di" bpmnElement="f1">
      <di:waypoint x="186" y="118"/><di:waypoint x="240" y="118"/></bpmndi:BPMNEdge>
    <bpmndi:BPMNEdge id="f2_di" bpmnElement="f2">
      <di:waypoint x="340" y="118"/><di:waypoint x="400" y="118"/></bpmndi:BPMNEdge>
  </bpmndi:BPMNPlane></bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def test_edit_a_published_process_into_version_2_and_see_the_differences(signed_in_page, make_user):
    admin = make_user("ada", first="Ada", last="Admin", staff=True)
    definition = services.process_import(data=VERSION_ONE)[0].definition
    page = signed_in_page(admin, definition.get_absolute_url())
    page.locator("#edit-as-draft").click()
    expect(page.locator("[data-designer]")).to_have_attribute("data-ready", "1", timeout=15_000)

    click_element(page, "call")
    open_group(page, "flowdesk-step")
    panel(page).get_by_label("Hint").fill("Ask whether the offer arrived")
    click_empty_canvas(page)
    append(page, "start", "append-task", "Write a note")
    page.get_by_role("button", name="Publish as new version").click()
    page.wait_for_url(definition.get_absolute_url())
    version = definition.versions.get(number=2)
    assert 'camunda:dueDate="P1D"' in version.bpmn_xml  # Camunda's attributes kept on save
    assert "reached == True" in version.bpmn_xml  # an untyped condition is not lost
    assert definition.versions.count() == 2

    page.get_by_role("link", name="Compare version 2 with the one before").click()
    compare = page.locator("[data-compare]")
    expect(compare).to_have_attribute("data-ready", "1", timeout=15_000)
    changes = page.locator("[data-compare-list]")
    expect(changes.locator("li[data-kind='added']", has_text="Write a note")).to_be_visible()
    expect(changes.locator("li[data-kind='changed'][data-element='call']")).to_contain_text("hint")
    expect(
        page.locator("[data-compare-new] .djs-element.diff-changed[data-element-id='call']")
    ).to_have_count(1)
    shot(page, "compare")


def test_test_run_a_draft_with_variables_and_watch_its_waiting_step_on_the_log(
    signed_in_page, make_user
):
    admin = make_user("ada", first="Ada", last="Admin", staff=True)
    definition = services.process_import(data=VERSION_ONE)[0].definition
    page = signed_in_page(admin, definition.get_absolute_url())
    page.locator("#edit-as-draft").click()
    expect(page.locator("[data-designer]")).to_have_attribute("data-ready", "1", timeout=15_000)
    click_element(page, "call")
    open_group(page, "flowdesk-step")
    panel(page).get_by_label("Owner expression").fill("ada")
    click_empty_canvas(page)

    page.get_by_role("button", name="Test run", exact=True).click()
    page.get_by_label("Variables").fill("{amount: 5}")
    page.get_by_role("button", name="Start test run").click()
    expect(page.locator("[data-designer-test-errors]")).to_contain_text("not valid JSON")
    page.get_by_label("Variables").fill(json.dumps({"amount": 5}))
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, "test-run")
    with page.context.expect_page() as opened:
        page.get_by_role("button", name="Start test run").click()
    log = opened.value
    log.wait_for_load_state()
    expect(log.locator("[data-test-run]")).to_have_text("Test run")
    expect(log.locator('#diagram [data-element-id="call"].state-active')).to_be_visible(
        timeout=15_000
    )
    instance = ProcessInstance.objects.get()
    assert instance.version.is_test_run and instance.variables == {"amount": 5}
    assert Step.objects.get(instance=instance, element_id="call", status="waiting").owner == admin
    assert definition.versions.filter(is_test_run=False).count() == 1  # nothing published
    log.set_viewport_size({"width": 1440, "height": 900})
    log.screenshot(path=str(SHOTS / "designer-test-run-log.png"))
