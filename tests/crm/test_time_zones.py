"""Dates and times: one format on every page, in each person's own time zone."""

from datetime import UTC, datetime

import pytest
from django.test import Client

from activities import services as activity_services
from crm.models import UserSettings

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_each_person_sees_times_in_the_time_zone_they_chose(agent, other_agent):
    activity = activity_services.activity_create(title="Call Maria", owner=agent, start_at=MOMENT)
    bob = signed_in(agent)

    chosen = bob.post("/me/time-zone/", {"time_zone": "Asia/Tokyo", "next": "/activities/"})

    assert chosen.status_code == 302 and chosen["Location"] == "/activities/"
    assert UserSettings.objects.get(user=agent).time_zone == "Asia/Tokyo"
    assert "Dec 1, 2026, 22:00" in bob.get("/activities/?owner=all").content.decode()
    # Carol keeps the site's zone (UTC); Bob's choice survives signing in again.
    assert (
        "Dec 1, 2026, 13:00"
        in signed_in(other_agent).get("/activities/?owner=all").content.decode()
    )
    again = signed_in(agent)
    assert "Dec 1, 2026, 22:00" in again.get("/activities/?owner=all").content.decode()
    form = again.get(activity.get_absolute_url()).content.decode()
    assert 'value="2026-12-01T22:00"' in form
    assert "Asia/Tokyo" in form  # the user menu says which zone the page shows


def test_an_unknown_time_zone_is_refused(agent):
    response = signed_in(agent).post("/me/time-zone/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not UserSettings.objects.filter(user=agent).exists()


def test_email_addresses_wrap_only_at_their_at_sign_and_dots(agent):
    agent.email = "bob.agent@support.example.com"
    agent.save()
    body = signed_in(agent).get("/activities/").content.decode()
    assert '<span class="email-address">bob.agent@<wbr>support<wbr>.example<wbr>.com</span>' in body
