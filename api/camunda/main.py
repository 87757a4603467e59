"""The Camunda 7 REST API at /engine-rest/: a second NinjaAPI beside Flowdesk's own.

Errors take Camunda's shape, `{"type": "InvalidRequestException", "message": "…"}`:
400 for bad input, 401 without a valid token (with `WWW-Authenticate: Basic`), 403 for
what the user may not do, 404, 409 where Flowdesk refuses a step already done or taken
(Camunda itself answers 500 there), 429 when throttled.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from api.auth import PerCallerThrottle
from api.camunda import (
    definitions,
    deployments,
    engine,
    events,
    external_tasks,
    instances,
    tasks,
)
from api.camunda.auth import AUTH, CustomerRefused, ReadOnlyToken
from api.camunda.errors import PARSE_ERROR_PREFIX, InvalidRequest, camunda_error
from api.camunda.variables import VariableError
from api.problems import field_of
from cases.errors import CaseError
from processes.engine.bpmn import BpmnImportError
from processes.errors import ProcessError, StepNotAvailable
from processes.user_steps.services import StepNotYours

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Flowdesk: Camunda 7 REST compatibility",
    version="7.22",
    description=_(
        "The subset of Camunda 7's REST API its common clients use. Authenticate with "
        "HTTP basic (your username, a personal token as the password) or a Bearer token."
    ),
    auth=AUTH,
    throttle=[PerCallerThrottle()],
    urls_namespace="engine-rest",
    docs_url=None,
)
api.add_router("/", engine.router)
api.add_router("/", deployments.router)
api.add_router("/", definitions.router)
api.add_router("/", instances.router)
api.add_router("/", tasks.router)
api.add_router("/", events.router)
api.add_router("/external-task", external_tasks.router)


@api.exception_handler(ValidationError)
def _bad_input(request, exc):
    first = exc.errors[0] if exc.errors else {}
    field = field_of(first.get("loc", ()))
    message = first.get("msg", _("The request is not valid."))
    return camunda_error(
        400, "InvalidRequestException", f"{field}: {message}" if field else message
    )


@api.exception_handler(InvalidRequest)
def _invalid(request, exc):
    return camunda_error(exc.status, exc.kind, exc.message)


@api.exception_handler(VariableError)
def _bad_variable(request, exc):
    return camunda_error(400, "InvalidRequestException", exc.message)


@api.exception_handler(BpmnImportError)
def _bad_bpmn(request, exc):
    return camunda_error(400, "ParseException", f"{PARSE_ERROR_PREFIX} Errors: {exc}")


@api.exception_handler(AuthenticationError)
def _no_token(request, exc):
    return camunda_error(
        401,
        "AuthenticationException",
        _("Send your username and a personal token with HTTP basic, or the token as Bearer."),
        headers={"WWW-Authenticate": 'Basic realm="flowdesk"'},
    )


@api.exception_handler(Throttled)
def _too_many(request, exc):
    wait = int(exc.wait or 60) + 1
    return camunda_error(
        429,
        "TooManyRequestsException",
        _("Too many requests: try again in %(seconds)s seconds.") % {"seconds": wait},
        headers={"Retry-After": str(wait)},
    )


@api.exception_handler(ReadOnlyToken)
@api.exception_handler(CustomerRefused)
@api.exception_handler(StepNotYours)
@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return camunda_error(403, "AuthorizationException", str(exc) or _("You may not do this."))


@api.exception_handler(Http404)
def _not_found(request, exc):
    return camunda_error(404, "InvalidRequestException", str(exc) or _("Not found."))


@api.exception_handler(ObjectDoesNotExist)
def _no_row(request, exc):
    return camunda_error(404, "InvalidRequestException", _("Not found."))


@api.exception_handler(StepNotAvailable)
@api.exception_handler(ProcessError)
@api.exception_handler(CaseError)
def _conflict(request, exc):
    return camunda_error(409, "ProcessEngineException", str(exc))


@api.exception_handler(Exception)
def _broken(request, exc):
    logger.exception("Camunda API call failed: %s %s", request.method, request.path)
    return camunda_error(
        500, "ProcessEngineException", _("Something went wrong on our side; it has been logged.")
    )


@api.exception_handler(HttpError)
def _http_error(request, exc):
    kind = "AuthorizationException" if exc.status_code == 403 else "InvalidRequestException"
    return camunda_error(exc.status_code, kind, exc.message)
