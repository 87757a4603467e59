"""Flowdesk's REST API at /api/: django-ninja, an OpenAPI 3 schema and its docs page.

The docs page (Swagger UI) loads its script and styles from django-ninja's own static
files (ninja is in INSTALLED_APPS), never from a CDN, so the CSP allows it as it is.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from api.auth import BrowserSession, PerCallerThrottle, TokenAuth
from api.endpoints import external_tasks as external_task_endpoints
from api.endpoints import processes as process_endpoints
from api.endpoints import records as record_endpoints
from api.problems import BadInput, field_of, problem
from cases.errors import CaseError
from processes.engine.bpmn import BpmnImportError
from processes.errors import ProcessError, StepNotAvailable
from processes.user_steps.services import StepNotYours

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Flowdesk API",
    version="1",
    description=_(
        "Flowdesk's REST API. Send a personal token from your profile page as "
        "`Authorization: Bearer <token>`; in the browser your session works too."
    ),
    auth=[TokenAuth(), BrowserSession()],
    throttle=[PerCallerThrottle()],
    urls_namespace="api",
)
api.add_router("/", process_endpoints.router)
api.add_router("/", record_endpoints.router)
api.add_router("/", external_task_endpoints.router)


@api.exception_handler(ValidationError)
def _bad_input(request, exc):
    errors = [
        {"field": field_of(error.get("loc", ())), "detail": error.get("msg", "")}
        for error in exc.errors
    ]
    first = errors[0] if errors else {"field": None, "detail": _("The request is not valid.")}
    return problem(400, first["detail"], field=first["field"], errors=errors)


@api.exception_handler(BadInput)
def _bad_value(request, exc):
    return problem(400, exc.detail, field=exc.field, errors=getattr(exc, "errors", None))


@api.exception_handler(BpmnImportError)
def _bad_bpmn(request, exc):
    return problem(400, str(exc), field="files", errors=[{"element": exc.element_id}])


@api.exception_handler(AuthenticationError)
def _no_token(request, exc):
    return problem(
        401,
        _("Send a valid personal token as “Authorization: Bearer <token>”."),
        field="Authorization",
        headers={"WWW-Authenticate": 'Bearer realm="flowdesk"'},
    )


@api.exception_handler(Throttled)
def _too_many(request, exc):
    wait = int(exc.wait or 60) + 1
    return problem(
        429,
        _("Too many requests: try again in %(seconds)s seconds.") % {"seconds": wait},
        headers={"Retry-After": str(wait)},
    )


@api.exception_handler(StepNotYours)
@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return problem(403, str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def _not_found(request, exc):
    return problem(404, _("Not found."))


@api.exception_handler(StepNotAvailable)
@api.exception_handler(ProcessError)
@api.exception_handler(CaseError)
def _conflict(request, exc):
    return problem(409, str(exc))


@api.exception_handler(Exception)
def _broken(request, exc):
    logger.exception("API call failed: %s %s", request.method, request.path)
    return problem(500, _("Something went wrong on our side; it has been logged."))


@api.exception_handler(HttpError)
def _http_error(request, exc):
    return problem(exc.status_code, exc.message)
