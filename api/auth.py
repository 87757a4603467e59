"""Who calls: a personal token (`Authorization: Bearer …`) or the browser's session.

A token acts as its user, with the user's permissions; a read token may not write.
The session counts only with a valid CSRF token on writes (django-ninja checks it).
Portal customers get nothing from the API.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import BaseThrottle

from api import tokens
from api.models import ApiToken
from portal.middleware import is_portal_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _refuse_customers(user):
    if is_portal_user(user):
        raise HttpError(403, _("The API is not open to portal customers."))


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        row = tokens.token_find(token.strip())
        if row is None:
            return None
        _refuse_customers(row.user)
        if request.method not in SAFE_METHODS and row.scope != ApiToken.Scope.WRITE:
            raise HttpError(403, _("This token may only read: make a read and write token."))
        request.api_token = row
        request.user = row.user
        return row.user


class BrowserSession(SessionAuth):
    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None:
            _refuse_customers(user)
        return user


class PerCallerThrottle(BaseThrottle):
    """At most API_REQUESTS_PER_MINUTE calls a minute per token (or per signed-in user)."""

    def allow_request(self, request) -> bool:
        limit = settings.API_REQUESTS_PER_MINUTE
        token = getattr(request, "api_token", None)
        caller = f"t{token.pk}" if token is not None else f"u{request.user.pk}"
        window = int(time.time() // 60)
        key = f"api-calls:{caller}:{window}"
        cache.add(key, 0, timeout=70)
        try:
            calls = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=70)
            calls = 1
        return calls <= limit

    def wait(self) -> float:
        return 60 - time.time() % 60
