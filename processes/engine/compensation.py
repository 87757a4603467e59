"""Compensation (BPMN 2.0 section 10.7) and the cancellation of transactions.

When an activity with a compensation boundary event completes, a compensation
record is kept in its scope: a passive waiting step at the boundary event
(`data['compensation']` = the activity's id) that does not keep the scope
open. When a sub-process completes, the records inside it move out to its
own scope (`data['within']` lists the sub-processes they came through), so
compensating the sub-process compensates what it did; a sub-process with a
compensation handler of its own is compensated by that handler alone. When
that handler is a compensation event sub-process, it starts in the scope the
sub-process was in, on a snapshot of the sub-process's variables, and a
compensation throw inside it compensates what the sub-process did (those
records moved out with `data['held']`, which only it can compensate).

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
    record_at, handler_id = found
    data: dict = {"compensation": element.id, "within": []}
    if _is_event_subprocess(run, handler_id):
        data["vars"] = dict(step.data.get("vars") or {})
    run.new_step(record_at, step.scope_id, status="waiting", data=data)


def _is_event_subprocess(run: Run, element_id: str) -> bool:
    return bool(getattr(run.graph.elements[element_id], "triggered_by_event", False))


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
    own = run.graph.compensation.get(scope.element_id) if scope is not None else None
    held = own is not None and _is_event_subprocess(run, own[1])
    if (
        scope is None
        or (own is not None and not held)
        or "mi_index" in scope.data
        or "compensation_of" in scope.data
    ):
        for kept in records:
            run.close(kept, "canceled")
        return
    for kept in records:
        kept.data["within"] = [*kept.data.get("within", []), scope.element_id]
        if held:
            kept.data.setdefault("held", scope.element_id)
        run.move_step(kept, scope.scope_id)


def throw(run: Run, step: Step, element: Event) -> None:
    """A compensation throw or a cancel end event: compensate, then go on (see above)."""
    definition = element.definition
    held = None
    if definition.kind == "cancel":
        scope_id = step.scope_id
        ref = ""
    else:
        ref = definition.activity
        if ref and run.graph.elements[ref].scope == element.scope:
            scope_id = step.scope_id  # an activity of the throw's own scope
        else:
            scope_id, held = _compensated_scope(run, step.scope_id)
    steps = run.state.steps
    records = [
        i
        for i in run.children.get(scope_id, ())
        if i in steps
        and "compensation" in steps[i].data
        and steps[i].data.get("held") == held
        and (
            not ref
            or steps[i].data["compensation"] == ref
            or ref in steps[i].data.get("within", ())
        )
    ]
    step.status = "waiting"
    step.data["compensating"] = sorted(records, reverse=True)
    run.touch(step)
    _next(run, step)


def _compensated_scope(run: Run, scope_id: int | None) -> tuple[int | None, str | None]:
    """Where a throw's records are: a throw inside an event sub-process compensates
    the scope around it; inside a compensation event sub-process, what its
    sub-process did (the records it holds: the second value)."""
    scope = run.state.steps.get(scope_id) if scope_id is not None else None
    if scope is not None and _is_event_subprocess(run, scope.element_id):
        return scope.scope_id, scope.data.get("compensates")
    return scope_id, None


def _next(run: Run, thrower: Step) -> None:
    """Start the handler of the next record, or finish the throw."""
    pending = thrower.data["compensating"]
    while pending:
        record_id = pending.pop(0)
        kept = run.state.steps.get(record_id)
        if kept is None or not kept.is_open:
            continue
        run.touch(thrower)
        start_id, handler_id = run.graph.compensation[kept.data["compensation"]]
        data = {"compensation_of": thrower.id, "record": kept.id}
        if not _is_event_subprocess(run, handler_id):
            run.new_step(handler_id, kept.scope_id, data=data)
            return
        handler = run.new_step(
            handler_id,
            kept.scope_id,
            status="waiting",
            data={
                **data,
                "entered": True,
                "vars": dict(kept.data.get("vars") or {}),
                "compensates": kept.data["compensation"],
            },
        )
        run.new_step(start_id, handler.id)
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
