"""/engine-rest/: the Camunda API's routes, open to tokens, and Camunda errors for the rest.

A token, not the sign-in page, authenticates here: the login-required middleware lets
these routes through and the API answers 401 itself. A wrong method answers 405 and an
unknown address 404, both in Camunda's error shape.
Every route also answers under /engine-rest/engine/default/, as Camunda's do.
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from api.camunda.errors import JSON, camunda_error
from api.camunda.main import api


def _error_for_not_allowed(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and response.get("Content-Type") != JSON:
            allowed = response.get("Allow", "")
            return camunda_error(
                405,
                "InvalidRequestException",
                _("Use one of: %(methods)s.") % {"methods": allowed},
                headers={"Allow": allowed},
            )
        return response

    return wrapper


def _open_to_tokens(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _open_to_tokens(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            pattern.callback = login_not_required(_error_for_not_allowed(pattern.callback))
    return patterns


@csrf_exempt
@login_not_required
def not_found(request, rest=""):
    return camunda_error(404, "RestException", _("There is no such address in the REST API."))


ninja_patterns, app_name, _namespace = api.urls

routes = _open_to_tokens(ninja_patterns)

# Camunda serves its default engine both at /engine-rest/… and /engine-rest/engine/default/…;
# older clients use the second form.
urlpatterns = [
    path("engine/default/", include(routes)),
    *routes,
    re_path(r"^(?P<rest>.*)$", not_found),
]
