"""User steps in the browser: pages that open over what you are doing, the Business
process tasks tab, Perform later, and every way back to a waiting step."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from activities.services import activity_create
from processes import services
from processes.models import Step
from tests.activities.factories import one_step_process, start, waiting_step
from tests.crm.factories import make_account, make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots")
BACKGROUND_QUESTION = (
    'flowdesk:page="question" flowdesk:answers="Interested;Not now" flowdesk:background="true"'
)


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"steps-{name}.png"))


def open_tasks_tab(page):
    if page.locator("#panel-toggle").get_attribute("aria-expanded") == "false":
        page.locator("#panel-toggle").click()
    if page.locator("#tab-process-tasks").get_attribute("aria-selected") != "true":
        page.locator("#tab-process-tasks").click()
    expect(page.locator("#process-task-list")).to_be_visible()


def test_a_question_pops_over_unsaved_work_and_the_next_page_follows_then_you_are_back(
    signed_in_page, wait_for_live, make_user
):
    agent = make_user("bob", first="Bob", last="Agent")
    contact = make_contact("Maria Anders", email="maria@example.com")
    page = signed_in_page(agent, f"/contacts/{contact.pk}/edit/")
    wait_for_live(page)
    page.locator("#id_notes").fill("Half-written note, not saved yet")

    definition = one_step_process(
        "pop",
        'flowdesk:page="question" flowdesk:answers="Interested;Not now;Wrong person" '
        'flowdesk:hint="Call the contact first, then answer."',
        name="Follow up a contact",
        tail_task='flowdesk:page="edit" flowdesk:model="crm.Contact" flowdesk:record="=record.id" '
        'flowdesk:fields="job_title*,phone"',
    )
    start(definition, user=agent, record=contact)

    dialog = page.locator("dialog.step-dialog[open]")
    expect(dialog).to_be_visible(timeout=15_000)
    expect(dialog.get_by_role("heading", name="Ask")).to_be_visible()
    dialog.locator("[data-hint-toggle]").click()
    expect(dialog.locator(".step-hint")).to_contain_text("Call the contact first")
    dialog.locator(".answer-option", has_text="Interested").click()
    shot(page, "question-over-contact")
    dialog.get_by_role("button", name="Answer").click()

    # The record page the answer led to opens next, over the same unsaved page.
    expect(
        page.locator("dialog.step-dialog[open]").get_by_role("heading", name="Next page")
    ).to_be_visible(timeout=15_000)
    dialog = page.locator("dialog.step-dialog[open]")
    dialog.get_by_label("Job title").fill("Buyer")
    dialog.get_by_role("button", name="Save").click()

    expect(page.locator("dialog.step-dialog")).to_have_count(0, timeout=15_000)
    expect(page.locator("#id_notes")).to_have_value("Half-written note, not saved yet")
    assert page.url.endswith(f"/contacts/{contact.pk}/edit/")
    contact.refresh_from_db()
    assert contact.job_title == "Buyer"


def test_a_background_task_waits_in_its_owners_panel_only_and_perform_later_updates_it_live(
    signed_in_page, wait_for_live, make_user
):
    agent = make_user("bob", first="Bob", last="Agent")
    colleague = make_user("carol", first="Carol", last="Agent")
    contact = make_contact("Maria Anders")
    page = signed_in_page(agent, "/contacts/")
    other_tab = signed_in_page(agent, "/accounts/")
    theirs = signed_in_page(colleague, "/contacts/")
    for p in (page, other_tab, theirs):
        wait_for_live(p)

    start(
        one_step_process("bg", BACKGROUND_QUESTION, name="Qualify the lead"),
        user=agent,
        record=contact,
    )
    expect(page.locator("#process-tasks-count")).to_have_text("1", timeout=15_000)
    expect(other_tab.locator("#process-tasks-count")).to_have_text("1")
    expect(page.locator("dialog.step-dialog")).to_have_count(0)
    open_tasks_tab(page)
    entry = page.locator("#process-task-list .task-entry")
    expect(entry).to_contain_text("Ask")
    expect(entry).to_contain_text("Qualify the lead · Maria Anders")
    expect(theirs.locator("#process-tasks-count")).to_be_hidden()
    open_tasks_tab(theirs)
    expect(theirs.locator("#process-task-list")).to_contain_text("No process tasks")
    shot(page, "panel-tasks")

    entry.get_by_role("link", name="Ask").click()
    dialog = page.locator("dialog.step-dialog[open]")
    expect(dialog.get_by_role("heading", name="Ask")).to_be_visible()
    dialog.get_by_text("Perform later").click()
    tomorrow = timezone.localtime() + timedelta(days=1)
    dialog.locator("input[type=date]").fill(tomorrow.strftime("%Y-%m-%d"))
    dialog.locator("input[type=time]").fill("09:30")
    dialog.get_by_role("button", name="Postpone").click()
    expect(page.locator("dialog.step-dialog")).to_have_count(0)

    expect(entry).to_contain_text("Postponed to")
    expect(page.locator("#process-tasks-count")).to_be_hidden()
    open_tasks_tab(other_tab)
    expect(other_tab.locator("#process-task-list")).to_contain_text("Postponed to")
    expect(other_tab.locator("#process-tasks-count")).to_be_hidden()

    # Its time comes: the sweep brings it back into every panel.
    Step.objects.filter(owner=agent).update(postponed_until=timezone.now() - timedelta(seconds=1))
    assert services.steps_release_postponed() == 1
    expect(page.locator("#process-tasks-count")).to_have_text("1", timeout=15_000)
    expect(other_tab.locator("#process-task-list")).not_to_contain_text("Postponed to")


def test_resume_from_the_activities_section_the_process_button_and_move_down_the_process(
    signed_in_page, wait_for_live, make_user
):
    agent = make_user("bob", first="Bob", last="Agent")
    maria = make_contact("Maria Anders")
    hiro = make_contact("Hiro Tanaka")
    task = waiting_step(
        start(
            one_step_process(
                "call",
                'flowdesk:page="task" flowdesk:background="true" '
                'flowdesk:results="Reached;No answer" flowdesk:hint="Ask about the renewal."',
                name="Renewal call",
            ),
            user=agent,
            record=maria,
        )
    )
    on_record = waiting_step(
        start(one_step_process("rec", BACKGROUND_QUESTION), user=agent, record=maria)
    )
    on_row = waiting_step(
        start(one_step_process("row", BACKGROUND_QUESTION), user=agent, record=hiro)
    )

    page = signed_in_page(agent, "/activities/")
    wait_for_live(page)
    shot(page, "activities-list")
    page.get_by_role("link", name="Ask").first.click()
    dialog = page.locator("dialog.step-dialog[open]")
    expect(dialog.get_by_role("button", name="Reached")).to_be_visible()
    shot(page, "activity-page")
    dialog.get_by_role("button", name="Reached").click()
    expect(page.locator("dialog.step-dialog")).to_have_count(0)
    task.refresh_from_db()
    assert task.status == "completed" and task.result == "Reached"

    page.goto(f"/contacts/{maria.pk}/")
    page.locator("#process-button").click()
    dialog = page.locator("dialog.step-dialog[open]")
    dialog.locator(".answer-option", has_text="Not now").click()
    dialog.get_by_role("button", name="Answer").click()
    expect(page.locator("dialog.step-dialog")).to_have_count(0)
    on_record.refresh_from_db()
    assert on_record.status == "completed"

    page.goto("/contacts/")
    move = page.get_by_role("button", name="Move down the process")
    expect(move).to_have_attribute("aria-disabled", "true")
    page.locator("tr", has_text="Hiro Tanaka").locator("td.col-phone").click()
    expect(move).to_have_attribute("aria-disabled", "false")
    move.click()
    dialog = page.locator("dialog.step-dialog[open]")
    dialog.locator(".answer-option", has_text="Interested").click()
    dialog.get_by_role("button", name="Answer").click()
    expect(page.locator("dialog.step-dialog")).to_have_count(0)
    on_row.refresh_from_db()
    assert on_row.status == "completed"


def test_someone_else_is_refused_and_told_whose_step_it_is(signed_in_page, make_user):
    agent = make_user("bob", first="Bob", last="Agent")
    outsider = make_user("eve", first="Eve", last="Outsider")
    step = waiting_step(start(one_step_process("no", BACKGROUND_QUESTION), user=agent))
    page = signed_in_page(outsider, f"/processes/steps/{step.instance_id}/{step.number}/")
    expect(page.locator(".step-outcome")).to_contain_text("This step belongs to Bob Agent")
    expect(page.locator("form.step-form")).to_have_count(0)
    assert Step.objects.get(pk=step.pk).status == "waiting"


def test_with_the_socket_down_the_step_still_reaches_the_panel_by_polling(
    signed_in_page, wait_for_live, make_user
):
    agent = make_user("bob", first="Bob", last="Agent")
    page = signed_in_page(agent, "/contacts/")
    wait_for_live(page)
    page.route_web_socket(re.compile(r".*/ws/live/$"), lambda ws: ws.close(code=1011))
    page.evaluate("window.flowdeskLive.socket.close()")
    expect(page.locator("body")).to_have_attribute("data-live-state", "reconnecting")

    start(one_step_process("poll", BACKGROUND_QUESTION, name="Polled"), user=agent)
    expect(page.locator("#process-tasks-count")).to_have_text("1", timeout=15_000)
    open_tasks_tab(page)
    expect(page.locator("#process-task-list")).to_contain_text("Polled")


def test_a_custom_page_with_its_hint_and_buttons_and_the_calendar(
    signed_in_page, wait_for_live, make_user
):

    agent = make_user("bob", first="Bob", last="Agent")
    make_account("Globex")
    contact = make_contact("Maria Anders")
    step = waiting_step(
        start(
            one_step_process(
                "auto",
                'flowdesk:page="auto" flowdesk:background="true" '
                'flowdesk:fields="budget:number:Budget (USD):required;decision:date:Decision date;'
                'account:lookup:crm.Account:Account;comment:text:What matters to them" '
                'flowdesk:buttons="Send proposal;Hold" '
                'flowdesk:hint="Ask for a budget range and who decides. Hold ends the follow-up."',
                name="Follow up a contact",
            ),
            user=agent,
            record=contact,
        )
    )

    page = signed_in_page(agent, "/contacts/")
    wait_for_live(page)
    open_tasks_tab(page)
    page.locator("#process-task-list").get_by_role("link", name="Ask").click()
    dialog = page.locator("dialog.step-dialog[open]")
    expect(dialog.get_by_role("button", name="Send proposal")).to_be_visible()
    dialog.locator("[data-hint-toggle]").click()
    expect(dialog.locator(".step-hint")).to_be_visible()
    dialog.get_by_label("Budget (USD)").fill("18000")
    expect(dialog.locator(".step-later summary")).to_have_text("Close")
    shot(page, "auto-page-hint")
    dialog.get_by_role("button", name="Hold").click()
    expect(page.locator("dialog.step-dialog")).to_have_count(0)
    step.refresh_from_db()
    assert step.result == "Hold" and step.instance.variables["budget"] == 18000

    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    monday = today - timedelta(days=today.weekday())
    plan = [
        (0, 9, "Renewal call", "call"),
        (0, 14, "Send the offer", "task"),
        (1, 11, "Quarterly review", "meeting"),
        (2, 10, "Call back Maria", "call"),
        (3, 15, "Plan demo", "task"),
        (4, 16, "Check the contract", "task"),
    ]
    for offset, hour, title, kind in plan:
        when = (monday + timedelta(days=offset)).replace(hour=hour)
        activity_create(title=title, kind=kind, owner=agent, start_at=when, record=contact)
    page.goto("/activities/calendar/?view=week")
    expect(page.locator("#calendar")).to_contain_text("Quarterly review")
    shot(page, "calendar-week")
    expect(page.get_by_role("link", name="Month")).to_be_visible()
    page.goto(f"/activities/calendar/?view=month&date={monday:%Y-%m-%d}")
    expect(page.locator("#calendar .month-grid")).to_contain_text("Renewal call")
    shot(page, "calendar-month")
    page.keyboard.press("ArrowRight")
    expect(page).to_have_url(re.compile(r"view=month&date=\d{4}-\d{2}-01"))
