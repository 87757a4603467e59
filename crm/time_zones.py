"""Each person's time zone: every page shows times in it.

The choice is stored on `UserSettings` and copied into the session when the person
signs in (and when they change it), so the middleware activates it without a query.
"""

import zoneinfo
from functools import cache

from django.conf import settings
from django.utils import timezone

from crm.models import UserSettings

SESSION_KEY = "flowdesk_time_zone"


@cache
def names() -> list[str]:
    """Every time zone name a person may choose, sorted."""
    return sorted(name for name in zoneinfo.available_timezones() if "/" in name or name == "UTC")


def stored_for(user) -> str:
    """The time zone the user chose, or "" for the site's."""
    return UserSettings.objects.filter(user=user).values_list("time_zone", flat=True).first() or ""


def remember_on_sign_in(sender, request, user, **kwargs):
    """user_logged_in: keep the person's choice in the session for every request after."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = stored_for(user)


class TimeZoneMiddleware:
    """Activate the signed-in person's time zone for the request (the site's otherwise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = ""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            name = request.session.get(SESSION_KEY)
            if name is None:  # a session from before this setting existed
                name = request.session[SESSION_KEY] = stored_for(user)
        try:
            timezone.activate(zoneinfo.ZoneInfo(name or settings.TIME_ZONE))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
