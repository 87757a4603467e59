import pytest
from django.test import Client, override_settings
from django.urls import path, reverse

from bpm_project.urls import urlpatterns as project_urlpatterns

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [*project_urlpatterns, path("boom/", _boom)]
handler403 = "crm.views.error_403"
handler404 = "crm.views.error_404"
handler500 = "crm.views.error_500"


@override_settings(DEBUG=False)
def test_a_missing_page_is_a_404_in_the_product_frame(client, agent):
    client.force_login(agent)
    response = client.get("/contacts/999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "We can" in html and "find that page" in html
    assert 'class="sidebar"' in html, "signed-in users keep the navigation"


@override_settings(DEBUG=False)
def test_a_missing_page_for_an_anonymous_visitor_uses_the_minimal_frame(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "find that page" in html
    assert 'class="sidebar"' not in html


@override_settings(DEBUG=False)
def test_a_form_posted_without_its_csrf_token_says_it_expired(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = client.post(reverse("crm:contact-create"), {"full_name": "X"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    assert "Reload the page and try again" in html


@override_settings(DEBUG=False)
def test_the_login_form_without_its_csrf_token_says_it_expired_too():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("crm:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content


@override_settings(DEBUG=False, ROOT_URLCONF="tests.crm.test_errors")
def test_a_server_error_shows_the_500_page_in_the_frame(agent):
    client = Client(raise_request_exception=False)
    client.force_login(agent)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert 'class="sidebar"' in html


@override_settings(DEBUG=False)
def test_a_forbidden_action_shows_the_403_page(client, agent):
    client.force_login(agent)
    response = client.post(reverse("notifications:send-test"))
    assert response.status_code == 403
    assert b"have access to this page" in response.content
