"""Compensation (BPMN 2.0 section 10.7) and the cancellation of transactions.

When an activity with a compensation boundary event completes, a compensation
record is kept in its scope: a passive waiting step at the boundary event
(`data['compensation']` = the activity's id) that does not keep the scope
open. When a sub-process completes, the records inside it move out to its
own scope (`data['within']` lists the sub-processes they came through), so
compensating the sub-process compensates what it did; a sub-process with a
compensation handler of its own is compensated by that handler alone.

A compensation throw (intermediate or end event) compensates the records of
its scope (of the scope around an event sub-process, when thrown in one),
all of them or those of its activityRef, one handler at a time in reverse
order of completion, and waits until the last handler completed: then an
intermediate throw passes its token on and an end event ends. A cancel end
event first compensates everything its transaction completed, then cancels
the transaction and leaves through its cancel boundary event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import FlowError
from .graph import Element, Event
from .state import Step

if TYPE_CHECKING:
    from .runtime import Run


def record(run: Run, step: Step, element: Element) -> None:
    """An activity completed: keep it compensable when it has a compensation handler."""
    found = run.graph.compensation.get(element.id)
    if found is None or "mi_index" in step.data or "compensating" in step.data:
        return
    boundary_id, _ = found
    run.new_step(
        boundary_id,
        step.scope_id,
        status="waiting",
        data={"compensation": element.id, "within": []},
    )


def scope_done(run: Run, scope_id: int | None) -> None:
    """A scope's work is done with compensation records left in it: they end with
    the instance, or move out of a sub-process (unless the sub-process has a handler
    of its own, or is one instance of a multi-instance sub-process)."""
    records = [
        run.state.steps[i]
        for i in sorted(run.children.get(scope_id, ()))
        if i in run.state.steps and "compensation" in run.state.steps[i].data
    ]
    if not records:
        return
    scope = run.state.steps.get(scope_id) if scope_id is not None else None
    if (
        scope is None
        or scope.element_id in run.graph.compensation
        or "mi_index" in scope.data
        or "compensation_of" in scope.data
    ):
        for kept in records:
            run.close(kept, "canceled")
        return
    for kept in records:
        kept.data["within"] = [*kept.data.get("within", []), scope.element_id]
        run.move_step(kept, scope.scope_id)


def throw(run: Run, step: Step, element: Event) -> None:
    """A compensation throw or a cancel end event: compensate, then go on (see above)."""
    definition = element.definition
    if definition.kind == "cancel":
        scope_id = step.scope_id
        ref = ""
    else:
        scope_id = _compensated_scope(run, step.scope_id)
        ref = definition.activity
    records = [
        i
        for i in run.children.get(scope_id, ())
        if i in run.state.steps
        and "compensation" in run.state.steps[i].data
        and (
            not ref
            or run.state.steps[i].data["compensation"] == ref
            or ref in run.state.steps[i].data.get("within", ())
        )
    ]
    step.status = "waiting"
    step.data["compensating"] = sorted(records, reverse=True)
    run.touch(step)
    _next(run, step)


def _compensated_scope(run: Run, scope_id: int | None) -> int | None:
    """A throw inside an event sub-process compensates the scope around it."""
    scope = run.state.steps.get(scope_id) if scope_id is not None else None
    if scope is not None:
        element = run.graph.elements[scope.element_id]
        if getattr(element, "triggered_by_event", False):
            return scope.scope_id
    return scope_id


def _next(run: Run, thrower: Step) -> None:
    """Start the handler of the next record, or finish the throw."""
    pending = thrower.data["compensating"]
    while pending:
        record_id = pending.pop(0)
        kept = run.state.steps.get(record_id)
        if kept is None or not kept.is_open:
            continue
        run.touch(thrower)
        _, handler_id = run.graph.compensation[kept.data["compensation"]]
        run.new_step(
            handler_id,
            kept.scope_id,
            data={"compensation_of": thrower.id, "record": kept.id},
        )
        return
    thrower.data.pop("compensating", None)
    run.touch(thrower)
    element = run.graph.elements[thrower.element_id]
    assert isinstance(element, Event)
    if element.definition.kind == "cancel":
        _cancel_transaction(run, thrower)
    elif element.kind == "endEvent":
        run.complete(thrower)
    else:
        run.leave(thrower, element)


def handler_done(run: Run, handler: Step) -> None:
    """A compensation handler completed: its record is spent; on to the next one."""
    kept = run.state.steps.get(handler.data.get("record"))
    if kept is not None and kept.is_open:
        run.complete(kept)
    thrower = run.state.steps.get(handler.data.get("compensation_of"))
    if thrower is not None and thrower.status == "waiting" and "compensating" in thrower.data:
        _next(run, thrower)


def _cancel_transaction(run: Run, thrower: Step) -> None:
    """After compensating: cancel the transaction and leave by its cancel boundary."""
    transaction = run.state.steps.get(thrower.scope_id)
    if transaction is None:
        raise FlowError("a cancel end event ran outside its transaction")
    element = run.graph.elements[transaction.element_id]
    boundary_id = next(
        (
            b
            for b in element.boundaries
            if run.graph.elements[b].definition.kind == "cancel"  # type: ignore[attr-defined]
        ),
        None,
    )
    run.complete(thrower)
    run.cancel_step(transaction)
    if boundary_id is None:
        return  # no cancel boundary: the transaction just ends, canceled
    boundary = run.graph.elements[boundary_id]
    fired = run.new_step(boundary_id, transaction.scope_id, status="waiting")
    run.leave(fired, boundary)
