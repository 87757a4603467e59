"""What the views of every section page share: the page or its fragment, a redirect
that works for htmx and plain requests, the administrators-only guard, the list size.

One URL answers both a whole page and the fragment its htmx target names; the views
that do so are decorated with ``@vary_on_headers("HX-Request")``.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

PAGE_SIZE = 25


def wants_fragment(request) -> bool:
    """True for an htmx request that swaps a fragment into the page. A history restore
    (the browser lost its cached copy of the page) asks for the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def navigate(request, url):
    """Send the browser to ``url``: a whole-page load for htmx (``HX-Redirect``), a 302
    for a plain request."""
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


def safe_next(request, fallback: str) -> str:
    """The ``next`` URL posted or asked for, if it stays on this site; else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def staff_required(view):
    """Administrators only: anyone else signed in gets 403 (anonymous users are sent to
    sign in first by the login-required middleware)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied(_("Only administrators can open this page."))
        return view(request, *args, **kwargs)

    return wrapper
