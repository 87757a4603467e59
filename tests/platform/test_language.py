"""A second language: each person picks English or German in the user menu; pages,
dates and numbers follow. Without a choice the browser's language decides."""

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from activities import services as activity_services
from crm.models import OpportunityCategory, OpportunityStage, UserSettings
from crm.services_opportunities import lookups_ensure, opportunity_create

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)
COMPILED = Path(settings.BASE_DIR, "locale", "de", "LC_MESSAGES", "django.mo")


@pytest.fixture(autouse=True)
def _compiled():
    assert COMPILED.exists(), "German is not compiled: run `make messages` (make install does)"


def signed_in(user, **headers):
    client = Client(**headers)
    client.force_login(user)
    return client


def test_a_person_who_chooses_german_gets_german_pages_dates_and_numbers(agent, other_agent):
    lookups_ensure()
    activity_services.activity_create(title="Call Maria", owner=agent, start_at=MOMENT)
    deal = opportunity_create(
        title="Fleet",
        category=OpportunityCategory.objects.get(name="Small business"),
        stage=OpportunityStage.objects.get(name="Qualification"),
        owner=agent,
        amount=Decimal("12500.5"),
    )
    bob = signed_in(agent)
    menu = bob.get("/activities/").content.decode()
    assert 'id="menu-language"' in menu and "English" in menu  # the menu names the current one

    chosen = bob.post("/me/language/", {"language": "de", "next": "/activities/"}, follow=True)

    assert chosen.redirect_chain == [("/activities/", 302)]
    assert UserSettings.objects.get(user=agent).language == "de"
    page = chosen.content.decode()
    assert '<html lang="de">' in page
    assert "Seiten werden jetzt auf Deutsch angezeigt." in page  # the confirmation
    assert "Aktivitäten" in page and "Abmelden" in page and "Sign out" not in page
    assert "1. Dez. 2026, 13:00" in bob.get("/activities/?owner=all").content.decode()
    assert "12.500,50" in bob.get(deal.get_absolute_url()).content.decode()
    assert bob.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"  # the sign-in page too

    # Carol chose nothing: English. Bob's choice survives signing in again anywhere.
    carol = signed_in(other_agent).get("/activities/?owner=all").content.decode()
    assert "Dec 1, 2026, 13:00" in carol and "Sign out" in carol
    again = signed_in(agent).get("/activities/?owner=all").content.decode()
    assert "1. Dez. 2026, 13:00" in again and "Deutsch" in again


def test_the_browser_language_applies_until_a_choice_wins_over_it(agent):
    german_browser = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}
    assert "Anmelden" in Client(**german_browser).get("/login/").content.decode()
    bob = signed_in(agent, **german_browser)
    assert "Abmelden" in bob.get("/activities/").content.decode()

    bob.post("/me/language/", {"language": "en"})
    assert "Sign out" in bob.get("/activities/").content.decode()

    back = bob.post("/me/language/", {"language": ""}, follow=True)  # the browser's again
    assert not bob.cookies[settings.LANGUAGE_COOKIE_NAME].value
    assert "Seiten werden jetzt auf Deutsch angezeigt." in back.content.decode()
    assert "Abmelden" in bob.get("/activities/").content.decode()


def test_a_language_flowdesk_does_not_ship_is_refused(agent):
    response = signed_in(agent).post("/me/language/", {"language": "fr"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not UserSettings.objects.filter(user=agent).exists()
