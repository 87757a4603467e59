"""Who calls /engine-rest/: HTTP basic with a personal token as the password, or Bearer.

Camunda's clients and Camunda Modeler speak HTTP basic: the username is the Flowdesk
user's username and the password one of their personal API tokens (made on the profile
page). `Authorization: Bearer <token>` works too. A token acts as its user, with the
user's permissions; a read token may only read. Portal customers get nothing. No
session or cookie counts here, so no CSRF token is asked for.
"""

from __future__ import annotations

import hmac

from django.utils.translation import gettext as _
from ninja.security import HttpBasicAuth, HttpBearer

from api import tokens
from api.models import ApiToken
from portal.middleware import is_portal_user

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


class ReadOnlyToken(Exception):
    """A read token asked to write: 403."""


class CustomerRefused(Exception):
    """A portal customer's token: 403."""


def _caller(request, token: str, username: str | None = None):
    row = tokens.token_find(token.strip())
    if row is None:
        return None
    if username is not None and not hmac.compare_digest(
        username.strip().encode(), row.user.get_username().encode()
    ):
        return None
    if is_portal_user(row.user):
        raise CustomerRefused(_("The API is not open to portal customers."))
    if request.method not in SAFE_METHODS and row.scope != ApiToken.Scope.WRITE:
        raise ReadOnlyToken(_("This token may only read: make a read and write token."))
    request.api_token = row
    request.user = row.user
    return row.user


class TokenBasicAuth(HttpBasicAuth):
    """`Authorization: Basic base64(username:token)`, as Camunda's clients send it."""

    def authenticate(self, request, username, password):
        return _caller(request, password, username)


class TokenBearerAuth(HttpBearer):
    def authenticate(self, request, token):
        return _caller(request, token)


AUTH = [TokenBasicAuth(), TokenBearerAuth()]
