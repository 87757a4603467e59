"""Every refusal of the API as `application/problem+json` (RFC 9457), naming the field."""

from __future__ import annotations

import json
from http import HTTPStatus

from django.http import HttpResponse

PROBLEM_TYPE = "application/problem+json"


def problem(status: int, detail: str, *, field: str | None = None, errors=None, headers=None):
    """A problem response: its status, a title, what went wrong and (when known) the field."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": str(detail),
    }
    if field is not None:
        body["field"] = field
    if errors:
        body["errors"] = errors
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def field_of(location) -> str:
    """`["body", "payload", "variables"]` → "variables": the name the caller sent."""
    parts = [str(part) for part in location if part not in ("body", "payload", "query", "path")]
    return ".".join(parts) or ".".join(str(part) for part in location)


class BadInput(Exception):
    """A value the caller sent that the service would refuse: 400 naming the field."""

    def __init__(self, field: str, detail: str):
        super().__init__(detail)
        self.field = field
        self.detail = detail
