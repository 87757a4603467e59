"""BPMN escalations: thrown by intermediate and end events, caught by escalation
boundary events on an enclosing sub-process and by escalation start events of
event sub-processes.

Unlike an error, an escalation is not critical: the nearest catcher outward
from the thrower wins, an event sub-process of a scope before the boundary
events of the scope's activity; an interrupting catcher cancels its scope
(the thrower with it), a non-interrupting one starts a token beside it and
the thrower goes on. Nobody catching it is not a failure: the thrower goes on.
A catcher without an escalation code catches every escalation.

An escalation that reaches the top of a called process uncaught goes to its
caller (Camunda's behaviour): the EscalationThrown effect is routed to the
parent, whose call activity throws it on (`escalate_from_call`): the call
activity's own escalation boundary events first, then outward as above. An
interrupting catcher there cancels the call activity, and so the child
instance; a non-interrupting one leaves both running.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .effects import EscalationThrown
from .events import store_payload
from .eventsubprocesses import catching_start, start_caught
from .graph import EventDefinition
from .state import Step

if TYPE_CHECKING:
    from .runtime import Run


def catches(catcher: EventDefinition, code: str) -> bool:
    """Whether an escalation catch definition catches an escalation with this code."""
    return not catcher.error_code or catcher.error_code == code


def throw_escalation(run: Run, step: Step, definition: EventDefinition, payload: Any) -> None:
    """Throw an escalation from a step to its nearest catcher (see the module's text)."""
    _throw(run, step, definition.error_code, payload, from_call=False)


def escalate_from_call(
    run: Run, call: Step, code: str, payload: Any, variables: dict | None = None
) -> None:
    """Throw at a waiting call activity the escalation its child instance left uncaught.

    Caught by the call activity's own boundary event, the child's `variables` pass
    back through the call's out-mappings first, as Camunda does, so the boundary's
    path sees them (without out-mappings nothing is copied)."""
    if "mi_index" not in call.data:
        element = run.graph.elements[call.element_id]
        out_mappings = getattr(element, "out_mappings", ())
        if variables and out_mappings and _catcher(run, call, code) is not None:
            values: dict = {}
            for source, target in out_mappings:
                if source == "*":
                    values.update(variables)
                elif source in variables:
                    values[target or source] = variables[source]
            run.write_variables(call, values)
        if _boundary(run, call, call, code, payload):
            return
    _throw(run, call, code, payload, from_call=True)


def _catcher(run: Run, scope: Step, code: str) -> str | None:
    """The first escalation boundary event of `scope`'s activity that catches `code`."""
    for boundary_id in run.graph.elements[scope.element_id].boundaries:
        definition = run.graph.elements[boundary_id].definition  # type: ignore[attr-defined]
        if definition.kind == "escalation" and catches(definition, code):
            return boundary_id
    return None


def _throw(run: Run, step: Step, code: str, payload: Any, *, from_call: bool) -> None:
    """Walk outward from `step` to the first catcher. A thrown event is done once its
    escalation is caught by an interrupting catcher; a call activity (`from_call`)
    is canceled with its scope instead, and its child instance with it."""

    def matches(catcher: EventDefinition) -> bool:
        return catches(catcher, code)

    steps = run.state.steps
    scope_id = step.scope_id
    while True:
        found = catching_start(run, scope_id, "escalation", matches)
        if found is not None:
            esp_id, start = found
            if start.is_interrupting and step.is_open and not from_call:
                run.complete(step)
            start_caught(run, scope_id, esp_id, start, payload, {"escalation_code": code})
            return
        if scope_id is None:
            run.effects.append(EscalationThrown(code, payload))
            return
        scope = steps.get(scope_id)
        if scope is None:
            return
        if "mi_index" not in scope.data and _boundary(run, step, scope, code, payload):
            return
        scope_id = scope.scope_id


def _boundary(run: Run, thrower: Step, scope: Step, code: str, payload: Any) -> bool:
    """Fire the first escalation boundary event of `scope`'s activity that catches."""
    boundary_id = _catcher(run, scope, code)
    if boundary_id is not None:
        boundary = run.graph.elements[boundary_id]
        data = {"escalation_code": code}
        if boundary.cancel_activity:  # type: ignore[attr-defined]
            if thrower.is_open and thrower is not scope:
                run.complete(thrower)
            run.cancel_step(scope)
        else:
            data["from"] = scope.id
        fired = run.new_step(boundary_id, scope.scope_id, status="waiting", data=data)
        store_payload(run, fired, boundary, payload, "")
        run.leave(fired, boundary)
        return True
    return False
