"""Camunda's error shape, `{"type": "InvalidRequestException", "message": "…"}`, and the
refusals the endpoints raise to get it."""

from __future__ import annotations

import json

from django.http import HttpResponse

JSON = "application/json"
# Camunda Modeler shows "Server could not parse the diagram" for messages starting so.
PARSE_ERROR_PREFIX = "ENGINE-09005 Could not parse BPMN process."


def camunda_error(status: int, kind: str, message: str, headers=None) -> HttpResponse:
    """An error as Camunda's REST API sends it."""
    body = {"type": kind, "message": str(message), "code": None}
    response = HttpResponse(json.dumps(body), status=status, content_type=JSON)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class InvalidRequest(Exception):
    """Input Camunda would answer with InvalidRequestException (400, or the status given)."""

    def __init__(self, message: str, status: int = 400, kind: str = "InvalidRequestException"):
        super().__init__(message)
        self.message = str(message)
        self.status = status
        self.kind = kind


def parse_error(filename: str, error: Exception) -> InvalidRequest:
    """A model file that cannot import, as Camunda reports a parse error."""
    return InvalidRequest(
        f"{PARSE_ERROR_PREFIX} Errors: {filename}: {error}", kind="ParseException"
    )
