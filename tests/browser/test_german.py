"""An agent switches Flowdesk to German in the user menu and works the desk in it: the
agent desktop and a case page show no English text from the templates, dates read
"1. Dez. 2026", and the deadline timers keep ticking in German.

The lookups (statuses, priorities…) and process models are data an administrator
names; a German desk names them in German, as this test does. Screenshots land in
var/screenshots/."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.utils import timezone
from playwright.sync_api import expect

from activities.models import Activity
from cases import assignment, services
from cases.defaults import load_defaults
from cases.models import Case, CaseCategory, CasePriority, CaseStatus
from crm.models import Account, Contact
from processes.models import Step
from tests.support.translations import ROOT, parse_po

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = {"width": 1440, "height": 900}
SHOTS = ROOT / "var" / "screenshots"
CATALOGUE = Path(ROOT, "locale", "de", "LC_MESSAGES", "django.po")
GERMAN_LOOKUPS = {
    CaseStatus: {
        "New": "Neu",
        "In progress": "In Bearbeitung",
        "Waiting for response": "Wartet auf Antwort",
        "Resolved": "Gelöst",
        "Closed": "Geschlossen",
        "Canceled": "Storniert",
        "Reopened": "Wiedereröffnet",
    },
    CasePriority: {"Critical": "Kritisch", "High": "Hoch", "Medium": "Mittel", "Low": "Niedrig"},
    CaseCategory: {"Incident": "Störung", "Service request": "Serviceanfrage"},
}
DIAGNOSIS = "Diagnose and resolve the case"  # the built-in diagnosis process's task
# What the page shows a person: its text, and the words screen readers and tooltips say.
PAGE_WORDS = """() => {
  const said = [...document.querySelectorAll('[title],[aria-label],[placeholder],[alt]')]
    .flatMap(el => ['title', 'aria-label', 'placeholder', 'alt'].map(a => el.getAttribute(a)))
    .filter(Boolean);
  return [document.body.innerText, ...said].join('\\n');
}"""


def english_phrases() -> list[str]:
    """Every template string German writes differently, as whole words (those with
    placeholders are checked through their fixed parts by the strings around them)."""
    phrases = set()
    for entry in parse_po(CATALOGUE.read_text(encoding="utf-8")):
        if "%" in entry.msgid or entry.msgid_plural:
            continue
        if entry.msgstr[0] != entry.msgid and re.search(r"[A-Za-z]{3}", entry.msgid):
            phrases.add(entry.msgid)
    return sorted(phrases, key=len, reverse=True)


def english_left(text: str, phrases: list[str]) -> list[str]:
    return [p for p in phrases if re.search(rf"(?<![\w-]){re.escape(p)}(?![\w-])", text)]


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def _desk(make_user):
    load_defaults(apps)
    for model, names in GERMAN_LOOKUPS.items():
        for english, german in names.items():
            model.objects.filter(name=english).update(name=german)
    bernd = make_user("bernd", first="Bernd", last="Becker", groups=["1st line support"])
    klara = Contact.objects.create(
        full_name="Klara Kundin",
        email="klara.kundin@nordwind.example",
        phone="+49 30 5550142",
        account=Account.objects.create(name="Nordwind Handel GmbH", phone="+49 30 5550100"),
    )
    first_line = Group.objects.get(name="1st line support")

    def case(subject, **fields):
        return services.case_create(
            created_by=bernd,
            subject=subject,
            contact=klara,
            category=CaseCategory.objects.get(code="incident"),
            priority=CasePriority.objects.get(code="medium"),
            **fields,
        )

    mine = case("VPN bricht stündlich ab", assignee=bernd, assignee_group=first_line)
    case("Laptop lädt nicht", assignee_group=first_line)
    case("Drucker im 3. Stock offline")
    later = case("Neue Headsets bestellen")
    assignment.case_postpone(case=later, user=bernd, until=timezone.now() + timedelta(days=1))
    # A deadline five hours away (an agreement would set it), and the diagnosis step's
    # title as a German desk's own process model names it.
    Case.objects.filter(pk=mine.pk).update(resolution_due=timezone.now() + timedelta(hours=5))
    Step.objects.filter(name=DIAGNOSIS).update(name="Fall diagnostizieren und lösen")
    Activity.objects.filter(title=DIAGNOSIS).update(title="Fall diagnostizieren und lösen")
    return bernd, mine


def test_an_agent_works_the_desk_and_a_case_in_german(new_page, make_user):
    bernd, mine = _desk(make_user)
    phrases = english_phrases()
    page = new_page(viewport=WIDE)
    page.clock.install()  # the deadline timers tick on the page's clock, moved on below
    page.goto("/login/?next=/cases/desktop/")
    page.get_by_label("Username").fill("bernd")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/cases/desktop/")

    # The user menu's Language, beside the time zone.
    page.locator(".user-menu summary").click()
    expect(page.locator("#menu-language")).to_contain_text("English")
    page.locator("#menu-language").click()
    page.get_by_label("Language").select_option(label="Deutsch")
    shot(page, "language-chooser")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/cases/desktop/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.locator("#toasts")).to_contain_text("Seiten werden jetzt auf Deutsch angezeigt.")
    expect(page.locator("body")).to_have_attribute("data-live-state", "connected")
    expect(page.locator("h1")).to_have_text("Agenten-Desktop")
    page.locator(".user-menu summary").click()
    expect(page.locator("#menu-language")).to_contain_text("Deutsch")
    expect(page.get_by_role("button", name="Abmelden")).to_be_visible()
    shot(page, "german-desktop")
    assert english_left(page.evaluate(PAGE_WORDS), phrases) == []

    page.goto(mine.get_absolute_url())
    expect(page.locator("body")).to_have_attribute("data-live-state", "connected")
    expect(page.locator("#case-record")).to_contain_text("VPN bricht stündlich ab")
    registered = timezone.localtime(mine.registered_at)
    months = "Jan. Feb. März April Mai Juni Juli Aug. Sept. Okt. Nov. Dez.".split()  # noqa: SIM905
    expect(page.locator("main")).to_contain_text(
        f"{registered.day}. {months[registered.month - 1]} {registered.year}"
    )
    timer = page.locator("#case-record .deadline-timer .deadline-label").first
    expect(timer).to_have_text(re.compile(r"^Noch 4 Std\. 5\d Min\.$"))
    page.clock.fast_forward("03:00:00")  # three hours later, the page's timer has ticked
    expect(timer).to_have_text(re.compile(r"^Noch 1 Std\. 5\d Min\.$"))
    shot(page, "german-case")
    assert english_left(page.evaluate(PAGE_WORDS), phrases) == []
