"""The frame's view helpers: fragment or page, redirects for htmx and plain requests,
the administrators-only guard, and the safe ``next`` URL."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from crm.frame import navigate, safe_next, staff_required, wants_fragment

HTMX = {"HX-Request": "true"}


def _request(path="/contacts/", *, headers=None, user=None, method="get", data=None):
    request = getattr(RequestFactory(), method)(path, data=data, headers=headers or {})
    request.htmx = HtmxDetails(request)
    if user is not None:
        request.user = user
    return request


def test_an_htmx_request_wants_the_fragment_a_plain_one_the_page():
    assert wants_fragment(_request(headers=HTMX))
    assert not wants_fragment(_request())


def test_an_htmx_history_restore_wants_the_whole_page():
    restore = _request(headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert not wants_fragment(restore)


def test_navigate_tells_htmx_to_load_the_whole_page_and_redirects_a_plain_request():
    by_htmx = navigate(_request(headers=HTMX), "/cases/")
    assert by_htmx.status_code == 200
    assert by_htmx.headers["HX-Redirect"] == "/cases/"

    plain = navigate(_request(), "/cases/")
    assert plain.status_code == 302
    assert plain.headers["Location"] == "/cases/"
    assert "HX-Redirect" not in plain.headers


@staff_required
def _admin_page(request):
    return HttpResponse("admin only")


@pytest.mark.django_db
def test_staff_required_opens_the_page_to_administrators(admin_user):
    assert _admin_page(_request(user=admin_user)).content == b"admin only"


@pytest.mark.django_db
def test_staff_required_refuses_everyone_else(agent):
    with pytest.raises(PermissionDenied):
        _admin_page(_request(user=agent))


def test_safe_next_keeps_a_next_url_on_this_site():
    request = _request("/contacts/1/edit/", method="post", data={"next": "/accounts/?q=a"})
    assert safe_next(request, "/contacts/1/") == "/accounts/?q=a"


def test_safe_next_ignores_a_next_url_to_another_site():
    request = _request("/contacts/1/edit/?next=https://evil.example/")
    assert safe_next(request, "/contacts/1/") == "/contacts/1/"
