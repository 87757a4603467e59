"""Steps and activities as agents click them, and how the desk looks at 1440x900 with
the communication panel open: the confirmation of a new owner, steps done in another
tab, steps that arrive by polling, dialogs with names, the Activities list's columns,
and diagrams laid out by bpmn-auto-layout."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from activities.models import Activity
from processes.services import process_import
from tests.activities.factories import one_step_process, start, waiting_step
from tests.crm.factories import make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
WIDE = {"width": 1440, "height": 900}
BACKGROUND_TASK = (
    'flowdesk:page="task" flowdesk:background="true" flowdesk:results="Reached;No answer"'
)
BACKGROUND_QUESTION = (
    'flowdesk:page="question" flowdesk:answers="Interested;Not now" flowdesk:background="true"'
)
FOREGROUND_QUESTION = 'flowdesk:page="question" flowdesk:answers="Interested;Not now"'
DATA = Path(__file__).resolve().parents[1] / "processes" / "data"


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"look-{name}.png"))


def wide_with_panel(page, path):
    """The page at 1440x900 with the communication panel open (as a person left it)."""
    page.set_viewport_size(WIDE)
    page.evaluate("localStorage.setItem('flowdesk.panel', 'open')")
    page.goto(path)
    expect(page.locator("#panel-toggle")).to_have_attribute("aria-expanded", "true")


def test_change_owner_in_the_dialog_answers_with_whom_it_was_given_to(
    signed_in_page, wait_for_live, make_user
):
    agent = make_user("bob", first="Bob", last="Agent")
    make_user("carol", first="Carol", last="Agent")
    step = waiting_step(
        start(one_step_process("own", BACKGROUND_TASK, name="Renewal call"), user=agent)
    )
    page = signed_in_page(agent, "/activities/")
    wait_for_live(page)

    page.locator("#activity-table").get_by_role("link", name="Ask").click()
    dialog = page.get_by_role("dialog", name="Ask")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Owner").select_option(label="Carol Agent")
    dialog.get_by_role("button", name="Change owner").click()

    expect(page.locator("#toasts")).to_contain_text("Given to Carol Agent.")
    expect(page.locator("dialog.step-dialog")).to_have_count(0)
    expect(page.locator("#comm-panel")).to_be_visible()  # still in the frame
    assert page.url.endswith("/activities/")
    step.refresh_from_db()
    assert step.owner.get_username() == "carol"


def test_dialogs_opened_from_the_panel_a_record_and_the_list_have_a_name(
    signed_in_page, wait_for_live, make_user
):
    agent = make_user("bob", first="Bob", last="Agent")
    maria = make_contact("Maria Anders")
    start(one_step_process("named", BACKGROUND_QUESTION, name="Survey"), user=agent, record=maria)
    page = signed_in_page(agent, f"/contacts/{maria.pk}/")
    wait_for_live(page)

    # From the record's Next steps card.
    page.locator("#process-next-steps").get_by_role("link", name="Ask").click()
    expect(page.get_by_role("dialog", name="Ask")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("dialog.step-dialog")).to_have_count(0)

    # From the Process button.
    page.locator("#process-button").click()
    expect(page.get_by_role("dialog", name="Ask")).to_be_visible()
    page.keyboard.press("Escape")

    # From the Business process tasks tab.
    page.locator("#tab-process-tasks").click()
    page.locator("#process-task-list").get_by_role("link", name="Ask").click()
    expect(page.get_by_role("dialog", name="Ask")).to_be_visible()


def test_a_step_answered_in_one_tab_closes_in_the_other(signed_in_page, wait_for_live, make_user):
    agent = make_user("bob", first="Bob", last="Agent")
    first = signed_in_page(agent, "/contacts/")
    second = signed_in_page(agent, "/activities/")
    wait_for_live(first)
    wait_for_live(second)

    start(one_step_process("tabs2", FOREGROUND_QUESTION, name="Two tabs"), user=agent)
    for tab in (first, second):
        expect(tab.get_by_role("dialog", name="Ask")).to_be_visible(timeout=15_000)

    dialog = first.get_by_role("dialog", name="Ask")
    dialog.locator(".answer-option", has_text="Interested").click()
    dialog.get_by_role("button", name="Answer").click()

    expect(first.locator("dialog.step-dialog")).to_have_count(0)
    expect(second.locator("dialog.step-dialog")).to_have_count(0, timeout=15_000)
    expect(second.locator("#toasts")).to_contain_text("no longer waiting for you")


def test_with_the_socket_down_a_foreground_step_arriving_by_polling_opens_its_dialog(
    signed_in_page, wait_for_live, make_user
):
    agent = make_user("bob", first="Bob", last="Agent")
    page = signed_in_page(agent, "/contacts/")
    wait_for_live(page)
    page.route_web_socket(re.compile(r".*/ws/live/$"), lambda ws: ws.close(code=1011))
    page.evaluate("window.flowdeskLive.socket.close()")
    expect(page.locator("body")).to_have_attribute("data-live-state", "reconnecting")

    start(one_step_process("polled", FOREGROUND_QUESTION, name="Polled"), user=agent)

    dialog = page.get_by_role("dialog", name="Ask")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog.get_by_role("button", name="Answer")).to_be_visible()
    # A step in the background waits in the panel without popping up.
    page.keyboard.press("Escape")
    start(one_step_process("quiet", BACKGROUND_QUESTION, name="Quiet"), user=agent)
    expect(page.locator("#process-tasks-count")).to_have_text("2", timeout=15_000)
    expect(page.locator("dialog.step-dialog")).to_have_count(0)


def test_the_activities_list_fits_at_1440_with_the_panel_open(
    signed_in_page, wait_for_live, make_user
):
    agent = make_user("bob", first="Bob", last="Agent")
    long_name = "Creating and processing tasks for case diagnostic and resolution"
    for index in range(4):
        start(
            one_step_process(f"long{index}", BACKGROUND_TASK, name=long_name),
            user=agent,
            record=make_contact(f"A contact with a rather long name number {index}"),
        )
    Activity.objects.update(title="Diagnose and resolve the case")
    page = signed_in_page(agent, "/activities/")
    wide_with_panel(page, "/activities/")
    shot(page, "activities-1440")

    for size in (WIDE, {"width": 1920, "height": 1080}):
        page.set_viewport_size(size)
        links = page.locator("#activity-table td.col-title a")
        expect(links).to_have_count(4)
        for link in links.all():
            expect(link).to_have_text("Diagnose and resolve the case")
            assert link.evaluate("a => a.scrollWidth <= a.clientWidth + 1")
        table_right = page.locator("#activity-table .table-scroll").evaluate(
            "e => e.getBoundingClientRect().right"
        )
        for column in ("th.col-status", "th.col-owner", "td.col-status .status-chip"):
            box = page.locator(f"#activity-table {column}").first.bounding_box()
            assert box and box["x"] + box["width"] <= table_right + 1, column
        expect(page.locator("#activity-table .kind-dot")).to_have_count(4)


def test_a_diagram_without_layout_shows_the_default_flow_apart_from_the_other_path(
    signed_in_page, make_user
):
    admin = make_user("ada", first="Ada", last="Admin", staff=True)
    definition = process_import(data=(DATA / "review.bpmn").read_bytes())[0].definition
    page = signed_in_page(admin, definition.get_absolute_url())
    wide_with_panel(page, definition.get_absolute_url())
    expect(page.locator("[data-diagram-url]")).to_have_attribute("data-ready", "true")
    shot(page, "diagram")

    paths = page.evaluate(
        """() => Object.fromEntries(
             Array.from(document.querySelectorAll('g.djs-connection')).map(g =>
               [g.dataset.elementId, g.querySelector('.djs-visual > path').getAttribute('d')]))"""
    )
    assert paths, "no flow was drawn"
    assert len(set(paths.values())) == len(paths), "two flows are drawn on top of each other"
