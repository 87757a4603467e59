"""Make, find and revoke personal API tokens.

A token reads `fd_<prefix>_<secret>`: the prefix finds the row, the sha256 of the
whole token must match the stored one. The token itself is shown once and never kept.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.utils import timezone

from api.models import ApiToken

TOKEN_START = "fd_"  # noqa: S105 (the tokens' visible start, not a secret)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_create(*, user, name: str, scope: str, expires_at=None) -> tuple[ApiToken, str]:
    """A new token for the user; returns the row and the token to show once."""
    prefix = secrets.token_hex(6)
    token = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=prefix,
        secret_hash=_digest(token),
        scope=scope,
        expires_at=expires_at,
    )
    return row, token


def token_revoke(*, user, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when it is not theirs or already revoked."""
    return bool(
        ApiToken.objects.filter(pk=token_id, user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    )


def token_find(token: str) -> ApiToken | None:
    """The usable token row for a presented token (its last use noted), or None."""
    if not token.startswith(TOKEN_START):
        return None
    prefix, _sep, rest = token[len(TOKEN_START) :].partition("_")
    if not prefix or not rest:
        return None
    row = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if row is None or not hmac.compare_digest(row.secret_hash, _digest(token)):
        return None
    now = timezone.now()
    if not row.is_usable(now) or not row.user.is_active:
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    row.last_used_at = now
    return row
