"""Named Python actions that script and service tasks run.

A BPMN file never carries Python to execute: a task names an action
(`flowdesk:action="crm.create_lead"`) and the code registered under that
name runs. Apps register their actions in `AppConfig.ready()`:

    @register_action('crm.create_lead')
    def create_lead(ctx: ActionContext):
        ...

An action reads and changes `ctx.variables` (a dict); its return value is
stored in the task's result variable when the task declares one, and a string
result becomes the step's result. Raising `BpmnError` throws a BPMN error a
boundary event can catch; any other exception puts the step in error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Action = Callable[["ActionContext"], Any]

_REGISTRY: dict[str, Action] = {}


@dataclass(slots=True)
class ActionContext:
    """What an action sees: the step's variables (writable), its parameters and where it runs."""

    variables: dict
    params: dict = field(default_factory=dict)
    process_id: str = ""
    element_id: str = ""
    element_name: str = ""
    ext: dict = field(default_factory=dict)
    step_id: int = 0
    now: dt.datetime | None = None


def register_action(name: str) -> Callable[[Action], Action]:
    """Register the decorated function as the action called `name`."""

    def decorator(fn: Action) -> Action:
        _REGISTRY[name] = fn
        return fn

    return decorator


def unregister_action(name: str) -> None:
    """Remove a registered action (tests clean up the actions they register with it)."""
    _REGISTRY.pop(name, None)


def get_action(name: str) -> Action:
    """The action registered as `name`; LookupError names it when there is none."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"No action named '{name}' is registered.") from None


def is_registered(name: str) -> bool:
    """Whether an action is registered as `name` (activation checks bindings with it)."""
    return name in _REGISTRY


def registered_names() -> list[str]:
    """The names of the registered actions, sorted (the designer offers them)."""
    return sorted(_REGISTRY)
