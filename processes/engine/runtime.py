"""The executor: steps a process instance until every token waits or ends.

State is plain data (`InstanceState` with its open `Step`s and variables, all
JSON-serialisable) so the persistence layer can store it as rows and load it
back; the engine keeps nothing between calls. Every public method takes the
state, advances it, and returns a `RunResult` with the steps that finished,
the open steps that changed, and the effects that reach beyond the instance
(child instances, signals, messages, user-step notifications) for the caller
to route.

Element behaviour lives in one module per family: `events`, `gateways`,
`activities`, `subprocesses`, `multiinstance`, `eventsubprocesses`, `escalation`,
`conditions`, `compensation`, `loops`.
"""

from __future__ import annotations

import datetime as dt
from collections import ChainMap, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import (
    activities,
    compensation,
    conditions,
    escalation,
    events,
    eventsubprocesses,
    gateways,
    loops,
    multiinstance,
    subprocesses,
)
from .bpmn import timer_is_expression
from .effects import (
    CancelChild,
    Effect,
    ErrorThrown,
    EscalationThrown,
    InstanceFinished,
    SendMessage,
    StartChild,
    ThrowSignal,
    UserStepActivated,
    UserStepClosed,
)
from .errors import BpmnError, EngineError, FlowError, describe_error
from .graph import USER_TASK_KINDS, Element, Event, ProcessGraph, split_list
from .limits import MAX_STEPS_PER_RUN
from .state import OPEN, InstanceState, RunResult, Step
from .values import clean_variables, timer_text, to_json_value

# Names other modules (and older callers) import from here.
__all__ = [
    "OPEN",
    "BpmnError",
    "CancelChild",
    "Effect",
    "Engine",
    "EngineError",
    "ErrorThrown",
    "EscalationThrown",
    "FlowError",
    "InstanceFinished",
    "InstanceState",
    "Run",
    "RunResult",
    "SendMessage",
    "StartChild",
    "StartTrigger",
    "Step",
    "ThrowSignal",
    "UserStepActivated",
    "UserStepClosed",
    "clean_variables",
    "start_events",
    "to_json_value",
]


# The variable a "Perform task" step's result is written to (docs/bpmn-extensions.md).
TASK_RESULT_VARIABLE = "task_result"


def is_passive(data: dict) -> bool:
    """Whether a step with this data waits without keeping its scope open."""
    return "listener" in data or "compensation" in data


class _Index:
    """Open steps by scope, the passive ones among them, and waiting joins,
    maintained step by step."""

    __slots__ = ("children", "passive", "joins", "signature", "last_changed", "leftover_active")

    def __init__(self, state: InstanceState):
        self.children: dict[int | None, set[int]] = {}
        self.passive: dict[int | None, set[int]] = {}
        self.joins: dict[tuple[int | None, str], int] = {}
        self.last_changed: list[int] = []
        self.leftover_active = False
        for step in state.steps.values():
            step.dirty = False
            self.children.setdefault(step.scope_id, set()).add(step.id)
            if is_passive(step.data):
                self.passive.setdefault(step.scope_id, set()).add(step.id)
            if step.status == "active":
                self.leftover_active = True
            elif step.status == "waiting" and "arrived" in step.data:
                self.joins[(step.scope_id, step.element_id)] = step.id
        self.signature = (state.next_step_id, len(state.steps))


# -- start triggers, for persistence to register ------------------------------


@dataclass(frozen=True, slots=True)
class StartTrigger:
    """How a process can start: kind is none | timer | message | signal | record."""

    element_id: str
    kind: str
    timer_kind: str = ""
    timer_value: str = ""
    message: str = ""
    signal: str = ""
    trigger: str = ""
    model: str = ""
    filter: str = ""


def start_events(graph: ProcessGraph) -> list[StartTrigger]:
    """Describe each top-level start event of a process."""
    found = []
    for element_id in graph.start_events:
        element = graph.elements[element_id]
        assert isinstance(element, Event)
        # A multiple start event starts the process on any of its definitions.
        for definition in element.definition.parts or (element.definition,):
            found.append(_start_trigger(element, definition))
    return found


def _start_trigger(element: Event, definition) -> StartTrigger:
    """How one definition of a start event starts its process."""
    element_id = element.id
    trigger = StartTrigger(element_id=element_id, kind=definition.kind)
    if definition.kind == "timer" and definition.timer is not None:
        value = definition.timer.source
        if definition.timer.language != "literal":
            try:
                value = timer_text(definition.timer.compiled.evaluate({}, None))
            except Exception:  # a timer that needs variables cannot start a process alone
                value = ""
        trigger = StartTrigger(
            element_id=element_id,
            kind="timer",
            timer_kind=definition.timer_kind,
            timer_value=value,
        )
    elif definition.kind == "message":
        trigger = StartTrigger(element_id=element_id, kind="message", message=definition.name)
    elif definition.kind == "signal":
        trigger = StartTrigger(element_id=element_id, kind="signal", signal=definition.name)
    elif definition.kind == "record":
        trigger = StartTrigger(
            element_id=element_id,
            kind="record",
            trigger=definition.trigger,
            model=element.ext.get("model", ""),
            filter=element.ext.get("filter", ""),
        )
    return trigger


# -- the engine ------------------------------------------------------------------


class Engine:
    """Runs BPMN process instances held in `InstanceState`s."""

    def __init__(
        self,
        resolve_graph: Callable[[str], ProcessGraph],
        *,
        clock: Callable[[], dt.datetime],
        actions: Mapping[str, Callable] | None = None,
        functions: Mapping[str, Callable] | None = None,
        decisions: Callable[[str, Mapping[str, Any]], Any] | None = None,
        max_steps_per_run: int = MAX_STEPS_PER_RUN,
    ):
        self.resolve_graph = resolve_graph
        self.clock = clock
        self.actions = actions
        self.functions = dict(functions or {})
        # Business-rule tasks call decisions here: (decision id, variables) -> value.
        self.decisions = decisions
        self.max_steps_per_run = max_steps_per_run

    # public API ------------------------------------------------------------

    def start(
        self,
        process_id: str,
        variables: dict | None = None,
        *,
        start_event_id: str | None = None,
    ) -> RunResult:
        """Create an instance and run it until every token waits or ends.

        Without `start_event_id` the process starts at its none start events (at its
        record-trigger starts when it has no none start); a process with only event
        starts (message, signal, timer) waits at all of them and the first to fire wins.
        """
        graph = self.resolve_graph(process_id)
        now = self.clock()
        initial = dict(variables or {})
        clean_variables(initial)
        state = InstanceState(
            process_id=process_id,
            status="running",
            variables=initial,
            steps={},
            next_step_id=1,
            started_at=now,
        )
        run = Run(self, state, now)
        starts = graph.start_events
        if start_event_id is not None:
            if start_event_id not in starts:
                raise EngineError(f"'{start_event_id}' is not a start event of {process_id}")
            run.new_step(start_event_id, None)
            eventsubprocesses.arm_listeners(run, None)
        else:
            kinds = {s: graph.elements[s].definition.kind for s in starts}  # type: ignore[attr-defined]
            # Started by hand: the none start events; a process whose only starts
            # are record triggers starts at those (nothing else can start it).
            plain = [s for s in starts if kinds[s] == "none"] or [
                s for s in starts if kinds[s] == "record"
            ]
            if plain:
                for element_id in plain:
                    run.new_step(element_id, None)
                eventsubprocesses.arm_listeners(run, None)
            else:
                for element_id in starts:
                    step = run.new_step(element_id, None, status="waiting", data={"race": "start"})
                    events.arm_catch(run, step, graph.elements[element_id])
        return run.finish()

    def run(self, state: InstanceState) -> RunResult:
        """Run every active step; a second call finds nothing to do."""
        run = Run(self, state, self.clock())
        return run.finish()

    def complete_step(
        self,
        state: InstanceState,
        step_id: int,
        *,
        variables: dict | None = None,
        result: str = "",
    ) -> RunResult:
        """Complete a waiting user step (user, manual or plain task, receive task)."""
        run = Run(self, state, self.clock())
        step = state.steps.get(step_id)
        if step is None or step.status != "waiting":
            raise EngineError(f"Step {step_id} is not a waiting step of this instance.")
        element = run.graph.elements[step.element_id]
        if element.kind not in USER_TASK_KINDS or "mi" in step.data:
            raise EngineError(
                f"Step {step_id} ({element.label}) is a {element.kind}, not a user step."
            )
        allowed = element.ext.get("results", "")
        if result and allowed:
            choices = split_list(allowed)
            if result not in choices:
                raise EngineError(
                    f"'{result}' is not a result of {element.label}; "
                    f"choose one of: {', '.join(choices)}."
                )
        if variables:
            values = dict(variables)
            clean_variables(values)
            run.write_variables(step, values)
        if result and element.ext.get("page", "task") == "task":
            # A "Perform task" result is a variable the gateways after it read.
            run.write_variables(step, {TASK_RESULT_VARIABLE: result})
        step.result = result
        run.leave(step, element)
        return run.finish()

    def complete_external_task(
        self,
        state: InstanceState,
        step_id: int,
        *,
        topic: str = "",
        variables: dict | None = None,
    ) -> RunResult:
        """Complete a step waiting for an external worker (camunda:type="external",
        zeebe:taskDefinition); `topic`, when given, must be the step's topic."""
        run = Run(self, state, self.clock())
        step = state.steps.get(step_id)
        if step is None or step.status != "waiting" or "topic" not in step.data:
            raise EngineError(f"Step {step_id} is not waiting for an external worker.")
        if topic and step.data["topic"] != topic:
            raise EngineError(
                f"Step {step_id} waits on topic {step.data['topic']!r}, not {topic!r}."
            )
        element = run.graph.elements[step.element_id]
        if variables:
            values = dict(variables)
            clean_variables(values)
            run.write_variables(step, values)
        run.leave(step, element)
        return run.finish()

    def fail_external_task(self, state: InstanceState, step_id: int, message: str) -> RunResult:
        """An external worker gave up on its step (no retries left): the step, and so
        the instance, is in error with the worker's message until it is retried."""
        run = Run(self, state, self.clock())
        step = self._external_step(state, step_id)
        run.fail(step, message)
        return run.finish()

    def throw_external_error(
        self,
        state: InstanceState,
        step_id: int,
        *,
        code: str,
        message: str = "",
        variables: dict | None = None,
    ) -> RunResult:
        """An external worker reported a BPMN error: its variables are written, then the
        error is thrown from the step, where its own error boundary events catch it first."""
        run = Run(self, state, self.clock())
        step = self._external_step(state, step_id)
        if variables:
            values = dict(variables)
            clean_variables(values)
            run.write_variables(step, values)
        run.throw_error(
            step,
            code=code,
            name="",
            payload=None,
            message=message or f"the external worker reported error {code}",
            include_self=True,
        )
        return run.finish()

    @staticmethod
    def _external_step(state: InstanceState, step_id: int) -> Step:
        step = state.steps.get(step_id)
        if step is None or step.status != "waiting" or "topic" not in step.data:
            raise EngineError(f"Step {step_id} is not waiting for an external worker.")
        return step

    def deliver_message(
        self,
        state: InstanceState,
        name: str,
        payload: Any = None,
        *,
        correlation_key: str | None = None,
        variable: str = "",
    ) -> RunResult:
        """Deliver a message to every step of this instance waiting for it; with a
        correlation key, only to the steps waiting under that key (the caller chose
        this instance, by business key or variables, when it gives no key)."""
        run = Run(self, state, self.clock())
        waiting = [
            s
            for s in list(state.steps.values())
            if s.status == "waiting"
            and s.data.get("message") == name
            and (correlation_key is None or s.data.get("correlation") == correlation_key)
        ]
        for step in sorted(waiting, key=lambda s: s.id):
            if step.status == "waiting":
                run.matched += 1
                events.trigger(run, step, payload=payload, variable=variable)
        return run.finish()

    def broadcast_signal(
        self, state: InstanceState, name: str, payload: Any = None, *, variable: str = ""
    ) -> RunResult:
        """Deliver a signal to every step of this instance waiting for it."""
        run = Run(self, state, self.clock())
        waiting = [
            s
            for s in list(state.steps.values())
            if s.status == "waiting" and s.data.get("signal") == name
        ]
        for step in sorted(waiting, key=lambda s: s.id):
            if step.status == "waiting":
                run.matched += 1
                events.trigger(run, step, payload=payload, variable=variable)
        return run.finish()

    def set_variables(self, state: InstanceState, variables: dict) -> RunResult:
        """Set instance variables from outside (an operator, an API call) and run:
        conditional events whose condition turned true fire."""
        run = Run(self, state, self.clock())
        values = dict(variables)
        clean_variables(values)
        state.variables.update(values)
        return run.finish()

    def fire_due_timers(self, state: InstanceState, now: dt.datetime) -> RunResult:
        """Fire every waiting timer whose due_at is at or before `now`."""
        run = Run(self, state, now)
        fired = 0
        while True:
            # One timer at a time, the earliest first, and its consequences run before
            # the next is chosen: a cycle re-armed inside a long gap, or a timer a
            # firing armed, takes its place among the others by due time.
            due = [
                s
                for s in state.steps.values()
                if s.status == "waiting" and s.due_at is not None and s.due_at <= now
            ]
            if not due:
                break
            step = min(due, key=lambda s: (s.due_at, s.id))
            fired += 1
            if fired > self.max_steps_per_run:
                run.fail(step, "too many timer firings in one run")
                return run.finish()
            run.matched += 1
            events.fire_timer(run, step)
            run.drain()
        return run.finish()

    def child_finished(
        self,
        state: InstanceState,
        step_id: int,
        *,
        variables: dict,
        error: str | None = None,
        error_code: str | None = None,
    ) -> RunResult:
        """The child instance of a call activity ended: map its variables back and
        continue, or throw its error at the call activity."""
        run = Run(self, state, self.clock())
        step = state.steps.get(step_id)
        if step is None or step.status != "waiting":
            raise EngineError(f"Step {step_id} is not a waiting call activity of this instance.")
        element = run.graph.elements[step.element_id]
        if element.kind != "callActivity" or "mi" in step.data:
            raise EngineError(f"Step {step_id} ({element.label}) is not a call activity.")
        if error is not None or error_code is not None:
            run.throw_error(
                step,
                code=error_code or "",
                name="",
                payload=None,
                message=error or f"the called process threw error {error_code}",
                include_self=True,
            )
        else:
            activities.finish_call(run, step, element, dict(variables))
        return run.finish()

    def escalation_from_child(
        self,
        state: InstanceState,
        step_id: int,
        *,
        code: str,
        payload: Any = None,
        variables: dict | None = None,
    ) -> RunResult:
        """The child instance of a waiting call activity threw an escalation nobody in
        it caught: throw it at the call activity (its boundary events first, then
        outward). Uncaught here too, it goes on up (EscalationThrown) and nothing stops.
        `variables` (the child's) pass back through the call's out-mappings when its
        own boundary event catches it."""
        run = Run(self, state, self.clock())
        step = state.steps.get(step_id)
        if step is None or step.status != "waiting":
            raise EngineError(f"Step {step_id} is not a waiting call activity of this instance.")
        element = run.graph.elements[step.element_id]
        if element.kind != "callActivity" or "mi" in step.data:
            raise EngineError(f"Step {step_id} ({element.label}) is not a call activity.")
        run.matched += 1
        escalation.escalate_from_call(run, step, code, payload, variables)
        return run.finish()

    def cancel(self, state: InstanceState) -> RunResult:
        """Cancel the instance and every open step."""
        run = Run(self, state, self.clock())
        for step in sorted(state.steps.values(), key=lambda s: s.id):
            if step.is_open:
                run.cancel_step(step)
        if state.status in ("running", "error"):
            state.status = "canceled"
            state.completed_at = run.now
            run.effects.append(InstanceFinished("canceled", state.variables))
        return run.finish(drain=False)

    def retry_step(self, state: InstanceState, step_id: int) -> RunResult:
        """Run a step in error again (after its cause was fixed)."""
        run = Run(self, state, self.clock())
        step = state.steps.get(step_id)
        if step is None or step.status != "error":
            raise EngineError(f"Step {step_id} is not in error.")
        step.status = "active"
        step.error = ""
        run.touch(step)
        if not any(s.status == "error" for s in state.steps.values()):
            state.status = "running"
        run.queue.append(step.id)
        return run.finish()

    # helpers for callers -------------------------------------------------------

    def step_variables(self, state: InstanceState, step_id: int) -> dict:
        """The variables a step sees (its scopes' locals over the instance's)."""
        run = Run(self, state, self.clock(), build_index=False)
        return dict(run.read_variables(state.steps[step_id]))


class Run:
    """One engine call: the working context handlers act through."""

    def __init__(
        self, engine: Engine, state: InstanceState, now: dt.datetime, *, build_index: bool = True
    ):
        self.engine = engine
        self.state = state
        self.graph = engine.resolve_graph(state.process_id)
        self.now = now
        self.functions = engine.functions
        self.finished: list[Step] = []
        self.changed: dict[int, Step] = {}
        self.effects: list = []
        self.matched = 0
        self.queue: deque[int] = deque()
        self.steps_run = 0
        self.halted = False
        self.scope_checks: set[int | None] = set()
        self.children: dict[int | None, set[int]] = {}
        self.passive: dict[int | None, set[int]] = {}
        self.joins: dict[tuple[int | None, str], int] = {}
        self.index: _Index | None = None
        if build_index:
            index = state.runtime_cache
            if index is None or index.signature != (state.next_step_id, len(state.steps)):
                index = _Index(state)
                state.runtime_cache = index
            else:
                for step_id in index.last_changed:
                    step = state.steps.get(step_id)
                    if step is not None:
                        step.dirty = False
            if index.leftover_active:
                self.queue.extend(
                    sorted(s.id for s in state.steps.values() if s.status == "active")
                )
            self.index = index
            self.children = index.children
            self.passive = index.passive
            self.joins = index.joins

    # step bookkeeping --------------------------------------------------------

    def new_step(
        self,
        element_id: str,
        scope_id: int | None,
        *,
        status: str = "active",
        data: dict | None = None,
    ) -> Step:
        """Create a step (a token) at an element; an active one is queued to run."""
        state = self.state
        step = Step(
            id=state.next_step_id,
            element_id=element_id,
            scope_id=scope_id,
            status=status,
            started_at=self.now,
            data=data if data is not None else {},
        )
        state.next_step_id += 1
        state.steps[step.id] = step
        self.children.setdefault(scope_id, set()).add(step.id)
        if data and is_passive(data):
            self.passive.setdefault(scope_id, set()).add(step.id)
        self.changed[step.id] = step
        if status == "active":
            self.queue.append(step.id)
        return step

    def touch(self, step: Step) -> None:
        """Mark a step changed so the caller stores it."""
        step.dirty = True
        if step.is_open:
            self.changed[step.id] = step

    def close(self, step: Step, status: str) -> None:
        """Move an open step to completed or canceled and out of the open set."""
        was_user_wait = step.status == "waiting" and self._is_user_step(step)
        step.status = status
        step.completed_at = self.now
        step.dirty = True
        self.state.steps.pop(step.id, None)
        self.changed.pop(step.id, None)
        self.passive.get(step.scope_id, set()).discard(step.id)
        siblings = self.children.get(step.scope_id)
        if siblings is not None:
            siblings.discard(step.id)
            if not siblings or self.only_passive(step.scope_id):
                self.scope_checks.add(step.scope_id)
        if "arrived" in step.data:
            key = (step.scope_id, step.element_id)
            if self.joins.get(key) == step.id:
                del self.joins[key]
        for boundary_id in step.data.get("boundaries", ()):
            boundary = self.state.steps.get(boundary_id)
            if boundary is not None and boundary.is_open:
                self.close(boundary, "canceled")
        self.finished.append(step)
        if was_user_wait:
            self.effects.append(UserStepClosed(step, status))

    def only_passive(self, scope_id: int | None) -> bool:
        """Whether every open step left in a scope is passive (see `is_passive`)."""
        passive = self.passive.get(scope_id)
        return bool(passive) and len(passive) == len(self.children.get(scope_id, ()))

    def move_step(self, step: Step, scope_id: int | None) -> None:
        """Move an open step into another scope (an event sub-process's start, a
        compensation record of a sub-process that completed)."""
        for table in (self.children, self.passive):
            table.get(step.scope_id, set()).discard(step.id)
        step.scope_id = scope_id
        self.children.setdefault(scope_id, set()).add(step.id)
        if is_passive(step.data):
            self.passive.setdefault(scope_id, set()).add(step.id)
        self.touch(step)

    def _is_user_step(self, step: Step) -> bool:
        element = self.graph.elements.get(step.element_id)
        return element is not None and element.kind in USER_TASK_KINDS and "mi" not in step.data

    def complete(self, step: Step) -> None:
        """Close a step as completed."""
        self.close(step, "completed")

    def cancel_step(self, step: Step) -> None:
        """Cancel a step and everything inside it (sub-process scope, child instance)."""
        if not step.is_open:
            return
        inner = self.children.get(step.id)
        if inner:
            for child_id in sorted(inner):
                child = self.state.steps.get(child_id)
                if child is not None:
                    self.cancel_step(child)
        element = self.graph.elements.get(step.element_id)
        if (
            element is not None
            and element.kind == "callActivity"
            and step.status == "waiting"
            and "mi" not in step.data
        ):
            self.effects.append(CancelChild(step.id))
        self.close(step, "canceled")
        self.scope_checks.discard(step.id)

    def fail(self, step: Step, message: str) -> None:
        """Put a step, and so the instance, in error with a message for people."""
        step.status = "error"
        step.error = message
        self.touch(step)
        self.state.status = "error"

    # variables ------------------------------------------------------------------

    def scope_chain(self, step: Step) -> list[tuple[dict, Step]]:
        """The local variables of a step's enclosing scopes, innermost first, with their owners."""
        chain = []
        steps = self.state.steps
        current: Step | None = step
        while current is not None:
            local = current.data.get("vars")
            if local is not None:
                chain.append((local, current))
            current = steps.get(current.scope_id) if current.scope_id is not None else None
        return chain

    def read_variables(self, step: Step) -> Mapping:
        """The variables a step sees: its scopes' locals over the instance's."""
        chain = self.scope_chain(step)
        if not chain:
            return self.state.variables
        return ChainMap(*(local for local, _ in chain), self.state.variables)

    def write_variables(self, step: Step, values: Mapping) -> None:
        """Write into the innermost scope the step sees (the instance at top level)."""
        chain = self.scope_chain(step)
        if not chain:
            self.state.variables.update(values)
            return
        local, owner = chain[0]
        local.update(values)
        self.touch(owner)

    def delete_variables(self, step: Step, names) -> None:
        """Remove variables from every scope the step sees."""
        chain = self.scope_chain(step)
        for name in names:
            for local, owner in chain:
                if name in local:
                    del local[name]
                    self.touch(owner)
            self.state.variables.pop(name, None)

    def evaluate(self, code, step: Step) -> Any:
        """Evaluate compiled code with the variables the step sees (a JUEL
        `execution.setVariable` writes into the innermost scope the step sees)."""
        value = code.compiled.evaluate(self.read_variables(step), self.functions)
        if getattr(code.compiled, "writes_variables", False):
            chain = self.scope_chain(step)
            if chain:
                clean_variables(chain[0][0])
                self.touch(chain[0][1])
            else:
                clean_variables(self.state.variables)
        return value

    def run_script(self, code, step: Step) -> None:
        """Run a script with the variables the step sees, writing back what it changed."""
        chain = self.scope_chain(step)
        if not chain:
            code.compiled.run(self.state.variables, self.functions)
            clean_variables(self.state.variables)
            return
        merged = dict(ChainMap(*(local for local, _ in chain), self.state.variables))
        before = dict(merged)
        code.compiled.run(merged, self.functions)
        clean_variables(merged)
        changed = {k: v for k, v in merged.items() if k not in before or before[k] is not v}
        if changed:
            self.write_variables(step, changed)
        removed = [k for k in before if k not in merged]
        if removed:
            self.delete_variables(step, removed)

    def io_value(self, code, step: Step) -> Any:
        if code.language == "literal":
            return code.source
        return to_json_value(self.evaluate(code, step))

    def map_inputs(self, step: Step, element: Element) -> None:
        """Zeebe input mappings: the step's own local variables, in the model's order
        (a later input sees the earlier ones). With mappings, what the step sets
        stays local to it until its outputs pass it out."""
        local = step.data.setdefault("vars", {})
        for target, code in element.io_inputs:
            _set_path(local, target, self.io_value(code, step))
        self.touch(step)

    def map_outputs(self, step: Step, element: Element) -> None:
        """Zeebe output mappings, written outside the step as it completes (a dotted
        target into the variable it names). A step with inputs and no outputs passes
        out what it set besides its inputs (Zeebe merges a job's variables into the
        process when no output mapping is given)."""
        if element.io_outputs:
            values = [(t, self.io_value(code, step)) for t, code in element.io_outputs]
        elif "mi_index" in step.data:
            return
        else:
            inputs = {target.split(".")[0] for target, _code in element.io_inputs}
            local = step.data.get("vars", {})
            values = [(k, v) for k, v in local.items() if k not in inputs]
        outer = [(local, owner) for local, owner in self.scope_chain(step) if owner is not step]
        into = outer[0][0] if outer else self.state.variables
        for target, value in values:
            _set_path(into, target, value)
        if outer:
            self.touch(outer[0][1])

    def timer_value(self, definition, step: Step) -> Any:
        """A timer definition's value: its literal text or its expression's value."""
        code = definition.timer
        if code.language == "literal" or not timer_is_expression(code.source):
            return code.source
        return self.evaluate(code, step)

    # moving tokens --------------------------------------------------------------

    def leave(self, step: Step, element: Element) -> None:
        """Complete a step and send tokens along its outgoing flows."""
        post_script = getattr(element, "post_script", None)
        if post_script is not None and not step.data.get("loop_skipped"):
            # SpiffArena's postScript: runs as the task completes, before its flows.
            self.run_script(post_script, step)
        if element.io_inputs or element.io_outputs:
            self.map_outputs(step, element)
        if element.listeners:
            activities.run_listeners(self, step, element, "end")
        if "mi_index" in step.data:
            self.complete(step)
            body = self.state.steps.get(step.scope_id)
            try:
                multiinstance.instance_done(self, step, element)
            except Exception as exc:
                if body is not None and body.is_open:
                    self.fail(body, describe_error(exc))
            return
        if element.standard_loop is not None and loops.again(self, step, element):
            return
        flows = self.select_outgoing(step, element)
        for flow in flows:
            self.new_step(flow.target, step.scope_id, data={"flow": flow.id})
        self.complete(step)
        if element.id in self.graph.compensation:
            compensation.record(self, step, element)
        if "compensation_of" in step.data:
            compensation.handler_done(self, step)

    def select_outgoing(self, step: Step, element: Element):
        """Every flow whose condition holds (unconditioned ones included), else the
        default; FlowError when neither exists. Inclusive splits use it as it is."""
        if not element.outgoing:
            return []
        all_flows = self.graph.flows
        taken = []
        default = None
        for flow_id in element.outgoing:
            flow = all_flows[flow_id]
            if flow.is_default:
                default = flow
            elif flow.condition is None or self.evaluate(flow.condition, step):
                taken.append(flow)
        if not taken:
            if default is None:
                raise FlowError("no outgoing flow condition is true and there is no default flow")
            taken.append(default)
        return taken

    def take(self, step: Step, flows) -> None:
        """Send tokens along the given flows."""
        for flow in flows:
            self.new_step(flow.target, step.scope_id, data={"flow": flow.id})

    def throw_error(
        self,
        step: Step,
        *,
        code: str,
        name: str,
        payload: Any,
        message: str,
        include_self: bool = False,
    ) -> None:
        """Throw a BPMN error from a step (see `subprocesses.throw_error`)."""
        subprocesses.throw_error(
            self,
            step,
            code=code,
            name=name,
            payload=payload,
            message=message,
            include_self=include_self,
        )

    def throw_escalation(self, step: Step, definition, payload: Any) -> None:
        """Throw an escalation from a step (see `escalation.throw_escalation`)."""
        escalation.throw_escalation(self, step, definition, payload)

    def fire_listener(self, step: Step, payload: Any, variable: str) -> None:
        """An event sub-process's start fired (see `eventsubprocesses.fire_listener`)."""
        eventsubprocesses.fire_listener(self, step, payload, variable)

    def scope_started(self, scope_id: int | None) -> None:
        """A scope began: its event sub-processes start listening."""
        eventsubprocesses.arm_listeners(self, scope_id)

    def terminate(self, step: Step) -> None:
        """End the scope of a terminate end event (see `subprocesses.terminate`)."""
        subprocesses.terminate(self, step)

    # the loop ---------------------------------------------------------------------

    def execute(self, step: Step) -> None:
        """Run one active step through its element's handler."""
        element = self.graph.elements[step.element_id]
        if element.loop is not None and "mi_index" not in step.data:
            if "mi" in step.data:
                multiinstance.resume(self, step, element)
            else:
                multiinstance.enter(self, step, element)
            return
        if (
            element.standard_loop is not None
            and "loop_count" not in step.data
            and loops.skip_first(self, step, element)
        ):
            step.data["loop_skipped"] = True
            self.leave(step, element)
            return
        if element.io_inputs or element.io_outputs:
            self.map_inputs(step, element)
        if element.listeners:
            activities.run_listeners(self, step, element, "start")
        pre_script = getattr(element, "pre_script", None)
        if pre_script is not None:
            # SpiffArena's preScript: runs before the task starts.
            self.run_script(pre_script, step)
        handler = HANDLERS[element.kind]
        handler(self, step, element)

    def drain(self) -> None:
        """Run queued steps until every token waits or ends (or the step limit is hit)."""
        if self.halted:
            return
        limit = self.engine.max_steps_per_run
        steps = self.state.steps
        while True:
            queue = self.queue
            while queue:
                step = steps.get(queue.popleft())
                if step is None or step.status != "active":
                    continue
                self.steps_run += 1
                if self.steps_run > limit:
                    self.fail(
                        step,
                        f"More than {limit} steps ran in one go; "
                        "the process may loop without waiting anywhere.",
                    )
                    self.halted = True
                    return
                try:
                    self.execute(step)
                except FlowError as exc:
                    self.fail(step, f"{self.graph.elements[step.element_id].label}: {exc}")
                except BpmnError as exc:
                    self.throw_error(
                        step,
                        code=exc.code,
                        name="",
                        payload=exc.payload,
                        message=str(exc),
                        include_self=True,
                    )
                except Exception as exc:  # never crash: the step goes to error, others continue
                    self.fail(step, describe_error(exc))
            if not self._settle():
                return

    def _settle(self) -> bool:
        """At rest: release joins nothing can reach any more, close empty scopes.
        Returns True when that made new work."""
        progressed = gateways.release_joins(self)
        if self.graph.has_conditions and conditions.evaluate_waiting(self):
            progressed = True
        if self.state.status == "error" and not any(
            s.status == "error" for s in self.state.steps.values()
        ):
            # The steps in error were canceled (terminate, interrupting event).
            self.state.status = "running"
            self.scope_checks.add(None)
        checks, self.scope_checks = self.scope_checks, set()
        for scope_id in sorted(checks, key=lambda s: -1 if s is None else s, reverse=True):
            if self.children.get(scope_id):
                if not self.only_passive(scope_id):
                    continue
                # The scope's work is done: its listeners stop, its compensation
                # records move out with it (or end with the instance).
                eventsubprocesses.withdraw_listeners(self, scope_id)
                compensation.scope_done(self, scope_id)
            if scope_id is None:
                if self.state.status == "running" and not self.state.steps:
                    self.state.status = "completed"
                    self.state.completed_at = self.now
                    self.effects.append(InstanceFinished("completed", self.state.variables))
                continue
            scope_step = self.state.steps.get(scope_id)
            if scope_step is not None and scope_step.status == "waiting":
                try:
                    subprocesses.scope_finished(self, scope_step)
                except Exception as exc:
                    self.fail(scope_step, describe_error(exc))
                progressed = True
        return progressed or bool(self.queue)

    def finish(self, *, drain: bool = True) -> RunResult:
        """Drain, then the RunResult of this call."""
        if drain:
            self.drain()
        changed = [s for s in self.changed.values() if s.is_open]
        for step in changed:
            step.dirty = True
        if self.index is not None:
            self.index.signature = (self.state.next_step_id, len(self.state.steps))
            self.index.last_changed = [s.id for s in changed]
            self.index.leftover_active = bool(self.queue) or self.halted
        return RunResult(
            state=self.state,
            finished_steps=self.finished,
            changed_steps=changed,
            effects=self.effects,
            matched=self.matched,
        )


HANDLERS: dict[str, Callable[[Run, Step, Element], None]] = {
    "startEvent": events.start_event,
    "endEvent": events.end_event,
    "intermediateCatchEvent": events.catch_event,
    "intermediateThrowEvent": events.throw_event,
    "boundaryEvent": events.boundary_event,
    "exclusiveGateway": gateways.exclusive_gateway,
    "parallelGateway": gateways.parallel_gateway,
    "inclusiveGateway": gateways.inclusive_gateway,
    "eventBasedGateway": gateways.event_based_gateway,
    "userTask": activities.user_task,
    "manualTask": activities.user_task,
    "task": activities.user_task,
    "receiveTask": activities.user_task,
    "scriptTask": activities.script_task,
    "serviceTask": activities.service_task,
    "businessRuleTask": activities.service_task,
    "sendTask": activities.send_task,
    "callActivity": activities.call_activity,
    "subProcess": subprocesses.sub_process,
    "transaction": subprocesses.sub_process,
}


def _set_path(target: dict, path: str, value: Any) -> None:
    """Set `a.b.c` in a dict of dicts, making the inner dicts it needs."""
    *parents, last = path.split(".")
    for part in parents:
        inner = target.get(part)
        if not isinstance(inner, dict):
            inner = target[part] = {}
        target = inner
    target[last] = value
