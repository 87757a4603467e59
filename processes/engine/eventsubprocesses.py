"""Event sub-processes: a scope's listeners, and starting one inside its scope.

While a scope runs (the process, or an embedded sub-process step), each of its
event sub-processes whose start event waits for a message, signal, timer or
condition has a listener: a waiting step at that start event in the scope
(`data['listener']` = the event sub-process id). Error and escalation starts
are looked up when one is thrown, like error boundary events. Listeners do
not keep a scope alive: when only listeners are left they are withdrawn and
the scope completes.

A start that fires begins the event sub-process as a step of the scope; an
interrupting one first cancels everything else in the scope (its other
listeners too), a non-interrupting one runs beside it, and its listener goes
on waiting (a timer cycle re-arms, a date or duration is spent). The scope
completes once the event sub-process has.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import describe_error
from .events import arm_catch, rearm_timer, store_payload
from .graph import Event
from .state import Step

if TYPE_CHECKING:
    from .runtime import Run

# Start triggers that wait (have a listener); error and escalation are thrown.
LISTENED = frozenset({"message", "signal", "timer", "conditional", "multiple"})


def scope_subprocesses(run: Run, scope_id: int | None) -> tuple[str, ...]:
    """The event sub-processes of the scope a step id stands for (None: the process).
    A multi-instance body has none: each of its instances is the scope."""
    if scope_id is None:
        return run.graph.event_subprocesses.get(None, ())
    scope = run.state.steps.get(scope_id)
    if scope is None or "mi" in scope.data:
        return ()
    return run.graph.event_subprocesses.get(scope.element_id, ())


def arm_listeners(run: Run, scope_id: int | None) -> None:
    """Make the event sub-processes of a scope that has just started listen."""
    for esp_id in scope_subprocesses(run, scope_id):
        start = start_of(run, esp_id)
        if start.definition.kind not in LISTENED:
            continue
        listener = run.new_step(start.id, scope_id, status="waiting", data={"listener": esp_id})
        try:
            arm_catch(run, listener, start)
        except Exception as exc:  # a timer expression that fails: the listener is in error
            run.fail(listener, f"{start.label}: {describe_error(exc)}")


def start_of(run: Run, esp_id: str) -> Event:
    """The one start event of an event sub-process."""
    element = run.graph.elements[run.graph.scope_starts[esp_id][0]]
    assert isinstance(element, Event)
    return element


def withdraw_listeners(run: Run, scope_id: int | None) -> None:
    """The scope's work is done: cancel the listeners still waiting in it."""
    for step_id in sorted(run.children.get(scope_id, ())):
        step = run.state.steps.get(step_id)
        if step is not None and "listener" in step.data:
            run.close(step, "canceled")


def fire_listener(run: Run, listener: Step, payload: Any, variable: str) -> None:
    """A listener's message, signal, timer or condition came: start its event sub-process."""
    esp_id = listener.data["listener"]
    start = start_of(run, esp_id)
    scope_id = listener.scope_id
    if start.is_interrupting:
        interrupt_scope(run, scope_id, keep=listener)
        esp_step = begin(run, esp_id, scope_id)
        # The listener itself becomes the start event's step inside the event sub-process.
        listener.data.pop("listener", None)
        listener.due_at = None
        run.passive.get(scope_id, set()).discard(listener.id)
        run.move_step(listener, esp_step.id)
        store_payload(run, listener, start, payload, variable)
        run.leave(listener, start)
        return
    esp_step = begin(run, esp_id, scope_id)
    firing = run.new_step(start.id, esp_step.id, status="waiting", data={"from": listener.id})
    store_payload(run, firing, start, payload, variable)
    run.leave(firing, start)
    if listener.data.get("timer") is not None:
        rearm_timer(run, listener)


def begin(run: Run, esp_id: str, scope_id: int | None) -> Step:
    """The step of an event sub-process that starts in a scope (its local variables held)."""
    return run.new_step(esp_id, scope_id, status="waiting", data={"entered": True, "vars": {}})


def interrupt_scope(run: Run, scope_id: int | None, *, keep: Step | None = None) -> None:
    """Cancel every open step of a scope (listeners too) except `keep`; the records
    of completed activities stay compensable."""
    for other_id in sorted(run.children.get(scope_id, ())):
        other = run.state.steps.get(other_id)
        if other is not None and other is not keep and "compensation" not in other.data:
            run.cancel_step(other)


def catching_start(run: Run, scope_id: int | None, kind: str, matches) -> tuple[str, Event] | None:
    """The first event sub-process of a scope whose `kind` start (error, escalation)
    catches what was thrown (`matches(definition)`), with its start event."""
    for esp_id in scope_subprocesses(run, scope_id):
        start = start_of(run, esp_id)
        if start.definition.kind == kind and matches(start.definition):
            return esp_id, start
    return None


def start_caught(
    run: Run,
    scope_id: int | None,
    esp_id: str,
    start: Event,
    payload: Any,
    data: dict | None = None,
) -> None:
    """Start an event sub-process whose error or escalation start caught a throw."""
    if start.is_interrupting:
        interrupt_scope(run, scope_id)
    esp_step = begin(run, esp_id, scope_id)
    first = run.new_step(start.id, esp_step.id, status="waiting", data=dict(data or {}))
    store_payload(run, first, start, payload, "")
    run.leave(first, start)
