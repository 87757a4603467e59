"""Portal customers see the portal and nothing else.

A portal user (a member of "Portal users" who is not staff) signing in through
the normal login lands on /portal/; any agents' page refuses them with 403.
The membership is read on every request (one small query), so adding someone
to or removing them from the group takes effect at once.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

PORTAL_GROUP = "Portal users"
# Paths a portal user may open besides the portal itself.
_OPEN_TO_CUSTOMERS = ("/portal/", "/login/", "/logout/", "/static/", "/healthz", "/favicon")


def is_portal_user(user) -> bool:
    if user is None or not user.is_authenticated or user.is_staff:
        return False
    cached = getattr(user, "_flowdesk_is_portal_user", None)
    if cached is None:
        cached = user.groups.filter(name=PORTAL_GROUP).exists()
        user._flowdesk_is_portal_user = cached
    return cached


class PortalUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and is_portal_user(user):
            path = request.path
            if path == "/":
                return redirect("portal:case-list")
            if not path.startswith(_OPEN_TO_CUSTOMERS):
                raise PermissionDenied("agents' pages are not open to portal customers")
        return self.get_response(request)
