import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_login_page_renders_the_sign_in_form(client):
    response = client.get(reverse("crm:login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content
    assert b'name="username"' in response.content


def test_signing_in_with_the_right_password_opens_the_contacts(client, agent):
    response = client.post(reverse("crm:login"), {"username": "bob", "password": "password"})
    assert response.status_code == 302
    assert response.url == reverse("crm:home")
    assert client.get(reverse("crm:contact-list")).status_code == 200


def test_a_wrong_password_shows_a_clear_message_on_the_login_page(client, agent):
    response = client.post(reverse("crm:login"), {"username": "bob", "password": "nope"})
    assert response.status_code == 200
    assert b'id="login-error"' in response.content
    assert b"username and password don" in response.content
    assert b'value="bob"' in response.content, "the username typed is kept"


def test_pages_require_signing_in_and_come_back_after(client, agent):
    response = client.get(reverse("crm:contact-list"))
    assert response.status_code == 302
    assert response.url == f"{reverse('crm:login')}?next=/contacts/"
    response = client.post(
        response.url, {"username": "bob", "password": "password", "next": "/contacts/"}
    )
    assert response.url == "/contacts/"


def test_an_expired_session_redirects_to_login_with_a_message(client, agent):
    client.force_login(agent)

    Session.objects.all().delete()
    response = client.get(reverse("crm:contact-list"), follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("crm:login"))
    assert b"Your session has expired" in response.content


def test_an_expired_session_on_an_htmx_request_sends_the_whole_page_to_sign_in(client, agent):
    client.force_login(agent)

    Session.objects.all().delete()
    response = client.get(
        reverse("notifications:panel"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/contacts/?q=a"},
        follow=True,
    )
    assert response.headers["HX-Redirect"] == "/login/?next=%2Fcontacts%2F%3Fq%3Da"


def test_signing_out_is_a_post_that_ends_the_session(client, agent):
    client.force_login(agent)
    assert client.get(reverse("crm:logout")).status_code == 405
    response = client.post(reverse("crm:logout"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("crm:login")
    assert b"You have signed out" in response.content
    assert client.get(reverse("crm:contact-list")).status_code == 302


def test_a_signed_in_user_visiting_login_goes_to_the_start_page(client, agent):
    client.force_login(agent)
    response = client.get(reverse("crm:login"))
    assert response.status_code == 302


def test_the_frame_shows_sections_user_menu_and_panel(client, agent):
    client.force_login(agent)
    html = client.get(reverse("crm:contact-list")).content.decode()
    assert 'href="/contacts/" aria-current="page"' in html
    assert 'href="/accounts/"' in html
    assert "Bob Agent" in html and "1st line support" in html
    assert "Django admin" not in html
    assert 'action="/logout/"' in html
    assert 'id="modal-root"' in html and 'id="toasts"' in html
    assert 'ws-connect="/ws/live/"' in html
    assert 'id="notifications-count"' in html and 'id="process-tasks-count"' in html
    assert "Business process tasks" in html


def test_staff_see_the_django_admin_link(client, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("crm:contact-list")).content.decode()
    assert 'href="/admin/"' in html
    assert "Administrator" in html
