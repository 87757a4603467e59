"""Signed satisfaction links: case id + score + the resolution they rate, under a salt.

A link is refused (RatingRefused with a reason for the customer) when its
signature is wrong, it is older than SATISFACTION_LINK_MAX_AGE, it names
another case than the URL, or it rates an earlier resolution of the case.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.models import SatisfactionLevel

SALT = "flowdesk.cases.satisfaction"


class RatingRefused(Exception):
    """A satisfaction link or rating that changes nothing; the message says why."""


def _resolution_stamp(case) -> int:
    if case.resolved_at is None:
        return 0
    moment = case.resolved_at
    return int(moment.timestamp()) * 1_000_000 + moment.microsecond


def make_token(case, value: int) -> str:
    return signing.dumps({"c": case.pk, "v": int(value), "r": _resolution_stamp(case)}, salt=SALT)


def rating_url(case, value: int) -> str:
    path = reverse("portal:rate-link", args=[case.pk, make_token(case, value)])
    return settings.SITE_URL.rstrip("/") + path


def rating_links(case) -> list[dict]:
    return [
        {
            "value": level.value,
            "name": level.name,
            "url": rating_url(case, level.value),
            "token": make_token(case, level.value),
        }
        for level in SatisfactionLevel.objects.all()
    ]


def read_token(token: str, *, case) -> int:
    """The score a link for `case` carries; RatingRefused when it is not a valid link."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.SATISFACTION_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise RatingRefused(
            _(
                "This rating link has expired. Rate the case from the customer "
                "portal, or reply to the email instead."
            )
        ) from None
    except signing.BadSignature:
        raise RatingRefused(
            _("This rating link is not valid. Use the link exactly as it appears in the email.")
        ) from None
    if not isinstance(payload, dict) or payload.get("c") != case.pk:
        raise RatingRefused(_("This rating link belongs to another case."))
    if payload.get("r") != _resolution_stamp(case):
        raise RatingRefused(
            _(
                "This rating link is for an earlier resolution of the case; "
                "use the link of the latest email."
            )
        )
    value = payload.get("v")
    if not isinstance(value, int):
        raise RatingRefused(_("This rating link is not valid."))
    return value
