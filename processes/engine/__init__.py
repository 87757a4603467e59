"""Flowdesk's BPMN process engine: plain Python, no Django.

`bpmn.parse_bpmn` / `bpmn.export_bpmn` read and write BPMN 2.0 files;
`runtime.Engine` runs instances whose state the persistence layer stores.
"""

from .runtime import (
    BpmnError,
    CancelChild,
    Engine,
    EngineError,
    ErrorThrown,
    InstanceFinished,
    InstanceState,
    RunResult,
    SendMessage,
    StartChild,
    StartTrigger,
    Step,
    ThrowSignal,
    UserStepActivated,
    UserStepClosed,
    start_events,
)

__all__ = [
    "BpmnError",
    "CancelChild",
    "Engine",
    "EngineError",
    "ErrorThrown",
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
