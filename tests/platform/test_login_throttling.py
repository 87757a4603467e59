"""Sign-in throttling: wrong passwords lock one username from one address, with a
clear message on the sign-in page, until the cool-off passes or an admin unlocks it."""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN = reverse("crm:login")


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client):
    return "_auth_user_id" in client.session


def fail(client, username, times, address="203.0.113.7"):
    for _ in range(times):
        response = sign_in(client, username, "wrong-password", address)
        assert response.status_code in {200, 429}


def test_the_right_password_after_many_wrong_ones_is_refused_with_a_lock_out_message(client, agent):
    fail(client, "bob", 40)
    response = sign_in(client, "bob", "password")
    assert response.status_code == 429
    assert not signed_in(client)
    page = response.content.decode()
    assert 'id="login-locked"' in page
    assert "locked after 5 wrong passwords" in page
    assert "Try again in 15 minutes, or ask an administrator to unlock it." in page
    assert 'value="bob"' in page  # the sign-in form is still there, for later


def test_fewer_failures_than_the_limit_still_sign_in_and_start_the_count_again(client, agent):
    fail(client, "bob", 4)
    response = sign_in(client, "bob", "password")
    assert response.status_code == 302 and signed_in(client)
    client.logout()
    fail(client, "bob", 4)
    assert sign_in(client, "bob", "password").status_code == 302


def test_the_lock_holds_one_username_from_one_address_only(client, agent, other_agent):
    fail(client, "bob", 5)
    assert sign_in(client, "carol", "password").status_code == 302
    elsewhere = Client()
    assert sign_in(elsewhere, "bob", "password", address="198.51.100.20").status_code == 302
    assert sign_in(Client(), "bob", "password").status_code == 429


def test_an_admin_unlocks_from_django_admin(client, agent, admin_user):
    fail(client, "bob", 5)
    attempt = AccessAttempt.objects.get(username="bob")
    admin = Client()
    admin.force_login(admin_user)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200 and "bob" in listing.content.decode()
    deleted = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert deleted.status_code == 302
    assert sign_in(client, "bob", "password").status_code == 302


def test_an_operator_unlocks_with_the_management_command(client, agent):
    fail(client, "bob", 5)
    call_command("axes_reset_username", "bob")
    assert sign_in(client, "bob", "password").status_code == 302


def test_the_lock_passes_by_itself_after_the_cool_off(client, agent, settings):
    settings.AXES_COOLOFF_TIME = timedelta(seconds=4)
    fail(client, "bob", 5)
    locked_at = time.monotonic()
    assert sign_in(client, "bob", "password").status_code == 429
    time.sleep(max(0.0, locked_at + 4.5 - time.monotonic()))
    assert sign_in(client, "bob", "password").status_code == 302
