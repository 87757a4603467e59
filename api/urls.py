"""The API's own routes, and the profile page where a user makes and revokes tokens."""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from api import views
from api.main import api
from api.problems import PROBLEM_TYPE, problem

app_name = "tokens"

DOCS_PAGE = "openapi-view"


def _problem_for_not_allowed(view):
    """django-ninja answers a wrong method with a plain 405: say it as a problem too."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != PROBLEM_TYPE:
            allowed = response.get("Allow", "")
            return problem(
                405,
                _("Use one of: %(methods)s.") % {"methods": allowed},
                headers={"Allow": allowed},
            )
        return response

    return wrapper


def _open_to_tokens(patterns):
    """A token, not the sign-in page, authenticates the API: the login-required
    middleware lets its routes through and the API answers 401 by itself. The docs
    page is for people: it asks them to sign in like every page."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _open_to_tokens(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name != DOCS_PAGE:
            pattern.callback = login_not_required(_problem_for_not_allowed(pattern.callback))
    return patterns


@csrf_exempt
@login_not_required
def not_found(request, rest=""):
    return problem(404, _("There is no such API address."))


ninja_patterns, _app, _namespace = api.urls

# /profile/tokens/: the user's own tokens.
urlpatterns = [
    path("", views.tokens_page, name="list"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
# /api/: the API itself, its schema (openapi.json) and docs page (docs); any other
# address under it answers 404 as a problem.
api_urls = (
    [*_open_to_tokens(ninja_patterns), re_path(r"^(?P<rest>.*)$", not_found)],
    _app,
    _namespace,
)
