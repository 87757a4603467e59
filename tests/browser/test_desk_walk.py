"""What walking the desk at 1440x900 with the communication panel open turned up
(issue 16): the Cases list's search says what it searches, uncut; the case's tags are
chips ticked by keyboard instead of a one-row multi-select; the contact card counts
every open case of the contact and leads to them; a case without deadlines says why;
the contact's email address wraps at its @ and dots, never mid-word; the diagnosis
task on the case page opens its dialog."""

import pytest
from django.apps import apps
from playwright.sync_api import expect

from cases import services
from cases.defaults import load_defaults
from cases.models import Case, CaseCategory, CasePriority, Tag
from crm.models import Account, Contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}

# The placeholder's text is wider than what its box shows when cut (no scrolling shows it).
PLACEHOLDER_CUT = """(el) => {
  const style = getComputedStyle(el);
  const ctx = document.createElement("canvas").getContext("2d");
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return ctx.measureText(el.placeholder).width > room;
}"""


# The element's text as the lines it is drawn on.
DRAWN_LINES = """(el) => {
  const lines = [];
  let top = null;
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      const range = document.createRange();
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getBoundingClientRect();
      if (top === null || rect.top > top + 2) { lines.push(""); top = rect.top; }
      lines[lines.length - 1] += node.data[i];
    }
  }
  return lines;
}"""


def _with_panel(new_page, user, path):
    page = new_page(viewport=WIDE)
    page.goto(f"/login/?next={path}")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    page.evaluate("localStorage.setItem('flowdesk.panel', 'open')")
    page.goto(path)
    expect(page.locator("#panel-toggle")).to_have_attribute("aria-expanded", "true")
    return page


def test_walking_the_desk_with_the_panel_open(new_page, make_user):
    load_defaults(apps)  # the servers share this database; earlier tests flushed it
    bob = make_user("bob", first="Bob", last="Agent", groups=["1st line support"])
    clara = Contact.objects.create(
        full_name="Clara Customer",
        email="clara.customer@northwind.example",
        account=Account.objects.create(name="Northwind Traders"),
    )
    for name in ("billing", "hardware", "outage"):
        Tag.objects.get_or_create(name=name)
    fields = {
        "category": CaseCategory.objects.get(code="incident"),
        "priority": CasePriority.objects.get(code="medium"),
        "contact": clara,
    }
    for n in range(7):
        services.case_create(created_by=bob, subject=f"Scanner jam {n}", **fields)
    case = services.case_create(created_by=bob, subject="Printer jams", assignee=bob, **fields)

    # The Cases list beside the open panel: the search box's placeholder is whole.
    page = _with_panel(new_page, bob, "/cases/")
    search = page.locator("#case-search")
    expect(search).to_have_attribute("placeholder", "Number, subject, contact or account")
    assert not search.evaluate(PLACEHOLDER_CUT)

    # The case page: no agreement, so the deadlines say so; the card counts all 7.
    page.goto(case.get_absolute_url())
    # The contact's address wraps in its narrow column only after the @ or before a dot.
    lines = page.locator("#case-contact-email").evaluate(DRAWN_LINES)
    assert "".join(lines) == "clara.customer@northwind.example" and len(lines) > 1, lines
    for line, after in zip(lines, lines[1:], strict=False):
        assert line.endswith("@") or after.startswith("."), lines
    expect(page.locator("#response-due-why")).to_have_text("No service agreement")
    page.locator("#contact-card-link").focus()
    card = page.locator("#contact-card")
    expect(card).to_contain_text("7 other open cases")
    # The whole card is on screen: low on the page it opens upward.
    expect(card.locator("#contact-card-all")).to_be_in_viewport(ratio=1)
    expect(card.locator(".contact-card-case")).to_have_count(6)  # the newest five and "All"
    card.locator("#contact-card-all").click()
    page.wait_for_url("**/cases/?q=Clara*")
    expect(page.locator("#case-table .case-row")).to_have_count(8)

    # Tags are chips: every one visible, ticked from the keyboard, saved with the case.
    page.goto(case.get_absolute_url())
    page.locator("#case-edit").click()
    chips = page.locator("#case-edit-tags .tag-choice")
    expect(chips).to_have_count(3)
    for chip in chips.all():
        expect(chip).to_be_in_viewport()
    assert page.locator("#case-edit-form").get_by_label("Priority").locator(
        "option"
    ).all_inner_texts() == [p.name for p in CasePriority.objects.all()]
    page.get_by_role("checkbox", name="outage").focus()
    page.keyboard.press("Space")
    page.locator("#case-edit-save").click()
    expect(page.locator("#case-record .tag")).to_have_text(["outage"])
    expect(page.locator("#case-history")).to_contain_text("outage")
    assert list(Case.objects.get(pk=case.pk).tags.values_list("name", flat=True)) == ["outage"]

    # The case's diagnosis task opens its dialog from the case page, results and all.
    page.locator("#diagnosis-task-open").click()
    dialog = page.get_by_role("dialog", name="Diagnose and resolve the case")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Complete with a result")
    expect(dialog).to_contain_text(f"{case.number} Printer jams")
    page.keyboard.press("Escape")
    expect(page.locator("dialog.step-dialog")).to_have_count(0)
