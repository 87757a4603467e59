"""The API's own routes, and the profile page where a user makes and revokes tokens."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, path

from api import views
from api.main import api

app_name = "tokens"


DOCS_PAGE = "openapi-view"


def _open_to_tokens(patterns):
    """A token, not the sign-in page, authenticates the API: the login-required
    middleware lets its routes through and the API answers 401 by itself. The docs
    page is for people: it asks them to sign in like every page."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _open_to_tokens(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name != DOCS_PAGE:
            pattern.callback = login_not_required(pattern.callback)
    return patterns


ninja_patterns, _app, _namespace = api.urls

# /profile/tokens/: the user's own tokens.
urlpatterns = [
    path("", views.tokens_page, name="list"),
    path("<int:pk>/revoke/", views.token_revoke, name="revoke"),
]
# /api/: the API itself, its schema (openapi.json) and docs page (docs).
api_urls = (_open_to_tokens(ninja_patterns), _app, _namespace)
