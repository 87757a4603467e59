"""Start, end, intermediate and boundary events; timers, messages, signals,
conditions and links (escalations are thrown through `escalation`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .compensation import throw as throw_compensation
from .effects import SendMessage, ThrowSignal
from .expressions import ExpressionError
from .graph import Element, Event
from .state import Step
from .timers import first_due, next_due, parse_timer
from .values import clean_variables, timer_text

if TYPE_CHECKING:
    from .runtime import Run


def start_event(run: Run, step: Step, element: Element) -> None:
    """A start event passes its token on at once."""
    run.leave(step, element)


def end_event(run: Run, step: Step, element: Event) -> None:
    """End a token, throwing the event's error, message or signal; a terminate ends its scope."""
    definition = element.definition
    if definition.kind == "terminate":
        run.terminate(step)
        return
    if definition.kind in ("compensate", "cancel"):
        throw_compensation(run, step, element)
        return
    payload = run.evaluate(definition.payload, step) if definition.payload else None
    if definition.kind == "error":
        run.throw_error(
            step,
            code=definition.error_code,
            name=definition.name,
            payload=payload,
            message=f"error end event '{element.label}'",
        )
        return
    if definition.kind == "escalation":
        run.throw_escalation(step, definition, payload)
        if step.is_open:
            run.complete(step)
        return
    throw_definitions(run, step, definition, payload)
    run.complete(step)


def throw_event(run: Run, step: Step, element: Event) -> None:
    """Throw an intermediate message, signal or escalation and pass the token on;
    a link jumps to the catching link of its name in the same scope."""
    definition = element.definition
    if definition.kind == "link":
        target = run.graph.links[element.scope][definition.name]
        run.new_step(target, step.scope_id, data={"link": element.id})
        run.complete(step)
        return
    if definition.kind == "compensate":
        throw_compensation(run, step, element)
        return
    payload = run.evaluate(definition.payload, step) if definition.payload else None
    if definition.kind == "escalation":
        run.throw_escalation(step, definition, payload)
        if step.is_open:
            run.leave(step, element)
        return
    throw_definitions(run, step, definition, payload)
    run.leave(step, element)


def throw_definitions(run: Run, step: Step, definition, payload: Any) -> None:
    """Hand the caller the message or signal a throw event throws (a multiple
    event: each of its definitions, in document order, with its own payload)."""
    for part in definition.parts or (definition,):
        if part is not definition:
            payload = run.evaluate(part.payload, step) if part.payload else None
        if part.kind == "message":
            key = message_key(run, part.name, payload)
            run.effects.append(SendMessage(part.name, payload, key, part.variable))
        elif part.kind == "signal":
            run.effects.append(ThrowSignal(part.name, payload, part.variable))


def catch_event(run: Run, step: Step, element: Event) -> None:
    """Wait at an intermediate catch event for its timer, message, signal or
    condition; a catching link passes the token on at once."""
    if element.definition.kind == "link":
        run.leave(step, element)
        return
    step.status = "waiting"
    arm_catch(run, step, element)


def boundary_event(run: Run, step: Step, element: Event) -> None:
    # Boundary steps are armed by their activity; an active one is a firing.
    """A boundary event that fired passes its token on."""
    run.leave(step, element)


def arm_catch(run: Run, step: Step, element: Element) -> list[int]:
    """Make a waiting step listen for its event (timer due time, message, signal,
    condition). A multiple event listens with one step per definition; returns the
    ids of the steps it added beside `step`."""
    definition = getattr(element, "definition", None)
    if definition is not None and definition.kind == "multiple":
        return _arm_multiple(run, step, element, definition)
    arm_definition(run, step, element, definition)
    return []


def _arm_multiple(run: Run, step: Step, element: Element, definition) -> list[int]:
    """One waiting step per definition of a multiple event: the first to fire
    cancels the others (they race), or, parallel-multiple, the last one passes."""
    index = step.data.get("part")
    added = []
    if index is None:
        index = 0
        key = "all" if definition.parallel else "race"
        group = step.data.get("race", step.id) if key == "race" else step.id
        step.data["part"] = 0
        step.data[key] = group
        kept = {k: step.data[k] for k in ("attached", "listener", "flow") if k in step.data}
        for part in range(1, len(definition.parts)):
            sibling = run.new_step(
                element.id,
                step.scope_id,
                status="waiting",
                data={**kept, "part": part, key: group},
            )
            arm_definition(run, sibling, element, definition.parts[part])
            added.append(sibling.id)
    arm_definition(run, step, element, definition.parts[index])
    return added


def arm_definition(run: Run, step: Step, element: Element, definition) -> None:
    """Make a waiting step listen for one event definition (None: a receive task)."""
    if definition is None:  # a receive task
        message = getattr(element, "message", "")
        if message:
            arm_message(run, step, message)
    elif definition.kind == "timer":
        arm_timer(run, step, definition)
    elif definition.kind == "message":
        arm_message(run, step, definition.name)
    elif definition.kind == "signal":
        step.data["signal"] = definition.name
    elif definition.kind == "conditional":
        # The condition's last value: it fires when it turns true (at rest).
        step.data["condition"] = False
    run.touch(step)


def arm_message(run: Run, step: Step, name: str) -> None:
    """Make a waiting step listen for message `name`, under its correlation key
    when the model keys the message (its properties read from the variables the
    step sees now; a key that cannot be read yet leaves the step unkeyed)."""
    step.data["message"] = name
    step.data.pop("correlation", None)
    codes = run.graph.correlations.get(name)
    if not codes:
        return
    try:
        values = [run.evaluate(code, step) for code in codes]
    except ExpressionError:
        return
    step.data["correlation"] = key_text(values)


def message_key(run: Run, name: str, payload: Any) -> str | None:
    """The correlation key of a message this process throws: its properties read
    from the payload (None: the model keys no such message, or the payload lacks it)."""
    codes = run.graph.correlations.get(name)
    if not codes:
        return None
    source = payload if isinstance(payload, dict) else {name: payload}
    try:
        values = [code.compiled.evaluate(source, run.functions) for code in codes]
    except ExpressionError:
        return None
    return key_text(values)


def key_text(values: list) -> str:
    """A correlation key as stored and compared: one value as its text, several as a JSON list."""
    if len(values) == 1:
        value = values[0]
        return value if isinstance(value, str) else json.dumps(value, default=str)
    return json.dumps(values, default=str)


def arm_timer(run: Run, step: Step, definition) -> None:
    """Set a waiting step's due time from its timer definition."""
    value = run.timer_value(definition, step)
    spec = parse_timer(definition.timer_kind, value)
    due = first_due(spec, run.now)
    step.due_at = due if due is not None else run.now
    step.data["timer"] = {"kind": definition.timer_kind, "value": timer_text(value), "fired": 0}


def arm_boundaries(run: Run, step: Step, element: Element) -> None:
    """Create the waiting boundary events of an activity that now waits."""
    if not element.boundaries or "mi_index" in step.data:
        return
    for old_id in step.data.get("boundaries", ()):
        # A retried activity arms its boundary events afresh.
        old = run.state.steps.get(old_id)
        if old is not None and old.is_open:
            run.close(old, "canceled")
    armed = []
    for boundary_id in element.boundaries:
        boundary = run.graph.elements[boundary_id]
        if boundary.definition.kind in ("error", "escalation", "compensate", "cancel"):  # type: ignore[attr-defined]
            continue  # looked up when thrown (compensation: recorded on completion)
        waiting = run.new_step(
            boundary_id, step.scope_id, status="waiting", data={"attached": step.id}
        )
        armed.append(waiting.id)
        armed.extend(arm_catch(run, waiting, boundary))
    if armed:
        step.data["boundaries"] = armed
        run.touch(step)


def store_payload(run: Run, step: Step, element: Element, payload: Any, variable: str) -> None:
    """Write an event's payload into the variables (named variable, dict merge or by name)."""
    if payload is None:
        return
    definition = getattr(element, "definition", None)
    name = (definition.variable if definition is not None else "") or variable
    if name:
        run.write_variables(step, {name: payload})
    elif isinstance(payload, dict):
        run.write_variables(step, payload)
    else:
        run.write_variables(step, {(definition.name if definition else "") or "payload": payload})


def trigger(run: Run, step: Step, *, payload: Any = None, variable: str = "") -> None:
    """A waiting step's event happened (message, signal, fired timer)."""
    element = run.graph.elements[step.element_id]
    if isinstance(payload, dict):
        payload = dict(payload)
        clean_variables(payload)
    if element.kind == "boundaryEvent":
        fire_boundary(run, step, element, payload, variable)
        return
    if "listener" in step.data:
        run.fire_listener(step, payload, variable)
        return
    group = step.data.get("all")
    if group is not None:
        # Parallel-multiple: every definition must fire; the last one passes on.
        store_payload(run, step, element, payload, variable)
        others = [
            s
            for s in run.children.get(step.scope_id, ())
            if s != step.id and run.state.steps[s].data.get("all") == group
        ]
        if others:
            step.due_at = None
            run.complete(step)
            return
        run.leave(step, element)
        return
    race = step.data.get("race")
    if race == "start" and step.scope_id is None:
        run.scope_started(None)  # the first event start began the instance
    if race is not None:
        for sibling_id in sorted(run.children.get(step.scope_id, ())):
            sibling = run.state.steps.get(sibling_id)
            if sibling is not None and sibling is not step and sibling.data.get("race") == race:
                run.cancel_step(sibling)
    store_payload(run, step, element, payload, variable)
    run.leave(step, element)


def fire_timer(run: Run, step: Step) -> None:
    """A waiting step's timer is due: count the firing and trigger the step."""
    timer = step.data.get("timer", {})
    timer["fired"] = timer.get("fired", 0) + 1
    run.touch(step)
    trigger(run, step)


def fire_boundary(run: Run, step: Step, element: Event, payload: Any, variable: str) -> None:
    """A boundary event fired: interrupt its activity, or (non-interrupting) start a new token."""
    attached = run.state.steps.get(step.data.get("attached"))
    if element.cancel_activity:
        if attached is not None:
            listed = attached.data.get("boundaries", [])
            if step.id in listed:
                listed.remove(step.id)
            for other_id in listed:
                other = run.state.steps.get(other_id)
                if other is not None:
                    run.close(other, "canceled")
            attached.data["boundaries"] = []
            run.cancel_step(attached)
        store_payload(run, step, element, payload, variable)
        run.leave(step, element)
        return
    # Non-interrupting: a new token leaves the boundary; the listener may stay.
    firing = run.new_step(element.id, step.scope_id, status="waiting", data={"from": step.id})
    store_payload(run, firing, element, payload, variable)
    run.leave(firing, element)
    if step.data.get("timer") is not None:
        rearm_timer(run, step)


def rearm_timer(run: Run, step: Step) -> None:
    """A non-interrupting timer fired and keeps listening: a cycle waits for its
    next due time; a spent cycle, a date or a duration completes."""
    timer = step.data["timer"]
    next_time = None
    if timer["kind"] == "timeCycle":
        spec = parse_timer("timeCycle", timer["value"])
        next_time = next_due(spec, step.due_at, timer["fired"])
    if next_time is None:
        step.due_at = None
        run.complete(step)
    else:
        step.due_at = next_time
        run.touch(step)
