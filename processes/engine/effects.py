"""Effects an engine call hands back for the caller to route beyond the instance."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .state import Step


@dataclass(frozen=True, slots=True)
class StartChild:
    """Start `process_id` as the child instance of call activity step `step_id`."""

    step_id: int
    process_id: str
    variables: dict


@dataclass(frozen=True, slots=True)
class CancelChild:
    """Cancel the child instance of call activity step `step_id`."""

    step_id: int


@dataclass(frozen=True, slots=True)
class ThrowSignal:
    """Broadcast a signal to every instance waiting for it."""

    name: str
    payload: Any = None
    variable: str = ""


@dataclass(frozen=True, slots=True)
class SendMessage:
    """Deliver a message to the instances (or message start events) waiting for it."""

    name: str
    payload: Any = None
    correlation_key: str | None = None
    variable: str = ""


@dataclass(frozen=True, slots=True)
class UserStepActivated:
    """A user step now waits for a person (the caller notifies its owners)."""

    step: Step


@dataclass(frozen=True, slots=True)
class UserStepClosed:
    """A waiting user step was completed or canceled."""

    step: Step
    status: str


@dataclass(frozen=True, slots=True)
class ErrorThrown:
    """A BPMN error reached the top of the instance uncaught (the parent's call
    activity may catch it: route it with `child_finished(..., error_code=...)`)."""

    code: str
    name: str = ""
    payload: Any = None


@dataclass(frozen=True, slots=True)
class EscalationThrown:
    """An escalation reached the top of the instance with no catcher (not a failure:
    the thrower went on). The parent's call activity may catch it: route it with
    `Engine.escalation_from_child(parent_state, call_step_id, code=...)`."""

    code: str
    payload: Any = None


@dataclass(frozen=True, slots=True)
class InstanceFinished:
    """The instance ended (completed or canceled) with these variables."""

    status: str
    variables: dict


Effect = (
    StartChild
    | CancelChild
    | ThrowSignal
    | SendMessage
    | UserStepActivated
    | UserStepClosed
    | ErrorThrown
    | EscalationThrown
    | InstanceFinished
)
