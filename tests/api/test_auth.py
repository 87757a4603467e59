"""Who may call the API: tokens, their scope and life, the session, throttling."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from api import tokens
from api.models import ApiToken
from crm.models import Contact
from tests.api.conftest import TokenClient

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_without_a_token_the_api_answers_401_problem_json():
    response = TokenClient().get("/api/contacts")
    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == 401 and body["field"] == "Authorization"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_made_up_or_tampered_token_is_401(agent, token_client):
    good = token_client(agent).token
    assert TokenClient("fd_nothing_here").get("/api/contacts").status_code == 401
    assert TokenClient(good[:-2] + "xx").get("/api/contacts").status_code == 401
    assert TokenClient(good).get("/api/contacts").status_code == 200


def test_the_token_is_stored_only_as_a_hash_and_its_last_use_is_noted(agent):
    row, token = tokens.token_create(user=agent, name="ci", scope="read")
    assert token not in {row.secret_hash, row.prefix} and token.startswith(f"fd_{row.prefix}_")
    assert row.last_used_at is None
    TokenClient(token).get("/api/contacts")
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_a_revoked_or_expired_token_is_401(agent):
    revoked, revoked_token = tokens.token_create(user=agent, name="old", scope="write")
    assert tokens.token_revoke(user=agent, token_id=revoked.pk)
    _expired, expired_token = tokens.token_create(
        user=agent, name="gone", scope="write", expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert TokenClient(revoked_token).get("/api/contacts").status_code == 401
    assert TokenClient(expired_token).get("/api/contacts").status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(agent, other_agent):
    row, token = tokens.token_create(user=agent, name="mine", scope="read")
    assert not tokens.token_revoke(user=other_agent, token_id=row.pk)
    assert TokenClient(token).get("/api/contacts").status_code == 200


def test_a_read_token_may_read_but_not_write(agent, token_client):
    reader = token_client(agent, scope="read")
    assert reader.get("/api/contacts").status_code == 200
    response = reader.post("/api/contacts", {"full_name": "Ann"})
    assert response.status_code == 403
    assert response["Content-Type"] == PROBLEM
    assert not Contact.objects.filter(full_name="Ann").exists()


def test_a_token_acts_with_its_users_permissions(agent, admin_user, token_client):
    assert token_client(agent).get("/api/definitions").status_code == 403
    assert token_client(admin_user).get("/api/definitions").status_code == 200


def test_portal_customers_get_nothing(token_client, db):
    customer = Group.objects.get_or_create(name="Portal users")[0]
    user = ApiToken._meta.get_field("user").related_model.objects.create_user("clara")
    user.groups.add(customer)
    response = token_client(user).get("/api/contacts")
    assert response.status_code == 403


def test_the_browser_session_works_and_writes_need_the_csrf_token(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get("/api/contacts").status_code == 200
    refused = client.post("/api/contacts", {"full_name": "Ann"}, content_type="application/json")
    assert refused.status_code == 403
    client.get("/profile/tokens/")
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/contacts",
        {"full_name": "Ann"},
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 201, accepted.content


def test_too_many_calls_with_one_token_answer_429_with_retry_after(agent, token_client, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    cache.clear()
    busy = token_client(agent)
    calm = token_client(agent)
    assert [busy.get("/api/contacts").status_code for _ in range(3)] == [200, 200, 200]
    response = busy.get("/api/contacts")
    assert response.status_code == 429
    assert response["Content-Type"] == PROBLEM and int(response["Retry-After"]) > 0
    assert calm.get("/api/contacts").status_code == 200


def test_the_profile_page_makes_a_token_shown_once_and_revokes_it(agent):
    client = Client()
    client.force_login(agent)
    page = client.post("/profile/tokens/", {"name": "Zapier", "scope": "write"})
    assert page.status_code == 200
    row = ApiToken.objects.get(user=agent, name="Zapier")
    shown = page.context["new_token"]
    assert shown.startswith(f"fd_{row.prefix}_")
    assert TokenClient(shown).get("/api/contacts").status_code == 200
    again = client.get("/profile/tokens/").content.decode()
    assert shown not in again and f"fd_{row.prefix}_" in again
    client.post(f"/profile/tokens/{row.pk}/revoke/")
    assert TokenClient(shown).get("/api/contacts").status_code == 401


def test_the_user_menu_links_the_token_page(agent):
    client = Client()
    client.force_login(agent)
    assert 'href="/profile/tokens/"' in client.get("/profile/tokens/").content.decode()


def test_an_unknown_address_and_a_wrong_method_answer_problems(agent, token_client):
    api = token_client(agent)
    unknown = api.get("/api/no-such-thing")
    assert unknown.status_code == 404 and unknown["Content-Type"] == PROBLEM
    wrong = api.send("DELETE", "/api/contacts")
    assert wrong.status_code == 405 and wrong["Content-Type"] == PROBLEM
    assert "GET" in wrong["Allow"]


def test_a_deactivated_users_token_is_401(agent, token_client):
    api = token_client(agent)
    assert api.get("/api/contacts").status_code == 200
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert api.get("/api/contacts").status_code == 401
