"""The conformance scenarios (tests/engine/conformance.py) through the real
persistence layer: `DbWorld` offers what the scenario table and `apply` use on
the in-memory `World`, but deploys with `process_import`, runs every change
through `processes.services` (after-commit routing included, Celery eager) and
reads back from the model rows. Time is `processes.clock.frozen_at`; functions
and actions go through the real registries.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.test import TestCase

from processes import clock, documents, persistence, registry, services, start_event_cache
from processes.engine import Engine, start_events
from processes.engine.actions import get_action, register_action, unregister_action
from processes.engine.bpmn import BpmnImportError
from processes.engine.graph import USER_TASK_KINDS
from processes.models import ProcessDefinition, ProcessInstance, Step, TimerStart
from tests.engine.conformance import BPMN_DIR, T0, Scenario
from tests.engine.conformance import apply as apply_in_memory

OPEN = ("active", "waiting", "error")
LIVE = ("running", "error")


class DbInstance:
    """A process instance row, read afresh on every access."""

    def __init__(self, pk: int):
        self.id = pk

    def __repr__(self):
        return f"<DbInstance {self.id} {self.process_id} {self.status}>"

    def __eq__(self, other):
        return isinstance(other, DbInstance) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    @property
    def row(self) -> ProcessInstance:
        return ProcessInstance.objects.select_related("definition", "version").get(pk=self.id)

    @property
    def process_id(self) -> str:
        return self.row.definition.code

    @property
    def status(self) -> str:
        return self.row.status

    @property
    def variables(self) -> dict:
        return self.row.variables

    @property
    def open_rows(self) -> dict[int, Step]:
        return {
            row.number: row for row in Step.objects.filter(instance_id=self.id, status__in=OPEN)
        }

    @property
    def state(self):
        return persistence.load_state(self.row, self.open_rows)

    @property
    def log(self) -> list[Step]:
        """The finished steps, oldest first (the in-memory World's log)."""
        return list(
            Step.objects.filter(instance_id=self.id).exclude(status__in=OPEN).order_by("number")
        )

    def graph(self):
        row = self.row
        return documents.resolver_for(row.version)(row.definition.code)


class DbWorld:
    """Deploys a group of BPMN files and runs their instances through the services."""

    def __init__(
        self,
        files,
        *,
        directory: Path = BPMN_DIR,
        transform=None,
        functions=None,
        actions=None,
        capture=None,
    ):
        self.files = tuple(files)
        self.directory = directory
        self.transform = transform
        self.functions = dict(functions or {})
        self.actions = dict(actions or {})
        self._capture = capture or TestCase.captureOnCommitCallbacks
        self.engine = SimpleNamespace(functions=self.functions)  # what `counted` reads
        self.main: DbInstance | None = None
        self.versions = []
        self._stack = contextlib.ExitStack()

    # -- setting up and tearing down ---------------------------------------------

    def __enter__(self) -> DbWorld:
        stack = self._stack
        stack.enter_context(clock.frozen_at(T0))
        previous_functions = registry.functions()
        for name, fn in self.functions.items():
            registry.register_function(name)(fn)
            stack.callback(self._restore_function, name, previous_functions.get(name))
        for name, fn in self.actions.items():
            try:
                previous = get_action(name)
            except LookupError:
                previous = None
            register_action(name)(fn)
            stack.callback(self._restore_action, name, previous)
        stack.callback(start_event_cache.forget)
        self._deploy()
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()

    @staticmethod
    def _restore_function(name, previous) -> None:
        registry.unregister_function(name)
        if previous is not None:
            registry.register_function(name)(previous)

    @staticmethod
    def _restore_action(name, previous) -> None:
        unregister_action(name)
        if previous is not None:
            register_action(name)(previous)

    def _deploy(self) -> None:
        """process_import every file; a file calling a process of a later one waits for it."""
        pending = []
        for name in self.files:
            data = (self.directory / name).read_text(encoding="utf-8")
            if self.transform is not None:
                data = self.transform(name, data)
            pending.append((name, data))
        while pending:
            deferred, last_error = [], None
            for name, data in pending:
                try:
                    with self._routing():
                        self.versions.extend(services.process_import(data=data))
                except BpmnImportError as exc:
                    deferred.append((name, data))
                    last_error = exc
            if len(deferred) == len(pending):
                raise last_error
            pending = deferred

    @contextlib.contextmanager
    def _routing(self):
        """Run what the services queue after commit (eager Celery tasks), as a worker would."""
        with self._capture(execute=True):
            yield

    # -- starting ----------------------------------------------------------------

    @property
    def collaborations(self) -> dict[str, tuple[str, ...]]:
        found = {}
        for version in self.versions:
            found.update(documents.document_for(version).collaborations)
        return found

    def start(self, process_id: str, variables: dict | None = None) -> DbInstance:
        """Start a process, or every pool of a collaboration with a plain start event."""
        collaborations = self.collaborations
        if process_id in collaborations:
            first = None
            for pool in collaborations[process_id]:
                definition = ProcessDefinition.objects.filter(code=pool).first()
                if definition is None:
                    continue
                version = definition.versions.order_by("-number").first()
                kinds = {t.kind for t in start_events(documents.graph_for(version))}
                if "none" in kinds:
                    inst = self._start(pool, variables)
                    first = first or inst
            assert first is not None, f"no pool of {process_id} has a plain start"
            self.main = self.main or first
            return first
        inst = self._start(process_id, variables)
        self.main = self.main or inst
        return inst

    def _start(self, process_id: str, variables: dict | None) -> DbInstance:
        with self._routing():
            row = services.instance_start(code=process_id, variables=variables, run_now=True)
        return DbInstance(row.pk)

    # -- what a test does -----------------------------------------------------------

    @property
    def instances(self) -> dict[int, DbInstance]:
        return {
            pk: DbInstance(pk)
            for pk in ProcessInstance.objects.order_by("pk").values_list("pk", flat=True)
        }

    def running(self) -> list[DbInstance]:
        return [
            DbInstance(pk)
            for pk in ProcessInstance.objects.filter(status__in=LIVE)
            .order_by("pk")
            .values_list("pk", flat=True)
        ]

    @property
    def errors(self) -> list[str]:
        return list(
            Step.objects.filter(status="error")
            .order_by("instance_id", "number")
            .values_list("error", flat=True)
        )

    def signal(self, name: str, payload: Any = None, *, variable: str = "") -> int:
        with self._routing():
            return services.signal_broadcast(name=name, payload=payload, variable=variable)

    def message(self, name: str, payload: Any = None, *, variable: str = "") -> int:
        with self._routing():
            return services.message_deliver(name=name, payload=payload, variable=variable)

    def user_steps(self, name: str | None = None) -> list[tuple[DbInstance, Step, Any]]:
        """Open user steps as (instance, step row, element) across every live instance."""
        found = []
        for inst in self.running():
            graph = inst.graph()
            rows = Step.objects.filter(
                instance_id=inst.id, status="waiting", is_user_step=True
            ).order_by("number")
            for row in rows:
                element = graph.elements[row.element_id]
                if element.kind not in USER_TASK_KINDS or "mi" in row.data:
                    continue
                if name is None or name in (element.name, element.id):
                    found.append((inst, row, element))
        return found

    def task_names(self) -> list[str]:
        return sorted(e.name or e.id for _, _, e in self.user_steps())

    def complete(self, name: str, data: dict | None = None, *, result: str = "", pick=None) -> None:
        matches = self.user_steps(name)
        if pick is not None:
            matches = [m for m in matches if pick(self.step_variables(m[0], m[1]))]
        assert matches, f"no open user step {name!r}; open: {self.task_names()}"
        inst, step, _ = matches[0]
        self.complete_step(inst, step, data, result=result)

    def complete_step(
        self, inst: DbInstance, step: Step, data: dict | None, *, result: str = ""
    ) -> None:
        with self._routing():
            services.step_complete(
                instance_id=inst.id, step_number=step.number, variables=data, result=result
            )

    def step_variables(self, inst: DbInstance, step: Step) -> dict:
        row = inst.row
        engine = Engine(documents.resolver_for(row.version), clock=clock.now)
        return engine.step_variables(persistence.load_state(row, inst.open_rows), step.number)

    def advance(self, seconds: float) -> None:
        """Move the frozen clock on and sweep due timers until nothing more is due."""
        clock.advance(dt.timedelta(seconds=seconds))
        for _ in range(1000):
            with self._routing():
                if not services.timers_fire_due():
                    return
        raise AssertionError("timers keep firing at the same moment")

    def waiting_events(self, inst: DbInstance | None = None) -> list[str]:
        inst = inst or self.main
        graph = inst.graph()
        found = []
        for row in inst.open_rows.values():
            element = graph.elements[row.element_id]
            if (
                row.status == "waiting"
                and element.kind not in USER_TASK_KINDS
                and "arrived" not in row.data
                and element.kind != "subProcess"
            ):
                found.append(row.element_id)
        return sorted(found)

    @property
    def timer_starts(self) -> list[list]:
        """Armed timer start events as [next due, process id, start event id]."""
        return [
            [t.next_due, t.version.definition.code, t.element_id]
            for t in TimerStart.objects.filter(
                next_due__isnull=False, version__definition__is_active=True
            )
            .select_related("version__definition")
            .order_by("pk")
        ]

    def path(self, inst: DbInstance | None = None) -> list[str]:
        """The elements an instance completed, in the order their steps began."""
        inst = inst or self.main
        return [row.element_id for row in inst.log if row.status == "completed"]

    def timer_jobs(self) -> int:
        steps = Step.objects.filter(
            status="waiting", due_at__isnull=False, instance__status__in=LIVE
        ).count()
        return len(self.timer_starts) + steps


def apply(world: DbWorld, op: tuple) -> None:
    """conformance.apply, with the ops that reach into World's engine done through services."""
    kind, *args = op
    if kind == "complete_where":  # name, predicate(vars), data-maker(vars)
        name, pick, make = args
        inst, step, _ = next(
            (i, s, e) for i, s, e in world.user_steps(name) if pick(world.step_variables(i, s))
        )
        world.complete_step(inst, step, make(world.step_variables(inst, step)))
    elif kind == "complete_each":  # name, data-maker(vars); one at a time, oldest first
        name, make = args
        while world.user_steps(name):
            inst, step, _ = world.user_steps(name)[0]
            world.complete_step(inst, step, make(world.step_variables(inst, step)))
    else:
        apply_in_memory(world, op)


def run_scenario_db(scenario: Scenario, *, capture=None) -> None:
    """Each run of the scenario in its own savepoint, rolled back afterwards."""
    for run in scenario.runs:
        variables, ops = run[0], run[1]
        transform = run[2] if len(run) > 2 else scenario.transform
        functions = scenario.functions() if callable(scenario.functions) else None
        with transaction.atomic():
            with DbWorld(
                scenario.files,
                directory=scenario.directory,
                transform=transform,
                functions=functions,
                actions=scenario.actions,
                capture=capture,
            ) as world:
                if scenario.process:
                    world.start(scenario.process, variables)
                for op in ops:
                    apply(world, op)
            transaction.set_rollback(True)
