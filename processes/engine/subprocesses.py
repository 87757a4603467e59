"""Embedded sub-processes (scopes), terminate ends and BPMN error propagation.

A sub-process step waits while the steps inside it (`scope_id` = its id) run.
It holds the variables written inside it in `data['vars']`; they are read
over the enclosing variables and merged out when the sub-process completes
(SpiffWorkflow's copy-in / copy-out), so an interrupted sub-process leaves
nothing behind.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .effects import ErrorThrown, InstanceFinished
from .errors import FlowError
from .events import arm_boundaries, store_payload
from .eventsubprocesses import arm_listeners, catching_start, start_caught
from .graph import Element
from .state import Step

if TYPE_CHECKING:
    from .runtime import Run


def sub_process(run: Run, step: Step, element: Element) -> None:
    """Enter an embedded sub-process: wait while its start events run inside it."""
    starts = [
        start_id
        for start_id in run.graph.scope_starts.get(element.id, ())
        if run.graph.elements[start_id].definition.kind == "none"  # type: ignore[attr-defined]
    ]
    if not starts:
        raise FlowError("the sub-process has no plain start event")
    if step.data.get("entered") and not run.children.get(step.id):
        # Retried after its inside had finished but leaving it failed.
        step.status = "waiting"
        scope_finished(run, step)
        return
    step.status = "waiting"
    step.data["entered"] = True
    step.data.setdefault("vars", {})
    run.touch(step)
    arm_boundaries(run, step, element)
    for start_id in starts:
        run.new_step(start_id, step.id)
    arm_listeners(run, step.id)


def scope_finished(run: Run, scope_step: Step) -> None:
    """Every token inside a sub-process ended: merge its variables out and leave."""
    if "mi" in scope_step.data:
        return  # a multi-instance body completes through its instances
    element = run.graph.elements[scope_step.element_id]
    local = scope_step.data.get("vars")
    # A compensation event sub-process works on a snapshot: nothing of it goes out.
    if local and "mi_index" not in scope_step.data and "compensates" not in scope_step.data:
        write_above(run, scope_step, local)
    run.leave(scope_step, element)


def write_above(run: Run, step: Step, values: dict) -> None:
    """Write into the variables of the scope enclosing `step` (not its own)."""
    if step.scope_id is None:
        run.state.variables.update(values)
        return
    parent = run.state.steps.get(step.scope_id)
    if parent is None:
        run.state.variables.update(values)
        return
    run.write_variables(parent, values)


def terminate(run: Run, step: Step) -> None:
    """A terminate end event ends its scope: the whole instance at top level,
    else the enclosing sub-process, which then completes."""
    scope_id = step.scope_id
    for other_id in sorted(run.children.get(scope_id, set()) - {step.id}):
        other = run.state.steps.get(other_id)
        if other is not None:
            run.cancel_step(other)
    run.complete(step)
    if scope_id is None:
        for leftover in sorted(run.state.steps.values(), key=lambda s: s.id):
            run.cancel_step(leftover)
        run.state.status = "completed"
        run.state.completed_at = run.now
        run.effects.append(InstanceFinished("completed", run.state.variables))


def _matches(definition, code: str, name: str) -> bool:
    if not definition.ref:
        return True  # a boundary without errorRef catches every error
    if code and definition.error_code:
        return definition.error_code == code
    return bool(name) and definition.name == name


def throw_error(
    run: Run,
    step: Step,
    *,
    code: str,
    name: str,
    payload: Any,
    message: str,
    include_self: bool = False,
) -> None:
    """Find the nearest catcher outward from the step: an error event sub-process
    of the step's scope, else an error boundary event of the scope's activity, then
    the same one scope further out (with `include_self`, the step's own error
    boundaries come first). The catcher interrupts its scope or activity and the
    token continues from it; uncaught, the step goes to error and an ErrorThrown
    effect tells the caller (a parent may catch it)."""
    steps = run.state.steps

    def matches(definition) -> bool:
        return _matches(definition, code, name)

    candidate = step if include_self else None
    scope_id = step.scope_id
    while True:
        if candidate is not None and _catch_on_boundary(
            run, step, candidate, code=code, name=name, payload=payload
        ):
            return
        found = catching_start(run, scope_id, "error", matches)
        if found is not None:
            esp_id, start = found
            if step.is_open:
                run.complete(step)
            start_caught(
                run, scope_id, esp_id, start, payload, {"error_code": code} if code else {}
            )
            return
        if scope_id is None:
            break
        candidate = steps.get(scope_id)
        if candidate is None:
            break
        scope_id = candidate.scope_id
    label = code or name or "without a code"
    run.fail(step, f"BPMN error {label} was thrown ({message}) and nothing caught it.")
    run.effects.append(ErrorThrown(code, name, payload))


def _catch_on_boundary(
    run: Run, step: Step, candidate: Step, *, code: str, name: str, payload: Any
) -> bool:
    """Fire the first error boundary event of `candidate`'s activity that catches."""
    if "mi_index" in candidate.data:
        return False  # a multi-instance body's boundaries are on the body step
    element = run.graph.elements[candidate.element_id]
    for boundary_id in element.boundaries:
        boundary = run.graph.elements[boundary_id]
        definition = boundary.definition  # type: ignore[attr-defined]
        if definition.kind != "error" or not _matches(definition, code, name):
            continue
        if step is not candidate and step.is_open:
            run.complete(step)
        run.cancel_step(candidate)
        fired = run.new_step(
            boundary_id,
            candidate.scope_id,
            status="waiting",
            data={"error_code": code} if code else {},
        )
        store_payload(run, fired, boundary, payload, "")
        run.leave(fired, boundary)
        return True
    return False
