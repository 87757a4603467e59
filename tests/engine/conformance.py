"""An in-memory driver for the engine and the conformance scenario table.

`World` plays the persistence layer: it deploys a group of BPMN files, keeps
instances as JSON (each state is saved and loaded again after every engine
call, so only open steps and variables survive, as in the database), routes
effects between instances (call activities, signals, messages, message start
events), runs timer start events from a registry, and moves an injectable
clock.

`SCENARIOS` holds one entry per row of ../shared/bpmn/INDEX.tsv: the files
to deploy, how to start, and the steps with what must hold after each, as
the row's `expected_outcome_from_source_test` says. Importing this module
reads no file: ../shared/bpmn is optional, and the tests that run these
scenarios skip without it (tests/support/paths.py). The project's own models
(tests/engine/models/, tests/engine/own_models.py) use the same `Scenario`
with their own `directory`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from defusedxml import ElementTree as SafeElementTree

from processes.engine import runtime as rt
from processes.engine.bpmn import list_process_ids, parse_bpmn
from processes.engine.graph import USER_TASK_KINDS
from processes.engine.timers import first_due, next_due, parse_timer
from tests.support.paths import BPMN_CORPUS

BPMN_DIR = BPMN_CORPUS
T0 = dt.datetime(2030, 1, 7, 9, 0, 0, tzinfo=dt.UTC)


# ---------------------------------------------------------------------------
# Saving and loading state as JSON, the way the persistence layer will.


def _dt_out(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt_in(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value is not None else None


def save_state(state: rt.InstanceState) -> str:
    return json.dumps(
        {
            "process_id": state.process_id,
            "status": state.status,
            "variables": state.variables,
            "next_step_id": state.next_step_id,
            "started_at": _dt_out(state.started_at),
            "completed_at": _dt_out(state.completed_at),
            "steps": [
                {
                    "id": s.id,
                    "element_id": s.element_id,
                    "scope_id": s.scope_id,
                    "status": s.status,
                    "started_at": _dt_out(s.started_at),
                    "completed_at": _dt_out(s.completed_at),
                    "due_at": _dt_out(s.due_at),
                    "result": s.result,
                    "error": s.error,
                    "data": s.data,
                }
                for s in state.steps.values()
                if s.status in ("active", "waiting", "error")
            ],
        },
        sort_keys=True,
    )


def load_state(text: str) -> rt.InstanceState:
    raw = json.loads(text)
    steps = {}
    for s in raw["steps"]:
        steps[s["id"]] = rt.Step(
            id=s["id"],
            element_id=s["element_id"],
            scope_id=s["scope_id"],
            status=s["status"],
            started_at=_dt_in(s["started_at"]),
            completed_at=_dt_in(s["completed_at"]),
            due_at=_dt_in(s["due_at"]),
            result=s["result"],
            error=s["error"],
            data=s["data"],
            dirty=False,
        )
    return rt.InstanceState(
        process_id=raw["process_id"],
        status=raw["status"],
        variables=raw["variables"],
        steps=steps,
        next_step_id=raw["next_step_id"],
        started_at=_dt_in(raw["started_at"]),
        completed_at=_dt_in(raw["completed_at"]),
    )


# ---------------------------------------------------------------------------
# The world of instances


@dataclass
class Instance:
    id: int
    process_id: str
    saved: str
    parent: tuple[int, int] | None = None  # (instance id, call activity step id)
    log: list[rt.Step] = field(default_factory=list)

    @property
    def state(self) -> rt.InstanceState:
        return load_state(self.saved)

    @property
    def status(self) -> str:
        return json.loads(self.saved)["status"]

    @property
    def variables(self) -> dict:
        return json.loads(self.saved)["variables"]


class Clock:
    def __init__(self, now: dt.datetime = T0):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class World:
    """Deploys a group of files and runs their instances in memory."""

    def __init__(
        self,
        files,
        *,
        directory: Path = BPMN_DIR,
        transform=None,
        functions=None,
        actions=None,
        max_steps_per_run=10_000,
    ):
        self.clock = Clock()
        self.graphs = {}
        self.collaborations: dict[str, tuple[str, ...]] = {}
        sources = {}
        for name in files:
            data = (directory / name).read_text(encoding="utf-8")
            if transform is not None:
                data = transform(name, data)
            sources[name] = data
        known = set()
        for data in sources.values():
            known.update(list_process_ids(data))
        for data in sources.values():
            document = parse_bpmn(data, known_processes=known)
            for graph in document.processes:
                self.graphs[graph.id] = graph
            self.collaborations.update(document.collaborations)
        self.engine = rt.Engine(
            self.graphs.__getitem__,
            clock=self.clock,
            functions=functions,
            actions=actions,
            max_steps_per_run=max_steps_per_run,
        )
        self.instances: dict[int, Instance] = {}
        self.main: Instance | None = None
        self.errors: list[str] = []
        # (due, process id, start event id, timer kind, timer value, fired count)
        self.timer_starts: list[list] = []
        for graph in self.graphs.values():
            for trigger in rt.start_events(graph):
                if trigger.kind == "timer" and trigger.timer_value:
                    spec = parse_timer(trigger.timer_kind, trigger.timer_value)
                    due = first_due(spec, self.clock.now)
                    if due is not None:
                        self.timer_starts.append(
                            [
                                due,
                                graph.id,
                                trigger.element_id,
                                trigger.timer_kind,
                                trigger.timer_value,
                                0,
                            ]
                        )

    # -- starting --------------------------------------------------------------

    def start(self, process_id: str, variables: dict | None = None) -> Instance:
        """Start a process, or every pool of a collaboration with a plain start event."""
        if process_id in self.collaborations:
            first = None
            for pool in self.collaborations[process_id]:
                graph = self.graphs.get(pool)
                if graph is None:
                    continue
                kinds = {t.kind for t in rt.start_events(graph)}
                if "none" in kinds:
                    inst = self._start(pool, variables)
                    first = first or inst
            assert first is not None, f"no pool of {process_id} has a plain start"
            self.main = self.main or first
            return first
        inst = self._start(process_id, variables)
        self.main = self.main or inst
        return inst

    def _start(self, process_id, variables, *, start_event_id=None, parent=None) -> Instance:
        result = self.engine.start(process_id, variables, start_event_id=start_event_id)
        inst = Instance(id=len(self.instances) + 1, process_id=process_id, saved="", parent=parent)
        self.instances[inst.id] = inst
        self._settle(inst, result)
        return inst

    # -- routing effects ---------------------------------------------------------

    def _settle(self, inst: Instance, result: rt.RunResult) -> None:
        pending = deque([(inst, result)])
        while pending:
            inst, result = pending.popleft()
            inst.saved = save_state(result.state)
            inst.log.extend(result.finished_steps)
            for step in result.state.steps.values():
                if step.status == "error" and step.error not in self.errors:
                    self.errors.append(step.error)
            for effect in result.effects:
                self._route(inst, effect, pending)

    def _call(self, inst: Instance, method: str, *args, **kwargs) -> rt.RunResult:
        state = inst.state
        result = getattr(self.engine, method)(state, *args, **kwargs)
        return result

    def _route(self, inst: Instance, effect, pending) -> None:
        if isinstance(effect, rt.StartChild):
            child_result = self.engine.start(effect.process_id, effect.variables)
            child = Instance(
                id=len(self.instances) + 1,
                process_id=effect.process_id,
                saved="",
                parent=(inst.id, effect.step_id),
            )
            self.instances[child.id] = child
            pending.append((child, child_result))
        elif isinstance(effect, rt.InstanceFinished):
            if inst.parent is not None and effect.status == "completed":
                parent = self.instances[inst.parent[0]]
                if parent.status in ("running", "error"):
                    state = parent.state
                    call = state.steps.get(inst.parent[1])
                    if call is not None and call.status == "waiting":
                        pending.append(
                            (
                                parent,
                                self.engine.child_finished(
                                    state, inst.parent[1], variables=effect.variables
                                ),
                            )
                        )
        elif isinstance(effect, rt.ErrorThrown):
            if inst.parent is not None:
                parent = self.instances[inst.parent[0]]
                state = parent.state
                if inst.parent[1] in state.steps:
                    pending.append(
                        (
                            parent,
                            self.engine.child_finished(
                                state, inst.parent[1], variables={}, error_code=effect.code
                            ),
                        )
                    )
        elif isinstance(effect, rt.EscalationThrown):
            if inst.parent is not None:
                parent = self.instances[inst.parent[0]]
                call = parent.state.steps.get(inst.parent[1])
                if parent.status in ("running", "error") and call and call.status == "waiting":
                    result = self.engine.escalation_from_child(
                        parent.state,
                        inst.parent[1],
                        code=effect.code,
                        payload=effect.payload,
                        variables=inst.variables,
                    )
                    # Saved now: the child's end, routed next, reads the caller as it is after.
                    parent.saved = save_state(result.state)
                    pending.append((parent, result))
        elif isinstance(effect, rt.CancelChild):
            for child in self.instances.values():
                if child.parent == (inst.id, effect.step_id) and child.status != "completed":
                    pending.append((child, self.engine.cancel(child.state)))
        elif isinstance(effect, rt.ThrowSignal):
            self._flush(pending)
            self.signal(effect.name, effect.payload, variable=effect.variable, _pending=pending)
        elif isinstance(effect, rt.SendMessage):
            self._flush(pending)
            self.message(effect.name, effect.payload, variable=effect.variable, _pending=pending)

    def _flush(self, pending) -> None:
        # Save what is queued before other instances are asked: they read saved states.
        for inst, result in list(pending):
            inst.saved = save_state(result.state)

    # -- what a test does ---------------------------------------------------------

    def running(self) -> list[Instance]:
        return [i for i in self.instances.values() if i.status in ("running", "error")]

    def signal(self, name: str, payload: Any = None, *, variable: str = "", _pending=None) -> int:
        matched = 0
        pending = _pending if _pending is not None else deque()
        for inst in self.running():
            result = self.engine.broadcast_signal(inst.state, name, payload, variable=variable)
            matched += result.matched
            if result.matched:
                pending.append((inst, result))
                inst.saved = save_state(result.state)
        for graph in list(self.graphs.values()):
            for trigger in rt.start_events(graph):
                if trigger.kind == "signal" and trigger.signal == name:
                    matched += 1
                    self._start(
                        graph.id,
                        _payload_vars(name, payload, variable),
                        start_event_id=trigger.element_id,
                    )
        if _pending is None:
            self._drain(pending)
        return matched

    def message(self, name: str, payload: Any = None, *, variable: str = "", _pending=None) -> int:
        pending = _pending if _pending is not None else deque()
        matched = 0
        for inst in self.running():
            result = self.engine.deliver_message(inst.state, name, payload, variable=variable)
            if result.matched:
                matched += result.matched
                pending.append((inst, result))
                inst.saved = save_state(result.state)
                break  # a message has one receiver
        if not matched:
            for graph in list(self.graphs.values()):
                for trigger in rt.start_events(graph):
                    if trigger.kind == "message" and trigger.message == name and not matched:
                        matched += 1
                        self._start(
                            graph.id,
                            _payload_vars(name, payload, variable),
                            start_event_id=trigger.element_id,
                        )
        if _pending is None:
            self._drain(pending)
        return matched

    def _drain(self, pending) -> None:
        while pending:
            inst, result = pending.popleft()
            self._settle(inst, result)

    def user_steps(self, name: str | None = None):
        """Open user steps as (instance, step, element) across every instance."""
        found = []
        for inst in self.instances.values():
            if inst.status not in ("running", "error"):
                continue
            state = inst.state
            graph = self.graphs[inst.process_id]
            for step in sorted(state.steps.values(), key=lambda s: s.id):
                element = graph.elements[step.element_id]
                if step.status != "waiting" or element.kind not in USER_TASK_KINDS:
                    continue
                if "mi" in step.data:
                    continue
                if name is None or name in (element.name, element.id):
                    found.append((inst, step, element))
        return found

    def task_names(self) -> list[str]:
        return sorted(e.name or e.id for _, _, e in self.user_steps())

    def complete(self, name: str, data: dict | None = None, *, result: str = "", pick=None) -> None:
        matches = self.user_steps(name)
        if pick is not None:
            matches = [m for m in matches if pick(self.step_variables(m[0], m[1]))]
        assert matches, f"no open user step {name!r}; open: {self.task_names()}"
        inst, step, _ = matches[0]
        result_ = self.engine.complete_step(inst.state, step.id, variables=data, result=result)
        self._settle(inst, result_)

    def step_variables(self, inst: Instance, step: rt.Step) -> dict:
        return self.engine.step_variables(inst.state, step.id)

    def advance(self, seconds: float) -> None:
        self.clock.now += dt.timedelta(seconds=seconds)
        now = self.clock.now
        for job in sorted(self.timer_starts, key=lambda j: j[0]):
            while job[0] is not None and job[0] <= now:
                job[5] += 1
                self._start(job[1], {}, start_event_id=job[2])
                spec = parse_timer(job[3], job[4])
                job[0] = next_due(spec, job[0], job[5])
        self.timer_starts = [j for j in self.timer_starts if j[0] is not None]
        for inst in list(self.instances.values()):
            if inst.status not in ("running", "error"):
                continue
            state = inst.state
            if any(
                s.due_at is not None and s.due_at <= now and s.status == "waiting"
                for s in state.steps.values()
            ):
                self._settle(inst, self.engine.fire_due_timers(state, now))

    def waiting_events(self, inst: Instance | None = None) -> list[str]:
        inst = inst or self.main
        graph = self.graphs[inst.process_id]
        return sorted(
            s.element_id
            for s in inst.state.steps.values()
            if s.status == "waiting"
            and graph.elements[s.element_id].kind not in USER_TASK_KINDS
            and "arrived" not in s.data
            and graph.elements[s.element_id].kind != "subProcess"
        )

    def path(self, inst: Instance | None = None) -> list[str]:
        """The elements an instance completed, in the order their steps began."""
        inst = inst or self.main
        return [
            s.element_id for s in sorted(inst.log, key=lambda s: s.id) if s.status == "completed"
        ]

    def timer_jobs(self) -> int:
        count = len(self.timer_starts)
        for inst in self.running():
            count += sum(
                1
                for s in inst.state.steps.values()
                if s.status == "waiting" and s.due_at is not None
            )
        return count


def _payload_vars(name: str, payload: Any, variable: str) -> dict:
    if payload is None:
        return {}
    if variable:
        return {variable: payload}
    if isinstance(payload, dict):
        return dict(payload)
    return {name: payload}


# ---------------------------------------------------------------------------
# The scenario table


@dataclass
class Scenario:
    file: str
    process: str
    deploy: tuple[str, ...] = ()
    runs: list = field(default_factory=list)  # [(initial variables, [ops])]
    transform: Any = None
    functions: Any = None
    actions: Any = None
    xfail: str = ""
    directory: Path = BPMN_DIR

    @property
    def files(self) -> tuple[str, ...]:
        return self.deploy or (self.file,)


def tw_choices(name: str, data: str) -> str:
    """SpiffWorkflow's test harness reads a Signavio gateway flow that has no
    condition as `choice == '<flow name>'`; do what it does."""
    if not name.startswith("spiff_TW_"):
        return data
    bpmn = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
    root = SafeElementTree.fromstring(data.encode("utf-8"))
    gateways = {
        node.get("id")
        for tag in ("exclusiveGateway", "inclusiveGateway")
        for node in root.iter(bpmn + tag)
    }
    for flow in root.iter(bpmn + "sequenceFlow"):
        if (
            flow.get("sourceRef") in gateways
            and flow.get("name")
            and flow.find(bpmn + "conditionExpression") is None
        ):
            condition = ElementTree.SubElement(flow, bpmn + "conditionExpression")
            condition.text = f"choice == '{flow.get('name')}'"
    return ElementTree.tostring(root, encoding="unicode")


def run_scenario(scenario: Scenario) -> None:
    for run in scenario.runs:
        variables, ops = run[0], run[1]
        transform = run[2] if len(run) > 2 else scenario.transform
        world = World(
            scenario.files,
            directory=scenario.directory,
            transform=transform,
            functions=scenario.functions() if callable(scenario.functions) else None,
            actions=scenario.actions,
        )
        if scenario.process:
            world.start(scenario.process, variables)
        for op in ops:
            apply(world, op)


def apply(world: World, op: tuple) -> None:
    kind, *args = op
    main = world.main
    if kind == "complete":
        world.complete(*args)
    elif kind == "complete_with":  # name, data, result
        world.complete(args[0], args[1], result=args[2])
    elif kind == "complete_where":  # name, predicate(vars), data-maker(vars)
        name, pick, make = args
        inst, step, _ = next(
            (i, s, e) for i, s, e in world.user_steps(name) if pick(world.step_variables(i, s))
        )
        data = make(world.step_variables(inst, step))
        world._settle(inst, world.engine.complete_step(inst.state, step.id, variables=data))
    elif kind == "complete_each":  # name, data-maker(vars); one at a time, oldest first
        name, make = args
        while world.user_steps(name):
            inst, step, _ = world.user_steps(name)[0]
            data = make(world.step_variables(inst, step))
            world._settle(inst, world.engine.complete_step(inst.state, step.id, variables=data))
    elif kind == "tasks":
        assert world.task_names() == sorted(args[0]), world.task_names()
    elif kind == "task_count":
        assert len(world.user_steps()) == args[0], world.task_names()
    elif kind == "ready":
        assert world.user_steps(args[0]), f"{args[0]!r} is not ready: {world.task_names()}"
    elif kind == "not_ready":
        assert not world.user_steps(args[0]), f"{args[0]!r} is ready: {world.task_names()}"
    elif kind == "lane":
        steps = world.user_steps(args[0])
        assert steps and steps[0][1].data.get("lane") == args[1], steps
    elif kind == "message":
        world.message(*args)
    elif kind == "signal":
        world.signal(*args)
    elif kind == "advance":
        world.advance(args[0])
    elif kind == "start":
        world.start(*args)
    elif kind == "ended":
        assert (main.status == "completed") is args[0], (main.status, world.task_names())
    elif kind == "all_ended":
        assert not world.running(), [(i.process_id, i.status) for i in world.running()]
    elif kind == "status":
        assert main.status == args[0], (main.status, world.errors)
    elif kind == "vars":
        assert main.variables == args[0], main.variables
    elif kind == "vars_include":
        for key, value in args[0].items():
            assert main.variables.get(key) == value, (key, main.variables)
    elif kind == "error_at":
        element_id, text = args
        errors = [s for s in main.state.steps.values() if s.status == "error"]
        assert [s.element_id for s in errors] == [element_id], errors
        assert text in errors[0].error, errors[0].error
    elif kind == "waiting":
        assert world.waiting_events() == sorted(args[0]), world.waiting_events()
    elif kind == "instances":
        assert len(world.running()) == args[0], [i.process_id for i in world.running()]
    elif kind == "timer_jobs":
        assert world.timer_jobs() == args[0], world.timer_jobs()
    elif kind == "log_has":  # element id, status
        assert any(s.element_id == args[0] and s.status == args[1] for s in main.log), [
            (s.element_id, s.status) for s in main.log
        ]
    elif kind == "log_lacks":
        assert not any(s.element_id == args[0] for s in main.log)
    elif kind == "path":  # the completed elements of the main instance, in step order
        assert world.path() == args[0], world.path()
    elif kind == "page":  # user step name, flowdesk:page it shows
        steps = world.user_steps(args[0])
        assert steps and steps[0][2].ext.get("page", "task") == args[1], steps
    elif kind == "check":
        args[0](world)
    else:  # pragma: no cover
        raise AssertionError(f"unknown op {kind}")


# ---------------------------------------------------------------------------
# Helpers for the table


class CallCounter:
    """A function scripts call (`custom_function()`), counting its calls."""

    def __init__(self):
        self.count = 0

    def __call__(self):
        self.count += 1
        return self.count


def counter_functions():
    return {"custom_function": CallCounter()}


def counted(expected: int):
    def check(world: World) -> None:
        assert world.engine.functions["custom_function"].count == expected

    return ("check", check)


def iso(seconds: float) -> str:
    return (T0 + dt.timedelta(seconds=seconds)).isoformat()


def with_completion_condition(condition: str):
    def transform(name: str, data: str) -> str:
        return data.replace(
            "</bpmn:multiInstanceLoopCharacteristics>",
            f"<bpmn:completionCondition>{condition}</bpmn:completionCondition>"
            "</bpmn:multiInstanceLoopCharacteristics>",
        )

    return transform


def double_item(variables: dict) -> dict:
    return {"output_item": variables["input_item"] * 2}


def ended():
    return ("ended", True)


def canceled_count(element_id: str, expected: int):
    def check(world: World) -> None:
        canceled = [
            s for s in world.main.log if s.element_id == element_id and s.status == "canceled"
        ]
        assert len(canceled) == expected, [(s.element_id, s.status) for s in world.main.log]

    return ("check", check)


def mock_connector(ctx) -> dict:
    if ctx.element_name == "ServiceTask1":
        return {"pay_rate": 65000, "params": ctx.params}
    return {"temp": "72F"}


def service_result_check(world: World) -> None:
    variables = world.main.variables
    assert variables["waynesboroWeatherResult"] == {"temp": "72F"}
    first = variables["spiff__Activity_1inxqgx_result"]
    assert first["params"] == {
        "api_key": "secret:BAMBOOHR_API_KEY",
        "employee_id": 4,
        "subdomain": "ServiceTask",
    }


def tw_order(*names):
    """A SpiffWorkflow TW ordering: 'X' completes task X, '!X' checks X is not ready."""
    ops = []
    for name in names:
        if name.startswith("!"):
            ops.append(("not_ready", name[1:]))
        else:
            ops.append(("complete", name))
    return ops


CAMUNDA_CALL = ("camunda_CallActivity_Simple.bpmn", "camunda_CallActivity_simpleSubProcess.bpmn")
CAMUNDA_SIGNAL = ("camunda_Signal_catch.bpmn", "camunda_Signal_throw.bpmn")
SPIFF_CALL = ("spiff_call_activity_end_event.bpmn", "spiff_call_activity_call_activity.bpmn")
SPIFF_NESTED = (
    "spiff_TW_Nested-Subprocesses.bpmn",
    "spiff_TW_Nested-Sub-level1.bpmn",
    "spiff_TW_Nested-Sub-level2.bpmn",
)
MI_PARALLEL = "spiff_parallel_multiinstance_loop_input.bpmn"
MI_SEQUENTIAL = "spiff_sequential_multiinstance_loop_input.bpmn"
TW_DONE = [("ended", True), ("task_count", 0)]

SCENARIOS = [
    Scenario(
        "camunda_CallActivity_Simple.bpmn",
        "callSimpleSubProcess",
        CAMUNDA_CALL,
        runs=[
            (
                {},
                [
                    ("tasks", ["Task before subprocess"]),
                    ("complete", "Task before subprocess"),
                    ("tasks", ["Task in subprocess"]),
                    ("instances", 2),
                    ("complete", "Task in subprocess"),
                    ("tasks", ["Task after subprocess"]),
                    ("complete", "Task after subprocess"),
                    ended(),
                    ("all_ended",),
                ],
            ),
        ],
    ),
    Scenario(
        "camunda_CallActivity_simpleSubProcess.bpmn",
        "simpleSubProcess",
        CAMUNDA_CALL,
        runs=[
            ({}, [("tasks", ["Task in subprocess"]), ("complete", "Task in subprocess"), ended()]),
        ],
    ),
    Scenario(
        "camunda_ConditionalFlow_FromTask.bpmn",
        "condSeqFlowUelExpr",
        runs=[
            ({"input": "right"}, [("tasks", ["task right"])]),
            ({"input": "left"}, [("tasks", ["task left"])]),
        ],
    ),
    Scenario(
        "camunda_Error_BoundaryOnSubprocess.bpmn",
        "boundaryErrorOnEmbeddedSubprocess",
        runs=[
            (
                {},
                [
                    ("tasks", ["subprocessTask"]),
                    ("complete", "subprocessTask"),
                    ("tasks", ["task after catching the error"]),
                    ("log_has", "subprocess", "canceled"),
                    ("complete", "task after catching the error"),
                    ended(),
                ],
            ),
        ],
    ),
    Scenario(
        "camunda_ExclusiveGw_DefaultFlow.bpmn",
        "exclusiveGwDefaultSequenceFlow",
        runs=[
            ({"input": 1}, [("tasks", ["Input is one"])]),
            ({"input": 5}, [("tasks", ["Default input"])]),
        ],
    ),
    Scenario(
        "camunda_ExclusiveGw_Diverging.bpmn",
        "exclusiveGwDiverging",
        runs=[({"input": i}, [("tasks", [f"Task {i}"])]) for i in (1, 2, 3)],
    ),
    Scenario(
        "camunda_ExclusiveGw_NoFlowSelected.bpmn",
        "exclusiveGwNoSeqFlowSelected",
        runs=[
            (
                {"input": 4},
                [
                    ("status", "error"),
                    (
                        "error_at",
                        "exclusiveGw",
                        "no outgoing flow condition is true and there is no default flow",
                    ),
                    ("tasks", []),
                ],
            ),
        ],
    ),
    Scenario(
        "camunda_InclusiveGw_Diverging.bpmn",
        "inclusiveGwDiverging",
        runs=[
            ({"input": 1}, [("tasks", ["Task 1", "Task 2", "Task 3"])]),
            ({"input": 2}, [("tasks", ["Task 2", "Task 3"])]),
            ({"input": 3}, [("tasks", ["Task 3"])]),
        ],
    ),
    Scenario(
        "camunda_Message_IntermediateCatch.bpmn",
        "process",
        runs=[
            (
                {},
                [
                    ("waiting", ["messageCatch"]),
                    ("tasks", []),
                    ("message", "newInvoiceMessage"),
                    ("tasks", ["Task"]),
                    ("complete", "Task"),
                    ended(),
                ],
            ),
        ],
    ),
    Scenario(
        "camunda_ParallelGw_ForkJoin.bpmn",
        "forkJoin",
        runs=[
            (
                {},
                [
                    ("tasks", ["Receive Payment", "Ship Order"]),
                    ("complete", "Receive Payment"),
                    ("tasks", ["Ship Order"]),
                    ("complete", "Ship Order"),
                    ("tasks", ["Archive Order"]),
                    ("complete", "Archive Order"),
                    ended(),
                ],
            ),
        ],
    ),
    Scenario(
        "camunda_ParallelGw_NoWaitStates.bpmn",
        "forkJoinNoWaitStates",
        runs=[
            ({}, [ended()]),
        ],
    ),
    Scenario(
        "camunda_Signal_catch.bpmn",
        "catchSignal",
        CAMUNDA_SIGNAL,
        runs=[
            (
                {},
                [
                    ("waiting", ["signalEvent"]),
                    ("instances", 1),
                    ("start", "throwSignal"),
                    ("instances", 0),
                    ended(),
                    ("all_ended",),
                ],
            ),
        ],
    ),
    Scenario(
        "camunda_Signal_throw.bpmn",
        "throwSignal",
        CAMUNDA_SIGNAL,
        runs=[
            ({}, [ended(), ("instances", 0)]),
        ],
    ),
    Scenario(
        "camunda_Terminate_Process.bpmn",
        "terminateEndEventExample",
        runs=[
            (
                {},
                [
                    ("tasks", ["check before end", "check before termination"]),
                    ("complete", "check before termination"),
                    ended(),
                    ("tasks", []),
                    ("log_has", "preNormalTerminateTask", "canceled"),
                ],
            ),
        ],
    ),
    Scenario(
        "camunda_Timer_Intermediate.bpmn",
        "intermediateTimerEventExample",
        runs=[
            (
                {},
                [
                    ("timer_jobs", 1),
                    ("waiting", ["timer"]),
                    ("advance", 60),
                    ("timer_jobs", 1),
                    ("ended", False),
                    ("advance", 50 * 60 + 5),
                    ("timer_jobs", 0),
                    ended(),
                ],
            ),
        ],
    ),
    Scenario(
        "camunda_Timer_StartCycleCron.bpmn",
        "",
        runs=[
            (
                {},
                [
                    ("timer_jobs", 1),
                    ("instances", 0),
                    ("advance", 1),
                    ("instances", 1),
                    ("tasks", ["userTask"]),
                    ("timer_jobs", 1),
                    ("check", lambda w: w.timer_starts[0][0] == T0 + dt.timedelta(minutes=5)),
                    ("advance", 5 * 60),
                    ("instances", 2),
                    ("timer_jobs", 1),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_Approvals.bpmn",
        "Approvals",
        runs=[
            (
                {},
                [
                    ("tasks", ["Manager Approval", "Supervisor Approval"]),
                    ("complete", "First_Approval_Wins.Manager_Approval"),
                    ("tasks", ["First Approval Wins Done"]),
                    ("complete", "Approvals.First_Approval_Wins_Done"),
                    ("tasks", ["Manager Approval (P)", "Supervisor Approval (P)"]),
                    ("complete", "Approvals.Manager_Approval__P_"),
                    ("not_ready", "Approvals.Parallel_Approvals_Done"),
                    ("complete", "Approvals.Supervisor_Approval__P_"),
                    ("complete", "Approvals.Parallel_Approvals_Done"),
                    ("tasks", ["Manager Approval", "Operator Approval"]),
                    ("complete", "Parallel_Approvals_SP.Step1"),
                    ("complete", "Parallel_Approvals_SP.Manager_Approval"),
                    ("complete", "Parallel_Approvals_SP.Supervisor_Approval"),
                    ("tasks", ["Parallel SP Done"]),
                    ("complete", "Approvals.Parallel_SP_Done"),
                    ended(),
                    ("all_ended",),
                ],
            ),
            (
                {},
                [
                    ("complete", "First_Approval_Wins.Supervisor_Approval"),
                    ("tasks", ["First Approval Wins Done"]),
                    ("complete", "Approvals.First_Approval_Wins_Done"),
                    ("complete", "Approvals.Supervisor_Approval__P_"),
                    ("complete", "Approvals.Manager_Approval__P_"),
                    ("complete", "Approvals.Parallel_Approvals_Done"),
                    ("complete", "Parallel_Approvals_SP.Manager_Approval"),
                    ("complete", "Parallel_Approvals_SP.Step1"),
                    ("complete", "Parallel_Approvals_SP.Supervisor_Approval"),
                    ("complete", "Approvals.Parallel_SP_Done"),
                    ended(),
                    ("all_ended",),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_ParallelOrder.bpmn",
        "ParallelOrder",
        runs=[
            ({}, [("ended", False), ("tasks", ["Task 1", "Task 2", "Task 3", "Task 4"])]),
        ],
    ),
    Scenario(
        "spiff_ScriptTest.bpmn",
        "Process_1l85e0n",
        runs=[
            (
                {},
                [
                    ended(),
                    (
                        "vars",
                        {
                            "testvar": {"a": 1, "b": 2, "new": "Test"},
                            "testvar2": [
                                {"x": 1, "y": "a"},
                                {"x": 2, "y": "b"},
                                {"x": 3, "y": "c"},
                            ],
                            "sample": ["b", "c"],
                        },
                    ),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_TW_Action-Management.bpmn",
        "sid-efb89bb6-299a-4dc4-a50a-4286ec490604",
        transform=tw_choices,
        runs=[
            (
                {},
                [
                    (
                        "complete",
                        "Review Action",
                        {"start_time": iso(0.05), "finish_time": iso(0.1), "choice": "Cancel"},
                    ),
                    ended(),
                ],
            ),
            (
                {},
                [
                    (
                        "complete",
                        "Review Action",
                        {"start_time": iso(0.05), "finish_time": iso(0.1), "choice": "Approve"},
                    ),
                    ("tasks", ["Cancel Action (if necessary)"]),
                    ("vars_include", {"script_output": "NEW ACTION"}),
                    ("waiting", ["sid-EC95E155-147C-4FD1-AFE5-5B803F655E3B"]),
                    ("advance", 0.06),
                    ("tasks", ["Cancel Action (if necessary)", "Start Work"]),
                    ("complete", "Start Work"),
                    ("complete", "Complete Work", {"choice": "Done"}),
                    ended(),
                    ("all_ended",),
                ],
            ),
            (
                {},
                [
                    (
                        "complete",
                        "Review Action",
                        {"start_time": iso(0.05), "finish_time": iso(0.1), "choice": "Approve"},
                    ),
                    ("advance", 0.06),
                    ("complete", "Start Work"),
                    ("advance", 0.05),
                    ("vars_include", {"script_output": "ACTION OVERDUE"}),
                    ("tasks", ["Cancel Action (if necessary)", "Complete Work"]),
                    ("complete", "Complete Work", {"choice": "Done"}),
                    ended(),
                ],
            ),
            (
                {},
                [
                    (
                        "complete",
                        "Review Action",
                        {"start_time": iso(0.05), "finish_time": iso(0.1), "choice": "Approve"},
                    ),
                    ("complete", "Cancel Action (if necessary)"),
                    ended(),
                    ("vars_include", {"script_output": "ACTION CANCELLED"}),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_TW_Messages.bpmn",
        "sid-4a1f10ab-316f-4cd8-836d-65aa3d178fff",
        runs=[
            (
                {},
                [
                    ("waiting", ["sid-DF69AC93-16C3-405D-9FB1-9B2539519372"]),
                    ("message", "Wrong Message"),
                    ("ended", False),
                    ("waiting", ["sid-DF69AC93-16C3-405D-9FB1-9B2539519372"]),
                    ("message", "Test Message"),
                    ended(),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_TW_Nested-Sub-level1.bpmn",
        "sid-c7ccc144-a90c-4a5b-973d-a9d67bc9aae7",
        SPIFF_NESTED,
        runs=[
            (
                {},
                [
                    ("tasks", ["Action2"]),
                    ("complete", "Action2"),
                    ("tasks", ["Action3"]),
                    ("complete", "Action3"),
                    ended(),
                    ("all_ended",),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_TW_Nested-Sub-level2.bpmn",
        "sid-65436787-c39d-47c9-b99e-b4d7bd01b8f5",
        SPIFF_NESTED,
        runs=[
            ({}, [("tasks", ["Action3"]), ("complete", "Action3"), ended()]),
        ],
    ),
    Scenario(
        "spiff_TW_Nested-Subprocesses.bpmn",
        "sid-a12cf1e5-86f4-4d69-9790-6a90342f5963",
        SPIFF_NESTED,
        runs=[
            (
                {},
                [
                    ("tasks", ["Action1"]),
                    ("complete", "Action1"),
                    ("tasks", ["Action2"]),
                    ("complete", "Action2"),
                    ("tasks", ["Action3"]),
                    ("complete", "Action3"),
                    ended(),
                    ("all_ended",),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_TW_Parallel-Multiple-Splits-And-Joins.bpmn",
        "sid-a90fa1f1-32a9-4a62-8ad4-8820a3fc6cc4",
        runs=[
            (
                {},
                tw_order(
                    "1",
                    "!Done",
                    "2",
                    "1A",
                    "!Done",
                    "2A",
                    "1B",
                    "2B",
                    "!Done",
                    "1 Done",
                    "!Done",
                    "2 Done",
                    "Done",
                )
                + TW_DONE,
            ),
            (
                {},
                tw_order(
                    "1", "!Done", "1A", "1B", "1 Done", "!Done", "2", "2A", "2B", "2 Done", "Done"
                )
                + TW_DONE,
            ),
            (
                {},
                tw_order(
                    "1",
                    "2",
                    "!Done",
                    "1B",
                    "2B",
                    "!2 Done",
                    "1A",
                    "!Done",
                    "2A",
                    "1 Done",
                    "!Done",
                    "2 Done",
                    "Done",
                )
                + TW_DONE,
            ),
        ],
    ),
    Scenario(
        "spiff_TW_Parallel-Then-Exclusive.bpmn",
        "sid-bb9ea2d5-58b6-43c7-8e77-6e28f71106f0",
        runs=[
            (
                {},
                [
                    ("tasks", ["Choice 1", "Parallel Task"]),
                    ("complete", "Parallel Task"),
                    ("not_ready", "Done"),
                    ("complete", "Choice 1", {"choice": "Yes"}),
                    ("not_ready", "Done"),
                    ("complete", "Yes Task"),
                    ("complete", "Done"),
                ]
                + TW_DONE,
            ),
            (
                {},
                [
                    ("complete", "Choice 1", {"choice": "Yes"}),
                    ("complete", "Parallel Task"),
                    ("not_ready", "Done"),
                    ("complete", "Yes Task"),
                    ("complete", "Done"),
                ]
                + TW_DONE,
            ),
            (
                {},
                [
                    ("complete", "Choice 1", {"choice": "Yes"}),
                    ("complete", "Yes Task"),
                    ("not_ready", "Done"),
                    ("complete", "Parallel Task"),
                    ("complete", "Done"),
                ]
                + TW_DONE,
            ),
            (
                {},
                [
                    ("complete", "Choice 1", {"choice": "No"}),
                    ("complete", "No Task"),
                    ("not_ready", "Done"),
                    ("complete", "Parallel Task"),
                    ("complete", "Done"),
                ]
                + TW_DONE,
            ),
        ],
    ),
    Scenario(
        "spiff_TW_Parallel-Through-Same-Task.bpmn",
        "sid-57c563e3-fb68-4961-ae34-b6201e0c09e8",
        runs=[
            # testRunThroughFirstRepeatTaskFirst
            (
                {},
                [
                    ("task_count", 2),
                    ("complete", "Repeated Task"),
                    ("complete", "Done"),
                    ("complete", "Choice 1", {"choice": "Yes"}),
                    ("complete", "Yes Task"),
                    ("not_ready", "Done"),
                    ("complete", "Repeated Task"),
                    ("complete", "Done"),
                ]
                + TW_DONE,
            ),
            # testRepeatTasksReadyTogether
            (
                {},
                [
                    ("complete", "Choice 1", {"choice": "Yes"}),
                    ("complete", "Yes Task"),
                    ("not_ready", "Done"),
                    ("tasks", ["Repeated Task", "Repeated Task"]),
                    ("complete", "Repeated Task"),
                    ("complete", "Done"),
                    ("complete", "Repeated Task"),
                    ("complete", "Done"),
                ]
                + TW_DONE,
            ),
            # testNoRouteRepeatTaskFirst
            (
                {},
                [
                    ("complete", "Repeated Task"),
                    ("complete", "Done"),
                    ("complete", "Choice 1", {"choice": "No"}),
                    ("complete", "No Task"),
                    ("complete", "Done"),
                ]
                + TW_DONE,
            ),
            # testNoRouteNoTaskFirst
            (
                {},
                [
                    ("complete", "Choice 1", {"choice": "No"}),
                    ("complete", "No Task"),
                    ("not_ready", "Done"),
                    ("complete", "Repeated Task"),
                    ("complete", "Done"),
                ]
                + TW_DONE,
            ),
            # testNoRouteNoFirstThenRepeating
            (
                {},
                [
                    ("complete", "Choice 1", {"choice": "No"}),
                    ("not_ready", "Done"),
                    ("complete", "Repeated Task"),
                    ("not_ready", "Done"),
                    ("complete", "No Task"),
                    ("complete", "Done"),
                ]
                + TW_DONE,
            ),
        ],
    ),
    Scenario(
        "spiff_TW_Timer-Intermediate.bpmn",
        "sid-909dfba4-15dd-47b3-b7d4-88330891429a",
        runs=[
            (
                {"due_time": iso(0.01)},
                [
                    ("waiting", ["sid-AB1683F9-F260-499B-A04C-F7ADA9C64817"]),
                    ("advance", 0.005),
                    ("ended", False),
                    ("advance", 0.01),
                    ended(),
                    ("timer_jobs", 0),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_boundary.bpmn",
        "boundary_event",
        runs=[
            (
                {},
                [
                    ("tasks", ["ReadyTogo"]),
                    ("complete", "ReadyTogo"),
                    ("tasks", ["Are we there yet?"]),
                    ("complete", "Are we there yet?", {"answer": "No"}),
                    ("advance", 0.01),
                    ("complete", "Are we there yet?", {"answer": "No"}),
                    ("advance", 0.01),
                    ("tasks", ["Are we there yet?"]),
                    ("advance", 0.015),
                    ("log_has", "Subworkflow", "canceled"),
                    ("tasks", ["Scream head off"]),
                    ("complete", "Scream head off"),
                    ("complete", "Stop Car"),
                    ended(),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_boundary_timer_on_task.bpmn",
        "test_timer",
        runs=[
            (
                {},
                [
                    ("vars", {"timer_called": False}),
                    ("tasks", ["Say Anything"]),
                    ("advance", 1),
                    ("vars", {"timer_called": True}),
                    ("tasks", ["Say Anything"]),
                    ("complete", "Say Anything"),
                    ended(),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_call_activity_call_activity.bpmn",
        "Call_Activity_Get_Data",
        SPIFF_CALL,
        runs=[
            (
                {"remove_this_var": "x"},
                [ended(), ("vars", {"my_var": "World", "my_other_var": "Mike"})],
            ),
        ],
    ),
    Scenario(
        "spiff_call_activity_end_event.bpmn",
        "Process_8200379",
        SPIFF_CALL,
        runs=[
            (
                {},
                [
                    ended(),
                    ("all_ended",),
                    ("vars", {"pre_var": "some string", "my_var": "World", "my_other_var": "Mike"}),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_event-gateway.bpmn",
        "Process_0pvx19v",
        runs=[
            (
                {},
                [
                    ("waiting", ["message_1_event", "message_2_event", "timer_event"]),
                    ("message", "message_1"),
                    ended(),
                    ("log_has", "message_1_event", "completed"),
                    ("log_has", "message_2_event", "canceled"),
                    ("log_has", "timer_event", "canceled"),
                    ("log_lacks", "message_2_end"),
                    ("log_lacks", "timer"),
                ],
            ),
            (
                {},
                [
                    ("advance", 0.5),
                    ("ended", False),
                    ("advance", 0.6),
                    ended(),
                    ("log_has", "timer_event", "completed"),
                    ("log_lacks", "message_1_end"),
                    ("log_lacks", "message_2_end"),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_exclusive_gateway_no_default.bpmn",
        "NoDefaultGateway",
        runs=[
            (
                {"x": 1},
                [
                    ("status", "error"),
                    ("error_at", "Gateway_CheckValue", "no outgoing flow condition is true"),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_gateway_loop_input.bpmn",
        "main",
        runs=[
            ({}, [("tasks", ["Task"]), ("complete", "Task"), ended(), ("vars", {"x": 2})]),
        ],
    ),
    Scenario(
        "spiff_inclusive_gateway.bpmn",
        "main",
        runs=[
            (
                {},
                [
                    ("complete", "Set Data", {"v": -1, "u": -1, "w": -1}),
                    ended(),
                    ("vars", {"v": 0, "u": -1, "w": -1}),
                    ("log_lacks", "u_plus_v"),
                ],
            ),
            (
                {},
                [
                    ("complete", "Set Data", {"v": 0, "u": 1, "w": 1}),
                    ended(),
                    ("vars", {"v": 0, "u": 1, "w": 1}),
                    ("log_has", "u_plus_v", "completed"),
                    ("log_has", "w_plus_v", "completed"),
                    ("log_lacks", "increment_v"),
                ],
            ),
            (
                {},
                [
                    ("complete", "Set Data", {"v": 0, "u": -1, "w": -1}),
                    ("status", "error"),
                    ("error_at", "second", "no outgoing flow condition is true"),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_lanes.bpmn",
        "lanes",
        runs=[
            (
                {},
                [
                    ("tasks", ["Request Feature"]),
                    ("lane", "Request Feature", "A"),
                    ("complete", "Request Feature"),
                    ("tasks", ["Clarifying Questions?"]),
                    ("lane", "Clarifying Questions?", "B"),
                    ("complete", "Clarifying Questions?", {"NeedClarification": False}),
                    ("tasks", ["Implement Feature"]),
                    ("lane", "Implement Feature", "B"),
                    ("complete", "Implement Feature"),
                    ("tasks", ["Send to testing"]),
                    ("lane", "Send to testing", "C"),
                    ("complete", "Send to testing"),
                    ("tasks", ["SubProcessTask"]),
                    ("lane", "SubProcessTask", "C"),
                    ("complete", "SubProcessTask"),
                    ended(),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_parallel_multiinstance_cardinality.bpmn",
        "main",
        runs=[
            (
                {},
                [
                    ("tasks", ["Any Task"] * 3),
                    ("complete_each", "Any Task", double_item),
                    ended(),
                    ("vars", {"output_data": [0, 2, 4]}),
                ],
            ),
            (
                {},
                [
                    ("tasks", ["Any Task"] * 3),
                    ("complete_where", "Any Task", lambda v: v["input_item"] == 2, double_item),
                    ended(),
                    ("vars", {"output_data": [4]}),
                    canceled_count("any_task", 2),
                ],
                with_completion_condition("input_item == 2"),
            ),
        ],
    ),
    Scenario(
        MI_PARALLEL,
        "main",
        runs=[
            (
                {"input_data": [1, 2, 3]},
                [
                    ("task_count", 3),
                    ("complete_each", "Any Task", double_item),
                    ended(),
                    ("vars", {"input_data": [1, 2, 3], "output_data": [2, 4, 6]}),
                ],
            ),
            (
                {"input_data": {"a": 1, "b": 2, "c": 3}},
                [
                    ("task_count", 3),
                    ("complete_each", "Any Task", double_item),
                    ended(),
                    (
                        "vars",
                        {
                            "input_data": {"a": 1, "b": 2, "c": 3},
                            "output_data": {"a": 2, "b": 4, "c": 6},
                        },
                    ),
                ],
            ),
            ({"input_data": []}, [ended(), ("vars", {"input_data": [], "output_data": []})]),
            (
                {"input_data": [1, 2, 3]},
                [
                    ("task_count", 3),
                    ("complete_where", "Any Task", lambda v: v["input_item"] == 2, double_item),
                    ended(),
                    ("vars", {"input_data": [1, 2, 3], "output_data": [4]}),
                    canceled_count("any_task", 2),
                ],
                with_completion_condition("input_item == 2"),
            ),
        ],
    ),
    Scenario(
        MI_SEQUENTIAL,
        "main",
        runs=[
            (
                {"input_data": [1, 2, 3]},
                [
                    ("task_count", 1),
                    ("complete_each", "Any Task", double_item),
                    ended(),
                    ("vars", {"input_data": [1, 2, 3], "output_data": [2, 4, 6]}),
                ],
            ),
            (
                {"input_data": {"a": 1, "b": 2, "c": 3}},
                [
                    ("complete_each", "Any Task", double_item),
                    ended(),
                    (
                        "vars",
                        {
                            "input_data": {"a": 1, "b": 2, "c": 3},
                            "output_data": {"a": 2, "b": 4, "c": 6},
                        },
                    ),
                ],
            ),
            ({"input_data": []}, [ended(), ("vars", {"input_data": [], "output_data": []})]),
            (
                {"input_data": [1, 2, 3]},
                [
                    ("task_count", 1),
                    ("complete_each", "Any Task", double_item),
                    ended(),
                    ("vars", {"input_data": [1, 2, 3], "output_data": [2, 4]}),
                ],
                with_completion_condition("input_item == 2"),
            ),
        ],
    ),
    Scenario(
        "spiff_start_event_split.bpmn",
        "main",
        runs=[
            (
                {},
                [
                    ("waiting", ["start_1", "start_2"]),
                    ("message", "message_1"),
                    ("log_has", "start_1", "completed"),
                    ("log_has", "start_2", "canceled"),
                    ("tasks", ["Any Task"]),
                    ("complete", "Any Task"),
                    ended(),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_timer-cycle-start.bpmn",
        "Collaboration_0bcl3k5",
        functions=counter_functions,
        runs=[
            (
                {},
                [("advance", 0.1), ("advance", 0.1), counted(2)]
                + [("advance", 0.1)] * 4
                + [counted(2), ("all_ended",), ("timer_jobs", 0)],
            ),
        ],
    ),
    Scenario(
        "spiff_timer-cycle.bpmn",
        "timer",
        functions=counter_functions,
        runs=[
            (
                {},
                [
                    ("tasks", ["Get coffee"]),
                    ("advance", 0.05),
                    counted(0),
                    ("advance", 0.05),
                    counted(1),
                    ("advance", 0.1),
                    counted(2),
                    ("advance", 0.1),
                    ("advance", 0.1),
                    counted(2),
                    ("log_has", "CatchMessage", "completed"),
                    ("tasks", ["Get coffee"]),
                    ("complete", "Get coffee"),
                    ("complete", "Get Back To Work"),
                    ended(),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_timer-non-interrupt-boundary.bpmn",
        "NonInterruptTimer",
        runs=[
            (
                {},
                [
                    ("tasks", ["Work Done?"]),
                    ("advance", 0.1),
                    ("tasks", ["Work Done?"]),
                    ("advance", 0.15),
                    ("tasks", ["Delay Reason", "Work Done?"]),
                    ("complete", "Delay Reason", {"delay_reason": "Just Because"}),
                    ("complete", "Work Done?", {"work_done": "Yes"}),
                    ended(),
                    ("vars", {"work_done": "Yes", "delay_reason": "Just Because"}),
                ],
            ),
        ],
    ),
    Scenario(
        "spiff_timer.bpmn",
        "timer",
        runs=[
            (
                {},
                [
                    ("waiting", ["Event_0bxivgz"]),
                    ("advance", 0.1),
                    ("ended", False),
                    ("advance", 0.1),
                    ("ended", False),
                    ("advance", 0.1),
                    ended(),
                    ("waiting", []),
                ],
            ),
        ],
    ),
    Scenario(
        "spiffcam_message_test.bpmn",
        "Collaboration_0n93bdm",
        runs=[
            (
                {},
                [
                    ("task_count", 1),
                    ("complete", "Enter Plan", {"plan_details": "Bad"}),
                    ("task_count", 1),
                    ("complete", "Approved?", {"approved": "No"}),
                    ("task_count", 1),
                    ("complete", "Enter Plan", {"plan_details": "Better"}),
                    ("task_count", 1),
                    ("complete", "Approved?", {"approved": "No"}),
                    ("task_count", 1),
                    ("complete", "Enter Plan", {"plan_details": "Best"}),
                    ("task_count", 1),
                    ("complete", "Approved?", {"approved": "Yes"}),
                    ("task_count", 1),
                    ("complete", "Enable Plan", {"Done": "OK!"}),
                    ended(),
                    ("vars", {"plan_details": "Best", "ApprovalResult": "Yes", "Done": "OK!"}),
                ],
            ),
        ],
    ),
    Scenario(
        "spiffext_error_event_payload.bpmn",
        "event_test",
        runs=[
            (
                {},
                [
                    ("complete", "Set Data", {"error": True, "payload": "ERROR!"}),
                    ended(),
                    ("vars", {"result": "ERROR!"}),
                ],
            ),
        ],
    ),
    Scenario(
        "spiffext_service_task.bpmn",
        "service_task_example1",
        actions={"bamboohr/GetPayRate": mock_connector, "weather/CurrentTemp": mock_connector},
        runs=[({}, [ended(), ("check", service_result_check)])],
    ),
    Scenario(
        "spiffext_signal_event_payload.bpmn",
        "event_test",
        runs=[
            (
                {},
                [
                    ("complete", "Set Data", {"v1": 1, "v2": 2, "v3": 3}),
                    ended(),
                    ("vars", {"v1": 1, "v2": 2, "v3": 3, "result": {"r1": 1, "r2": 2}}),
                ],
            ),
        ],
    ),
]
