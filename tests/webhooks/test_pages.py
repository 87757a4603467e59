"""The admin pages: only staff open them; the secret is shown once, then on request."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from webhooks import events, services
from webhooks.models import Delivery, Subscription

pytestmark = pytest.mark.django_db


def test_only_administrators_open_the_webhook_pages(client, agent):
    subscription = services.subscription_create(
        name="Ops", url="https://93.184.216.34/hook", events=[events.CASE_CREATED]
    )
    client.force_login(agent)
    for url in (
        reverse("webhooks:list"),
        reverse("webhooks:create"),
        subscription.get_absolute_url(),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("webhooks:test", args=[subscription.pk])).status_code == 403
    assert client.post(reverse("webhooks:reveal", args=[subscription.pk])).status_code == 403
    assert not subscription.deliveries.exists()


def test_subscribing_shows_the_secret_once_and_reveal_shows_it_again(client, admin_user, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    client.force_login(admin_user)

    refused = client.post(
        reverse("webhooks:create"),
        {"name": "CRM sync", "url": "https://10.0.0.5/hook", "events": [events.CASE_CREATED]},
    )
    assert refused.status_code == 400
    assert "private, loopback or link-local" in refused.content.decode()
    assert not Subscription.objects.exists()

    response = client.post(
        reverse("webhooks:create"),
        {
            "name": "CRM sync",
            "url": "https://93.184.216.34/hook",
            "events": [events.CASE_CREATED, events.INSTANCE_COMPLETED],
            "is_active": "on",
        },
        follow=True,
    )
    subscription = Subscription.objects.get()
    assert subscription.events == [events.CASE_CREATED, events.INSTANCE_COMPLETED]
    assert subscription.secret.startswith("whsec_")
    assert subscription.secret in response.content.decode()

    again = client.get(subscription.get_absolute_url()).content.decode()
    assert subscription.secret not in again
    assert "Nothing sent yet" in again

    revealed = client.post(reverse("webhooks:reveal", args=[subscription.pk]))
    assert subscription.secret in revealed.content.decode()

    page = client.get(reverse("webhooks:list")).content.decode()
    assert "CRM sync" in page
    # In the navigation of every page, for administrators.
    assert f'href="{reverse("webhooks:list")}"' in page


def test_the_delivery_log_is_paginated_newest_first(client, admin_user):
    subscription = services.subscription_create(
        name="Ops", url="https://93.184.216.34/hook", events=[events.CASE_CREATED]
    )
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            subscription=subscription,
            event=events.CASE_CREATED,
            occurred_at=now,
            created_at=now - timedelta(minutes=number),
            status=Delivery.Status.SUCCEEDED,
            data={"number": number},
        )
        for number in range(30)
    )
    client.force_login(admin_user)

    first = client.get(subscription.get_absolute_url())
    second = client.get(subscription.get_absolute_url(), {"page": 2})

    assert len(first.context["page_obj"]) == 25
    assert [d.data["number"] for d in second.context["page_obj"]] == [25, 26, 27, 28, 29]
    assert "Page 1 of 2" in first.content.decode()
    assert 'hx-trigger="every 2s"' not in first.content.decode()  # nothing is on its way
