"""The errors the engine raises and the way it words a failure on a step."""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """A request the engine refuses (wrong step, wrong state); nothing changed."""


class BpmnError(Exception):
    """Raised by an action to throw a BPMN error that boundary events can catch."""

    def __init__(self, code: str, message: str = "", payload: Any = None):
        super().__init__(message or code)
        self.code = code
        self.payload = payload


class FlowError(Exception):
    """No way out of an element (conditions all false, no default)."""


def describe_error(exc: BaseException) -> str:
    """The text a step in error shows for an exception: its type and message."""
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"
