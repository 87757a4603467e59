"""Each person's language: every page, its dates and its numbers are written in it.

The choice is stored on `UserSettings` and copied into the session when the person
signs in (and when they change it), so the middleware activates it without a query.
Without a choice (and for people not signed in) Django's LocaleMiddleware has already
picked the language the browser asks for; a chosen language wins over it.
"""

from django.conf import settings
from django.utils import translation

from crm.models import UserSettings

SESSION_KEY = "flowdesk_language"


def choices() -> list[tuple[str, str]]:
    """The languages a person may choose, each named in its own language."""
    return [
        (code, translation.get_language_info(code)["name_local"]) for code, _ in settings.LANGUAGES
    ]


def name(code: str) -> str:
    """A language's name in the language being written ("German" / "Deutsch")."""
    return translation.get_language_info(code)["name_translated"]


def usable(code: str) -> str:
    """The code if Flowdesk ships that language, else ""."""
    return code if code in dict(settings.LANGUAGES) else ""


def stored_for(user) -> str:
    """The language the user chose, or "" for the browser's."""
    stored = UserSettings.objects.filter(user=user).values_list("language", flat=True).first()
    return usable(stored or "")


def browser_language(request) -> str:
    """The language the browser asks for (Accept-Language), whatever the cookie says."""
    cookies = request.COOKIES
    request.COOKIES = {k: v for k, v in cookies.items() if k != settings.LANGUAGE_COOKIE_NAME}
    try:
        return translation.get_language_from_request(request)
    finally:
        request.COOKIES = cookies


def apply(request, code: str) -> None:
    """Use the language ("" for the browser's) for the rest of this request and every
    request after."""
    request.session[SESSION_KEY] = code
    active = code or browser_language(request)
    translation.activate(active)
    request.LANGUAGE_CODE = active


def remember_in_cookie(response, code: str) -> None:
    """Keep the choice in the language cookie too, so the sign-in page speaks it after
    signing out; choosing the browser's language forgets the cookie."""
    if code:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    else:
        response.delete_cookie(settings.LANGUAGE_COOKIE_NAME)


def remember_on_sign_in(sender, request, user, **kwargs):
    """user_logged_in: keep the person's choice in the session for every request after."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = stored_for(user)


class LanguageMiddleware:
    """Activate the signed-in person's chosen language for the request (after Django's
    LocaleMiddleware, which chose from the cookie or the browser's Accept-Language)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            code = request.session.get(SESSION_KEY)
            if code is None:  # a session from before this setting existed
                code = request.session[SESSION_KEY] = stored_for(user)
            code = usable(code)
            if code:
                translation.activate(code)
                request.LANGUAGE_CODE = code
        return self.get_response(request)
