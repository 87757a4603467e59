"""Engine benchmark (`make bench-engine`): instances per second, not a timed test.

Runs the BPMN shapes of bench/shapes.py on
  * Flowdesk on PostgreSQL, through processes.services (every step row persisted),
  * SpiffWorkflow 3.x in memory,
  * SpiffWorkflow 3.x serialising the whole workflow to JSON after every task,
  * SpiffWorkflow 3.x persisted as its users deploy it: the workflow's JSON
    written to a PostgreSQL row (its own table, bench_spiff_workflow, through its
    own psycopg 3 connection) and committed after every task it runs,
  * django-viewflow 2.x on the same PostgreSQL database (bench/vfapp/flows.py),
and prints instances/s per shape and engine, Flowdesk's ratio to each, and
whether the goals hold:
  * Flowdesk >= 3x viewflow on every shape,
  * Flowdesk >= SpiffWorkflow-with-JSON-after-every-task on every shape,
  * Flowdesk >= 2x SpiffWorkflow-committed-to-PostgreSQL on every shape,
  * shape c's cost per branch flat as N grows (marginal cost per branch from
    N=50 to N=200 at most 1.5x the one from N=10 to N=50).

The table is also written to bench/results/engine.md. Set BENCH_SCALE (a
float, default 1) to run more or fewer instances, BENCH_SHAPES (say "a,b,d")
to run only some shapes.

`bench/engine.py --sustained N` instead runs N
consecutive instances of shape d on Flowdesk in 10 rounds and prints each
round's rate, so a rate that falls as rows accumulate shows, then EXPLAINs
the statements of the user-step path on the grown tables
(bench/results/engine-sustained.md).
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.shapes import PARALLEL_SIZES, Shape, all_shapes, start_variables  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "engine.md"
SCALE = float(os.environ.get("BENCH_SCALE", "1"))
# Timed instances per shape, split over ROUNDS interleaved rounds, and untimed warm-up ones.
ROUNDS = 5
COUNTS = {"a": 200, "b": 200, "c10": 50, "c50": 20, "c200": 5, "d": 200}
WARMUP = {"a": 20, "b": 20, "c10": 5, "c50": 2, "c200": 1, "d": 20}
# SpiffWorkflow serialising after every task takes seconds per instance at N=200
# (and 100+ ms at N=50): fewer instances there keep the run under ~3 minutes.
COUNTS_SLOW = {**COUNTS, "c50": 10, "c200": 5}
VIEWFLOW_GOAL = 3.0
SPIFF_JSON_GOAL = 1.0
SPIFF_PG_GOAL = 2.0
FLATNESS_LIMIT = 1.5

FLOWDESK = "Flowdesk (PostgreSQL)"
SPIFF = "SpiffWorkflow (memory)"
SPIFF_JSON = "SpiffWorkflow (JSON/task)"
SPIFF_PG = "SpiffWorkflow (PostgreSQL/task)"
VIEWFLOW = "viewflow (PostgreSQL)"
ENGINES = (FLOWDESK, SPIFF, SPIFF_JSON, SPIFF_PG, VIEWFLOW)
SLOW_ENGINES = {SPIFF_JSON, SPIFF_PG}


# --------------------------------------------------------------------------
# Database and Django
# --------------------------------------------------------------------------


def ensure_database(url: str) -> str:
    """Create the database named in DATABASE_URL when it is missing; return its name."""
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit(f"bench/engine.py measures on PostgreSQL; DATABASE_URL is {parts.scheme}://")
    name = unquote(parts.path.lstrip("/"))
    kwargs = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "dbname": "postgres",
        "autocommit": True,
    }
    if parts.password:
        kwargs["password"] = unquote(parts.password)
    with psycopg.connect(**kwargs) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")
    return name


def setup_django() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        sys.exit("DATABASE_URL is not set: run `make bench-engine` (PostgreSQL, not SQLite)")
    name = ensure_database(url)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django
    from django.core.management import call_command

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit(f"the bench database is {connection.vendor}, not PostgreSQL")
    call_command("migrate", verbosity=0, interactive=False)
    if not name.endswith("_bench"):
        sys.exit(f"refusing to empty tables of {name!r}: the bench database must end in _bench")
    _empty_run_tables()


def _empty_run_tables() -> None:
    """Start from empty instance tables so runs are comparable (bench database only)."""
    from django.db import connection
    from viewflow.workflow.models import Process as VfProcess
    from viewflow.workflow.models import Task as VfTask

    from processes.models import ProcessInstance, Step

    tables = [m._meta.db_table for m in (Step, ProcessInstance, VfTask, VfProcess)]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def _versions() -> str:
    from django.db import connection

    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return (
        f"Python {platform.python_version()}, Django {version('django')}, PostgreSQL {pg}, "
        f"SpiffWorkflow {version('spiffworkflow')}, django-viewflow {version('django-viewflow')}, "
        f"{os.cpu_count()} CPUs"
    )


# --------------------------------------------------------------------------
# Engines: prepare(shape) once, then run(shape, i) per instance, check(...) after
# --------------------------------------------------------------------------


class Flowdesk:
    """Our engine through the service layer: one locked transaction per operation,
    every step row written to PostgreSQL."""

    name = FLOWDESK
    uses_database = True

    def __init__(self):
        from processes import services
        from processes.models import ProcessInstance, Step

        self.services = services
        self.Instance = ProcessInstance
        self.Step = Step

    def prepare(self, shape: Shape) -> None:
        self.services.process_import(data=shape.xml.encode())

    def run(self, shape: Shape, i: int):
        instance = self.services.instance_start(
            code=shape.process_id, variables=start_variables(shape, i), run_now=True
        )
        if shape.user_task:
            # The step its owner's page names (instance and number), found as any caller
            # without the URL would: the waiting user step of the instance.
            step = (
                self.Step.objects.filter(instance=instance, status="waiting", is_user_step=True)
                .order_by("number")
                .first()
            )
            self.services.step_complete(
                instance_id=instance.pk, step_number=step.number, variables={"approved": True}
            )
        return instance.pk

    def check(self, shape: Shape, i: int, handle) -> dict:
        instance = self.Instance.objects.get(pk=handle)
        if instance.status != "completed":
            raise AssertionError(f"instance {handle} is {instance.status}: {instance.error}")
        steps = self.Step.objects.filter(instance=instance)
        if steps.exclude(status="completed").exists():
            raise AssertionError(f"instance {handle} has open steps")
        done = set(steps.values_list("element_id", flat=True))
        missing = _expected_elements(shape, i) - done
        if missing:
            raise AssertionError(f"instance {handle} has no step for {sorted(missing)}")
        return instance.variables


class Spiff:
    """SpiffWorkflow 3.x, the spec parsed once from the same XML; optionally the
    whole workflow serialised to a JSON string after every task it runs."""

    def __init__(self, json_each_task: bool):
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.util.task import TaskState

        self.name = SPIFF_JSON if json_each_task else SPIFF
        self.json_each_task = json_each_task
        self.Workflow = BpmnWorkflow
        self.Parser = BpmnParser
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure())
        self.READY = TaskState.READY
        self.COMPLETED = TaskState.COMPLETED
        self.spec = None
        self.serialized = 0  # JSON documents written
        self.last_json = ""

    def prepare(self, shape: Shape) -> None:
        parser = self.Parser()
        parser.add_bpmn_str(shape.xml.encode(), filename=f"{shape.process_id}.bpmn")
        self.spec = parser.get_spec(shape.process_id)

    def run(self, shape: Shape, i: int):
        workflow = self.Workflow(self.spec)
        workflow.task_tree.data.update(start_variables(shape, i))
        after = None
        if self.json_each_task:

            def after(task):
                self.last_json = self.serializer.serialize_json(workflow)
                self.serialized += 1

        workflow.do_engine_steps(did_complete_task=after)
        if shape.user_task:
            task = workflow.get_tasks(state=self.READY, manual=True)[0]
            task.data.update({"approved": True})
            task.run()
            if after is not None:
                after(task)
            workflow.do_engine_steps(did_complete_task=after)
        return workflow

    def check(self, shape: Shape, i: int, workflow) -> dict:
        if not workflow.is_completed():
            raise AssertionError("workflow did not complete")
        done = {
            t.task_spec.bpmn_id
            for t in workflow.get_tasks(state=self.COMPLETED)
            if t.task_spec.bpmn_id
        }
        missing = _expected_elements(shape, i) - done
        if missing:
            raise AssertionError(f"no completed task for {sorted(missing)}")
        if self.json_each_task and not self.last_json:
            raise AssertionError("nothing was serialised")
        return workflow.data


SPIFF_TABLE = "bench_spiff_workflow"


def _psycopg_kwargs(url: str) -> dict:
    parts = urlparse(url)
    kwargs = {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": unquote(parts.username or "postgres"),
        "dbname": unquote(parts.path.lstrip("/")),
    }
    if parts.password:
        kwargs["password"] = unquote(parts.password)
    return kwargs


class SpiffPostgres(Spiff):
    """SpiffWorkflow as its users persist it: after every task it runs, the whole
    workflow serialised to JSON, written to the workflow's PostgreSQL row and
    committed (its own connection, synchronous_commit as the server has it: on)."""

    uses_database = False  # not through Django: its statements are counted here

    def __init__(self):
        import psycopg

        super().__init__(json_each_task=True)
        self.name = SPIFF_PG
        self.conn = psycopg.connect(**_psycopg_kwargs(os.environ["DATABASE_URL"]))
        with self.conn.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {SPIFF_TABLE} ("  # noqa: S608 - a constant
                "id bigserial PRIMARY KEY, process_id text NOT NULL, "
                "completed boolean NOT NULL DEFAULT false, "
                "serialization jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())"
            )
            cursor.execute(f"TRUNCATE {SPIFF_TABLE}")  # noqa: S608
            cursor.execute("SHOW synchronous_commit")
            self.synchronous_commit = cursor.fetchone()[0]
        self.conn.commit()
        self.statements = 0

    def run(self, shape: Shape, i: int):
        workflow = self.Workflow(self.spec)
        workflow.task_tree.data.update(start_variables(shape, i))
        # The root task's data does not survive a round trip through the serializer:
        # the workflow's own data does (read back for shape d's person's task).
        workflow.data.update(start_variables(shape, i))
        conn = self.conn
        with conn.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {SPIFF_TABLE} (process_id, serialization) "  # noqa: S608
                "VALUES (%s, %s) RETURNING id",
                [shape.process_id, self.serializer.serialize_json(workflow)],
            )
            row_id = cursor.fetchone()[0]
        conn.commit()
        self.statements += 1

        def after(task):
            self.last_json = self.serializer.serialize_json(workflow)
            with conn.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {SPIFF_TABLE} SET serialization = %s, completed = %s, "  # noqa: S608
                    "updated_at = now() WHERE id = %s",
                    [self.last_json, workflow.is_completed(), row_id],
                )
            conn.commit()
            self.serialized += 1
            self.statements += 1

        workflow.do_engine_steps(did_complete_task=after)
        if shape.user_task:
            # A person completes the task later: the workflow is read back from its row.
            with conn.cursor() as cursor:
                cursor.execute(
                    f"SELECT serialization::text FROM {SPIFF_TABLE} WHERE id = %s FOR UPDATE",  # noqa: S608
                    [row_id],
                )
                stored = cursor.fetchone()[0]
            self.statements += 1
            workflow = self.serializer.deserialize_json(stored)
            task = workflow.get_tasks(state=self.READY, manual=True)[0]
            task.data.update({"approved": True})
            task.run()
            after(task)
            workflow.do_engine_steps(did_complete_task=after)
        return workflow

    def check(self, shape: Shape, i: int, workflow) -> dict:
        data = super().check(shape, i, workflow)
        with self.conn.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM {SPIFF_TABLE} WHERE completed"  # noqa: S608
            )
            if not cursor.fetchone()[0]:
                raise AssertionError("no workflow row was committed as completed")
        self.conn.commit()
        return data

    def statements_per_instance(self, shape: Shape, i: int) -> int:
        before = self.statements
        self.run(shape, i)
        return self.statements - before


class Viewflow:
    """django-viewflow 2.x, flows in bench/vfapp/flows.py, on the same PostgreSQL."""

    name = VIEWFLOW
    uses_database = True

    def __init__(self):
        from django.contrib.auth import get_user_model
        from django.db import transaction
        from viewflow.workflow.status import PROCESS, STATUS

        from bench.vfapp.flows import BENCH_OWNER, FLOWS

        self.flows = FLOWS
        self.transaction = transaction
        self.STATUS = STATUS
        self.PROCESS = PROCESS
        user, _ = get_user_model().objects.get_or_create(username="bench-viewflow")
        BENCH_OWNER["user"] = user

    def prepare(self, shape: Shape) -> None:
        self.flow = self.flows[shape.key]

    def run(self, shape: Shape, i: int):
        flow_class = self.flow
        process = flow_class.start.run(_process_data=start_variables(shape, i))
        if shape.user_task:
            # What viewflow's task view does on POST: lock, load the task, start, execute
            # (the End node saves the process with its data in the same transaction).
            with flow_class.lock(process.pk), self.transaction.atomic():
                task = flow_class.task_class._default_manager.get(
                    process_id=process.pk,
                    flow_task=flow_class.approve,
                    status=self.STATUS.ASSIGNED,
                )
                activation = flow_class.approve.activation_class(task)
                activation.start(None)
                activation.process.data["approved"] = True
                activation.execute()
        return process.pk

    def check(self, shape: Shape, i: int, handle) -> dict:
        process = self.flow.process_class._default_manager.get(pk=handle)
        if process.status != self.PROCESS.DONE:
            raise AssertionError(f"process {handle} is {process.status}")
        tasks = self.flow.task_class._default_manager.filter(process_id=handle)
        if tasks.exclude(status=self.STATUS.DONE).exists():
            raise AssertionError(f"process {handle} has unfinished tasks")
        done = {t.flow_task.name for t in tasks}
        missing = _expected_elements(shape, i) - done
        if missing:
            raise AssertionError(f"process {handle} has no task for {sorted(missing)}")
        return process.data


def _expected_elements(shape: Shape, i: int) -> set[str]:
    """Element ids (= viewflow node names) every instance must have completed."""
    if shape.key == "a":
        return {"start", "inc", "end"}
    if shape.key == "b":
        branch = "high" if start_variables(shape, i)["x"] > 5 else "low"
        return {"start", "gw", branch, f"end_{branch}"}
    if shape.branches:
        return {"start", "split", "join", "end", *(f"t{k}" for k in range(shape.branches))}
    return {"start", "approve", "end"}


def _expected_variables(shape: Shape, i: int) -> dict:
    variables = start_variables(shape, i)
    x = variables["x"]
    if shape.key == "a":
        return {"x": x + 1}
    if shape.key == "b":
        return {"x": x, "y": x * 2 if x > 5 else x + 100}
    if shape.branches:
        return {"x": x, **{f"b{k}": x + k for k in range(shape.branches)}}
    return {"x": x, "approved": True}


# --------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------


@dataclass
class Result:
    shape: Shape
    engine: str
    count: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # this process's CPU time (the rest is waiting, mostly on the DB)
    rounds: list[float] = field(default_factory=list)  # instances/s of each round
    statements: int | None = None  # SQL statements one instance sends (untimed extra run)
    error: str = ""
    handles: list = field(default_factory=list)

    @property
    def per_second(self) -> float | None:
        """The median round: one round slowed by a neighbour's load does not move it."""
        return statistics.median(self.rounds) if self.rounds and not self.error else None

    @property
    def ms_per_instance(self) -> float | None:
        rate = self.per_second
        return 1000 / rate if rate else None

    @property
    def cpu_ms_per_instance(self) -> float | None:
        return 1000 * self.cpu_seconds / self.count if self.count and not self.error else None

    @property
    def us_per_branch(self) -> float | None:
        ms = self.ms_per_instance
        return 1000 * ms / self.shape.branches if ms is not None and self.shape.branches else None


def count_for(shape: Shape, engine_name: str) -> int:
    counts = COUNTS_SLOW if engine_name in SLOW_ENGINES else COUNTS
    return max(ROUNDS, round(counts[shape.key] * SCALE / ROUNDS) * ROUNDS)


def measure_shape(engines: list, shape: Shape) -> dict[str, Result]:
    """Warm every engine up on the shape, then time ROUNDS interleaved rounds
    (engine 1, engine 2, ..., engine 1, ...) so background load hits all alike."""
    results = {engine.name: Result(shape, engine.name) for engine in engines}
    live = []
    for engine in engines:
        result = results[engine.name]
        try:
            engine.prepare(shape)
            for i in range(WARMUP[shape.key]):
                engine.run(shape, i)
            live.append(engine)
        except Exception as exc:
            result.error = f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
    for round_no in range(ROUNDS):
        for engine in list(live):
            result = results[engine.name]
            per_round = count_for(shape, engine.name) // ROUNDS
            first = round_no * per_round
            run: Callable = engine.run
            handles = []
            try:
                gc.collect()
                cpu = time.process_time()
                start = time.perf_counter()
                for i in range(first, first + per_round):
                    handles.append(run(shape, i))
                seconds = time.perf_counter() - start
                result.cpu_seconds += time.process_time() - cpu
            except Exception as exc:  # reported in the table, never turned into a number
                result.error = f"{type(exc).__name__}: {exc}"
                traceback.print_exc()
                live.remove(engine)
                continue
            result.seconds += seconds
            result.count += per_round
            result.rounds.append(per_round / seconds)
            result.handles.extend(handles)
    for engine in live:
        result = results[engine.name]
        # Outside the clock: the first and last instances really ran every element
        # and computed the same variables on every engine.
        try:
            for i in sorted({0, result.count - 1}):
                variables = engine.check(shape, i, result.handles[i])
                expected = _expected_variables(shape, i)
                got = {k: variables.get(k) for k in expected}
                if got != expected:
                    raise AssertionError(f"instance {i}: variables {got} != {expected}")
            if getattr(engine, "uses_database", False):
                result.statements = _count_statements(engine, shape, result.count)
            elif hasattr(engine, "statements_per_instance"):
                result.statements = engine.statements_per_instance(shape, result.count)
        except Exception as exc:
            result.error = f"check failed: {type(exc).__name__}: {exc}"
            traceback.print_exc()
        result.handles = []
    return results


def _count_statements(engine, shape: Shape, i: int) -> int:
    """SQL statements one more instance sends (BEGIN and COMMIT not included)."""
    from django.db import connection

    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counting):
        engine.run(shape, i)
    return count


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def build_report(
    results: dict[tuple[str, str], Result],
    shapes: list[Shape],
    header: str,
    unavailable: dict[str, str],
) -> tuple[str, bool]:
    lines = [header, ""]
    lines.append(
        "| shape | engine | n | instances/s | rounds (inst/s) | ms/instance | CPU ms/instance"
        " | SQL/instance | µs/branch |"
    )
    lines.append("|---|---|---:|---:|---|---:|---:|---:|---:|")
    for shape in shapes:
        for engine in ENGINES:
            r = results.get((shape.key, engine))
            if r is None:
                rate = f"n/a ({unavailable.get(engine, 'not run')})"
                lines.append(f"| {shape.key}: {shape.title} | {engine} | 0 | {rate} ||||||")
                continue
            if r.error:
                lines.append(
                    f"| {shape.key}: {shape.title} | {engine} | 0 | failed: {r.error[:160]} ||||||"
                )
                continue
            per_branch = _fmt(r.us_per_branch, 0) if shape.branches else ""
            rounds = " / ".join(_fmt(x) for x in r.rounds)
            lines.append(
                f"| {shape.key}: {shape.title} | {engine} | {r.count} | {_fmt(r.per_second)} | "
                f"{rounds} | {_fmt(r.ms_per_instance, 3)} | {_fmt(r.cpu_ms_per_instance, 3)} | "
                f"{'—' if r.statements is None else r.statements} | {per_branch} |"
            )
    lines += ["", "Flowdesk's ratio (Flowdesk instances/s ÷ other engine's):", ""]
    lines.append(
        f"| shape | vs {SPIFF} | vs {SPIFF_JSON} (goal ≥ {SPIFF_JSON_GOAL:g}×) "
        f"| vs {SPIFF_PG} (goal ≥ {SPIFF_PG_GOAL:g}×) "
        f"| vs {VIEWFLOW} (goal ≥ {VIEWFLOW_GOAL:g}×) |"
    )
    lines.append("|---|---:|---:|---:|---:|")
    all_pass = True

    def ratio(shape, other, goal):
        nonlocal all_pass
        ours = results.get((shape.key, FLOWDESK))
        theirs = results.get((shape.key, other))
        if not ours or not theirs or not ours.per_second or not theirs.per_second:
            if goal is not None:
                all_pass = False
            return "— (no result)" + (" MISS" if goal is not None else "")
        value = ours.per_second / theirs.per_second
        if goal is None:
            return f"{value:.2f}×"
        ok = value >= goal
        all_pass = all_pass and ok
        return f"{value:.2f}× {'PASS' if ok else 'MISS'}"

    for shape in shapes:
        lines.append(
            f"| {shape.key} | {ratio(shape, SPIFF, None)}"
            f" | {ratio(shape, SPIFF_JSON, SPIFF_JSON_GOAL)}"
            f" | {ratio(shape, SPIFF_PG, SPIFF_PG_GOAL)}"
            f" | {ratio(shape, VIEWFLOW, VIEWFLOW_GOAL)} |"
        )

    lines += ["", "Shape c, cost per branch as N grows (µs per branch):", ""]
    lines.append(
        "| engine | "
        + " | ".join(f"N={n} total/N" for n in PARALLEL_SIZES)
        + f" | marginal {PARALLEL_SIZES[0]}→{PARALLEL_SIZES[1]}"
        f" | marginal {PARALLEL_SIZES[1]}→{PARALLEL_SIZES[2]} | flat (≤ {FLATNESS_LIMIT:g}×) |"
    )
    lines.append("|---|" + "---:|" * (len(PARALLEL_SIZES) + 3))
    for engine in ENGINES:
        runs = [results.get((f"c{n}", engine)) for n in PARALLEL_SIZES]
        if any(r is None or r.error for r in runs):
            flat = "— (no result)"
            if engine == FLOWDESK:
                all_pass = False
                flat += " MISS"
            lines.append(
                f"| {engine} | " + " | ".join("—" for _ in PARALLEL_SIZES) + f" | — | — | {flat} |"
            )
            continue
        ms = [r.ms_per_instance for r in runs]
        n = PARALLEL_SIZES
        low = 1000 * (ms[1] - ms[0]) / (n[1] - n[0])
        high = 1000 * (ms[2] - ms[1]) / (n[2] - n[1])
        growth = high / low if low > 0 else float("inf")
        ok = growth <= FLATNESS_LIMIT
        verdict = f"{growth:.2f}× {'yes' if ok else 'no'}"
        if engine == FLOWDESK:
            verdict += " PASS" if ok else " MISS"
            all_pass = all_pass and ok
        lines.append(
            f"| {engine} | "
            + " | ".join(_fmt(r.us_per_branch, 0) for r in runs)
            + f" | {low:,.0f} | {high:,.0f} | {verdict} |"
        )
    lines += [
        "",
        f"Overall: {'PASS' if all_pass else 'MISS'} "
        f"(≥ {VIEWFLOW_GOAL:g}× viewflow, ≥ SpiffWorkflow-with-JSON and "
        f"≥ {SPIFF_PG_GOAL:g}× SpiffWorkflow-committed-to-PostgreSQL on every shape, "
        "shape c flat per branch).",
    ]
    return "\n".join(lines), all_pass


def main() -> int:
    setup_django()
    shapes = all_shapes()
    only = [key.strip() for key in os.environ.get("BENCH_SHAPES", "").split(",") if key.strip()]
    if only:
        shapes = [shape for shape in shapes if shape.key in only]
    engines = []
    unavailable: dict[str, str] = {}
    for name, factory in (
        (FLOWDESK, Flowdesk),
        (SPIFF, lambda: Spiff(json_each_task=False)),
        (SPIFF_JSON, lambda: Spiff(json_each_task=True)),
        (SPIFF_PG, SpiffPostgres),
        (VIEWFLOW, Viewflow),
    ):
        try:
            engines.append(factory())
        except Exception as exc:
            unavailable[name] = f"{type(exc).__name__}: {exc}"
            print(f"{name}: not available: {unavailable[name]}", file=sys.stderr)

    header = (
        f"# Engine benchmark\n\n{_versions()}. Each shape: a warm-up, then {ROUNDS} "
        "interleaved timed rounds per engine (n = instances timed); instances/s and "
        "ms/instance are the median round's. Flowdesk and viewflow "
        "commit every instance to PostgreSQL; SpiffWorkflow runs in memory, the JSON variant "
        "serialising the whole workflow to a JSON string after every task it runs, the "
        "PostgreSQL variant also writing that JSON to the workflow's row and committing "
        "after every task (synchronous_commit on; shape d reads the row back before the "
        "person's task, as a request would). "
        "CPU ms = this process's CPU time; the rest of the wall time is waiting, mostly on "
        "PostgreSQL. SQL/instance = statements one extra, untimed instance sends (without "
        "BEGIN/COMMIT)."
    )
    print(header.replace("# Engine benchmark\n\n", "Engine benchmark: "), flush=True)
    results: dict[tuple[str, str], Result] = {}
    started = time.perf_counter()
    for shape in shapes:
        for name, result in measure_shape(engines, shape).items():
            results[(shape.key, name)] = result
            shown = result.error or (
                f"{_fmt(result.per_second)}/s, {_fmt(result.ms_per_instance, 3)} ms/instance "
                f"(n={result.count}, rounds {' / '.join(_fmt(x) for x in result.rounds)})"
            )
            print(f"  {shape.key:5} {name:27} {shown}", flush=True)
    elapsed = time.perf_counter() - started
    report, all_pass = build_report(results, shapes, header, unavailable)
    report += f"\n\nMeasured in {elapsed:.0f} s.\n"
    print()
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report)
    print(f"written to {RESULTS.relative_to(ROOT)}")
    # A benchmark, not a test: MISS is reported, only an engine that could not run fails.
    if unavailable or any(r.error for r in results.values()):
        return 2
    return 0


# --------------------------------------------------------------------------
# Sustained: shape d over many consecutive instances, and the plans on grown tables
# --------------------------------------------------------------------------

SUSTAINED_ROUNDS = 10
SUSTAINED_RESULTS = ROOT / "bench" / "results" / "engine-sustained.md"
EXPLAIN_ROWS = 50_000  # step rows the plans are read on


def sustained(total: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.shapes import shape_d

    setup_django()
    shape = shape_d()
    engine = Flowdesk()
    engine.prepare(shape)
    for i in range(WARMUP["d"]):
        engine.run(shape, i)
    per_round = max(1, total // SUSTAINED_ROUNDS)
    rates = []
    print(f"shape d, {per_round * SUSTAINED_ROUNDS} consecutive instances on Flowdesk:", flush=True)
    for round_no in range(SUSTAINED_ROUNDS):
        gc.collect()
        start = time.perf_counter()
        for i in range(round_no * per_round, (round_no + 1) * per_round):
            engine.run(shape, i)
        rates.append(per_round / (time.perf_counter() - start))
        print(f"  round {round_no + 1}: {rates[-1]:,.1f} instances/s", flush=True)
    statements = _count_statements(engine, shape, total)
    _grow_step_rows(EXPLAIN_ROWS)
    from django.conf import settings

    # Client-side binding for this one run: its statements are logged with their values,
    # which EXPLAIN needs (prepared ones are logged with $1 placeholders).
    prepare, settings.DB_PREPARE = settings.DB_PREPARE, False
    with CaptureQueriesContext(connection) as captured:
        engine.run(shape, total + 1)
    settings.DB_PREPARE = prepare
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE", "WITH")):
                continue
            cursor.execute(f"EXPLAIN {sql}")
            plan = [line for (line,) in cursor.fetchall()]
            seq = [line.strip() for line in plan if "Seq Scan" in line]
            plans.append((sql[:110], seq, plan[0].strip()))
        cursor.execute("SELECT count(*) FROM processes_step")
        step_rows = cursor.fetchone()[0]
    first, last = rates[0], rates[-1]
    lines = [
        "# Engine benchmark, sustained: shape d (one user task)",
        "",
        _versions() + ".",
        "",
        f"{per_round * SUSTAINED_ROUNDS} consecutive instances in {SUSTAINED_ROUNDS} rounds of "
        f"{per_round} (instances/s): " + " / ".join(f"{r:,.1f}" for r in rates),
        "",
        f"Median {statistics.median(rates):,.1f}/s; last round ÷ first: {last / first:.2f} "
        f"({'does not fall' if last >= 0.8 * first else 'FALLS'} as rows accumulate).",
        f"SQL statements per instance (without BEGIN/COMMIT): {statements}.",
        "",
        f"Plans of one instance's statements with {step_rows:,} step rows "
        "(a sequential scan on a grown table would be a missing index):",
        "",
        "| statement | plan | sequential scans |",
        "|---|---|---|",
    ]
    for sql, seq, top in plans:
        shown = sql.replace("|", "\\|")
        lines.append(f"| `{shown}…` | {top} | {'; '.join(seq) or 'none'} |")
    report = "\n".join(lines) + "\n"
    print(report)
    SUSTAINED_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    SUSTAINED_RESULTS.write_text(report)
    print(f"written to {SUSTAINED_RESULTS.relative_to(ROOT)}")
    return 0


def _grow_step_rows(target: int) -> None:
    """Copy finished shape d instances (with their steps and activities) in SQL until the
    step table holds `target` rows, then ANALYZE, so the plans are those of a grown table."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM processes_step")
        missing = target - cursor.fetchone()[0]
        if missing > 0:
            copies = missing // 3 + 1
            cursor.execute(
                """
                WITH src AS (SELECT * FROM processes_processinstance
                             WHERE status = 'completed' ORDER BY id LIMIT 1),
                     made AS (
                       INSERT INTO processes_processinstance
                         (definition_id, version_id, status, variables, error, error_code,
                          start_event, record_id, business_key, next_step_no, started_at,
                          completed_at, duration)
                       SELECT definition_id, version_id, status, variables, '', '', '', '', '',
                              next_step_no, started_at - make_interval(secs => g),
                              completed_at - make_interval(secs => g), duration
                       FROM src, generate_series(1, %s) AS g
                       RETURNING id)
                INSERT INTO processes_step
                  (instance_id, number, element_id, element_type, name, status, started_at,
                   completed_at, event_key, correlation_key, is_user_step, result, error, data)
                SELECT made.id, s.number, s.element_id, s.element_type, s.name, s.status,
                       s.started_at, s.completed_at, '', '', s.is_user_step, '', '', s.data
                FROM made, processes_step s
                WHERE s.instance_id = (SELECT id FROM src)
                """,
                [copies],
            )
        cursor.execute("ANALYZE processes_processinstance")
        cursor.execute("ANALYZE processes_step")
        cursor.execute("ANALYZE activities_activity")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--sustained":
        sys.exit(sustained(int(sys.argv[2])))
    sys.exit(main())
