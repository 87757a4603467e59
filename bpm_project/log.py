"""Structured logs (LOG_FORMAT=json): one JSON object per line, with what is known of
the request or task that logged it: request id, user, process instance.

A request's context is set by RequestContextMiddleware, a Celery task's by the
task_prerun receiver in bpm_project.celery; a log call may add its own with
`extra={"instance_id": ...}`.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

_context: contextvars.ContextVar[dict] = contextvars.ContextVar("flowdesk_log_context")
CONTEXT_FIELDS = ("request_id", "user", "instance_id", "task", "task_id")
REQUEST_ID_HEADER = "X-Request-ID"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def bind(**values) -> contextvars.Token:
    """Add values to the log context of the current request or task; returns a reset token."""
    current = _context.get({})
    return _context.set({**current, **{k: v for k, v in values.items() if v is not None}})


def reset(token: contextvars.Token) -> None:
    _context.reset(token)


def current() -> dict:
    return dict(_context.get({}))


class ContextFilter(logging.Filter):
    """Copies the current context onto each record (a record's own `extra` wins)."""

    def filter(self, record):
        context = dict(_context.get({}))
        # Django logs 4xx responses after the middleware returned, with the request attached.
        request = getattr(record, "request", None)
        if "request_id" not in context and hasattr(request, "request_id"):
            context["request_id"] = request.request_id
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                context["user"] = user.get_username()
        for key, value in context.items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in CONTEXT_FIELDS:
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RequestContextMiddleware:
    """Gives each request an id (the proxy's X-Request-ID, or a new one), sent back in the
    response, and puts it and the signed-in user into the log context."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        user = getattr(request, "user", None)
        token = bind(
            request_id=request_id,
            user=user.get_username() if user is not None and user.is_authenticated else None,
        )
        try:
            response = self.get_response(request)
        finally:
            reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response
