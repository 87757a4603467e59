"""Signing in lands on the first section the user may open."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_agent_lands_on_the_agent_desktop(client, agent):
    client.force_login(agent)

    response = client.get(reverse("crm:home"))

    assert response.status_code == 302
    assert response.url == reverse("cases:desktop")
