"""Flowdesk's BPMN process engine: plain Python, no Django.

`bpmn.parse_bpmn` / `bpmn.export_bpmn` read and write BPMN 2.0 files;
`runtime.Engine` runs instances whose state (`state`) the persistence layer
stores, handing back `effects` for the caller to route. Element behaviour lives
in one module per family (`events`, `gateways`, `activities`, `subprocesses`,
`multiinstance`, `eventsubprocesses`, `escalation`, `conditions`, `compensation`,
`loops`); they import the data types, never the runtime.
"""

from .effects import (
    CancelChild,
    ErrorThrown,
    EscalationThrown,
    InstanceFinished,
    SendMessage,
    StartChild,
    ThrowSignal,
    UserStepActivated,
    UserStepClosed,
)
from .errors import BpmnError, EngineError
from .runtime import Engine, StartTrigger, start_events
from .state import InstanceState, RunResult, Step

__all__ = [
    "BpmnError",
    "CancelChild",
    "Engine",
    "EngineError",
    "ErrorThrown",
    "EscalationThrown",
    "InstanceFinished",
    "InstanceState",
    "RunResult",
    "SendMessage",
    "StartChild",
    "StartTrigger",
    "Step",
    "ThrowSignal",
    "UserStepActivated",
    "UserStepClosed",
    "start_events",
]
