"""Engine state to step rows and back.

An instance's engine state is its variables plus its open step rows; a run
writes back only the steps it created or changed. Rows are written with one
multi-row INSERT and one batched UPDATE (psycopg pipelines executemany),
because the ORM's bulk_update builds a CASE per column and row and was the
largest cost of a step.

A run's writes go out in one round trip: the instance row's UPDATE, the step
UPDATEs and the step INSERT are sent in a psycopg pipeline and their results
(the new steps' ids) read once it is synced. A new instance's INSERT goes out
with the transaction's BEGIN. The transaction, its durability and its
statements are unchanged; only the waiting between them goes.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg
from django.conf import settings
from django.db import connection

from processes import documents
from processes.engine import InstanceState, RunResult
from processes.engine import Step as EngineStep
from processes.engine.graph import USER_TASK_KINDS, Element, Event
from processes.models import ProcessDefinition, ProcessInstance, ProcessVersion, Step
from processes.user_steps.owners import assign_owner

INSERT_FIELDS = (
    "instance",
    "number",
    "element_id",
    "element_type",
    "name",
    "scope_number",
    "status",
    "started_at",
    "completed_at",
    "due_at",
    "event_key",
    "correlation_key",
    "is_user_step",
    "owner",
    "owner_role",
    "result",
    "error",
    "data",
    "trace",
)
UPDATE_FIELDS = (
    "scope_number",
    "status",
    "started_at",
    "completed_at",
    "due_at",
    "result",
    "error",
    "data",
    "event_key",
    "correlation_key",
    "trace",
)
INSERT_BATCH = 500
INSTANCE_UPDATE_FIELDS = (
    "status",
    "variables",
    "next_step_no",
    "error",
    "completed_at",
    "duration",
)


def load_state(instance: ProcessInstance, rows: dict[int, Step]) -> InstanceState:
    """The engine state of an instance from its open step rows."""
    steps = {
        row.number: EngineStep(
            id=row.number,
            element_id=row.element_id,
            scope_id=row.scope_number,
            status=row.status,
            started_at=row.started_at,
            completed_at=row.completed_at,
            due_at=row.due_at,
            result=row.result,
            error=row.error,
            data=row.data,
            dirty=False,
        )
        for row in rows.values()
    }
    return InstanceState(
        process_id=instance.definition.code,
        status=instance.status,
        variables=instance.variables,
        steps=steps,
        next_step_id=instance.next_step_no,
        started_at=instance.started_at,
        completed_at=instance.completed_at,
    )


@dataclass
class Written:
    """User steps that a run opened or closed, for the announcements after commit."""

    activated: list[Step] = field(default_factory=list)
    closed: list[Step] = field(default_factory=list)
    # Messages that steps of this run started waiting for (a kept one may be theirs).
    awaited_messages: list[str] = field(default_factory=list)


class StaleVersion(Exception):
    """A guarded new instance was not inserted: its version is no longer its process's
    newest, or the process changed (deactivated, renamed, tracing switched)."""


@dataclass(frozen=True)
class StartGuard:
    """What a start read from a cache and the INSERT checks in the same statement."""

    version_id: int
    checksum: str
    name: str
    tracing: bool
    as_called: bool

    def params(self) -> list:
        return [self.version_id, self.checksum, self.name, self.tracing, self.as_called]


GUARD_SQL = (
    "EXISTS (SELECT 1 FROM processes_processversion v "
    "JOIN processes_processdefinition d ON d.id = v.definition_id "
    "WHERE v.id = %s AND v.checksum = %s AND d.name = %s AND d.tracing = %s "
    "AND (d.is_active OR %s) AND NOT EXISTS (SELECT 1 FROM processes_processversion n "
    "WHERE n.definition_id = v.definition_id AND n.number > v.number))"
)


def write_steps(
    instance: ProcessInstance,
    rows: dict[int, Step],
    result: RunResult,
    *,
    update_instance: bool = False,
    insert_instance: bool = False,
    guard: StartGuard | None = None,
) -> Written:
    """Insert the steps a run created and update the ones it changed (and, with
    update_instance, the instance row's run fields) in one round trip.

    With insert_instance the instance is new (no rows): it is inserted with its
    first steps in one statement, sent with the transaction's BEGIN; with a guard
    that statement also checks that the version read from a cache is still the
    newest, and raises StaleVersion (nothing written) when it is not."""
    graph = documents.resolver_for(instance.version)(instance.definition.code)
    tracing = instance.definition.tracing
    variables = result.state.variables
    to_create, to_update = [], []
    written = Written()
    for step in [*result.finished_steps, *result.changed_steps]:
        row = rows.get(step.id)
        element = graph.elements.get(step.element_id)
        if row is None:
            row = Step(
                instance=instance,
                number=step.id,
                element_id=step.element_id,
                element_type=element.kind if element else "",
                name=(element.name if element else "")[:300],
                is_user_step=is_user_step(element),
            )
            if row.is_user_step:
                assign_owner(row, element, instance)
            if tracing:
                row.trace = dict(variables)
            to_create.append(row)
            was = None
        else:
            was = row.status
            to_update.append(row)
        row.scope_number = step.scope_id
        row.status = step.status
        row.started_at = step.started_at
        row.completed_at = step.completed_at
        row.due_at = step.due_at
        row.result = (step.result or "")[:200]
        row.error = step.error or ""
        row.data = step.data
        row.event_key = event_key(element, step) if step.status == "waiting" else ""
        row.correlation_key = waiting_key(step)
        if was != "waiting" and row.event_key.startswith("message:"):
            written.awaited_messages.append(row.event_key.removeprefix("message:"))
        if row.is_user_step:
            if step.status == "waiting" and was != "waiting":
                written.activated.append(row)
            elif step.status in {"completed", "canceled"} and was == "waiting":
                written.closed.append(row)
    if insert_instance:
        _insert_instance_with_steps(instance, to_create, guard)
        return written
    with one_round_trip():
        if update_instance:
            _update_instance(instance)
        if to_update:
            _update(to_update)
        pending = _insert_send(to_create) if to_create else []
    _insert_finish(pending)
    return written


@contextmanager
def one_round_trip():
    """Send the statements of the block together and wait once, at its end.

    Only for statements whose results are read after the block (fetch inside it
    and psycopg waits there; an UPDATE's row count is unknown inside it). Errors
    surface at the end of the block, as Django's database errors."""
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor != "postgresql" or not hasattr(raw, "pipeline"):
        yield
        return
    with connection.wrap_database_errors, raw.pipeline():
        yield


class _PreparedCursor(psycopg.RawCursor):
    """Server-side binding, each statement prepared on its connection the first time
    it runs there: the hot path's statements are parsed and planned once per pooled
    connection instead of on every step (Django turns psycopg's automatic preparing
    off, for connection poolers that cannot keep prepared statements). A raw cursor:
    the statements' %s placeholders become $1, $2… once per statement text, where
    psycopg would parse every long statement again on each run (it caches only short
    ones with few parameters)."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(
            _numbered(query), params, prepare=True if prepare is None else prepare, binary=binary
        )

    def executemany(self, query, params_seq, *, returning=False):
        return super().executemany(_numbered(query), params_seq, returning=returning)


@functools.lru_cache(maxsize=512)
def _numbered(query: str) -> str:
    """A statement's %s placeholders as PostgreSQL's $1, $2…; the prebuilt statements
    of this module and its receivers hold no other % (only quoted names and types)."""
    parts = query.split("%s")
    numbered = [parts[0]]
    for number, part in enumerate(parts[1:], start=1):
        numbered += [f"${number}", part]
    return "".join(numbered)


def statement_cursor():
    """A cursor for the statements a step runs on every instance (persistence's and its
    receivers' prebuilt SQL): prepared on PostgreSQL unless DB_PREPARE is off, and
    wrapped as Django wraps its own (errors as Django's, queries logged in DEBUG and
    in tests). Elsewhere, Django's cursor."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARE:
        return connection.cursor()
    connection.ensure_connection()
    raw_connection = connection.connection
    if raw_connection.prepare_threshold is None:
        # Django opens its connections with preparing off (None), which psycopg takes
        # as "never, even when asked". Only server-binding cursors prepare, and
        # Django's own cursors bind on the client: this turns it on for ours alone.
        raw_connection.prepare_threshold = 5
    raw = _PreparedCursor(raw_connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(raw)
    return connection.make_cursor(raw)


def is_user_step(element: Element | None) -> bool:
    return element is not None and element.kind in USER_TASK_KINDS


def event_key(element: Element | None, step) -> str:
    """The key a waiting step is found by when a message or signal arrives."""
    if element is None:
        return ""
    data = step.data or {}
    if "message" in data:
        return f"message:{data['message']}"
    if "signal" in data:
        return f"signal:{data['signal']}"
    if isinstance(element, Event) and element.definition.kind in {"message", "signal"}:
        return f"{element.definition.kind}:{element.definition.name}"
    if element.kind == "receiveTask" and getattr(element, "message", ""):
        return f"message:{element.message}"
    return ""


def waiting_key(step) -> str:
    """The correlation key a waiting message step takes messages under ('' unkeyed)."""
    if step.status != "waiting":
        return ""
    key = (step.data or {}).get("correlation")
    return key[:300] if isinstance(key, str) else ""


def _preparers(names):
    fields = [Step._meta.get_field(name) for name in names]
    return [(f.attname, f.get_db_prep_save) for f in fields], [f.column for f in fields]


_INSERT_PREP, _INSERT_COLUMNS = None, None
_UPDATE_PREP, _UPDATE_COLUMNS = None, None


def _insert_send(rows: list[Step]) -> list:
    """Send the multi-row INSERTs; _insert_finish reads the ids they return."""
    global _INSERT_PREP, _INSERT_COLUMNS
    if _INSERT_PREP is None:
        _INSERT_PREP, _INSERT_COLUMNS = _preparers(INSERT_FIELDS)
    quote = connection.ops.quote_name
    table = quote(Step._meta.db_table)
    columns = ", ".join(quote(c) for c in _INSERT_COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
    pending = []
    for start in range(0, len(rows), INSERT_BATCH):
        batch = rows[start : start + INSERT_BATCH]
        params = [
            prep(getattr(row, attname), connection)
            for row in batch
            for attname, prep in _INSERT_PREP
        ]
        # Only model metadata (quoted column names) goes into the text; values are params.
        values = ", ".join([one] * len(batch))
        cursor = statement_cursor()
        cursor.execute(
            f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {quote('id')}",  # noqa: S608
            params,
        )
        pending.append((cursor, batch))
    return pending


def _insert_finish(pending: list) -> None:
    for cursor, batch in pending:
        with cursor:
            for row, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                row.pk = pk
                row._state.adding = False
                row._state.db = connection.alias


def _insert(rows: list[Step]) -> None:
    _insert_finish(_insert_send(rows))


_INSTANCE_UPDATE = None


def _update_instance(instance: ProcessInstance) -> None:
    """The instance row's run fields (the ORM's save would read the row count)."""
    global _INSTANCE_UPDATE
    if _INSTANCE_UPDATE is None:
        quote = connection.ops.quote_name
        fields = [ProcessInstance._meta.get_field(name) for name in INSTANCE_UPDATE_FIELDS]
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        table = quote(ProcessInstance._meta.db_table)
        _INSTANCE_UPDATE = (
            [(f.attname, f.get_db_prep_save) for f in fields],
            f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s",  # noqa: S608
        )
    prepare, sql = _INSTANCE_UPDATE
    params = [prep(getattr(instance, attname), connection) for attname, prep in prepare]
    with statement_cursor() as cursor:
        cursor.execute(sql, [*params, instance.pk])


_INSTANCE_INSERT = None


def _instance_insert_sql():
    global _INSTANCE_INSERT
    if _INSTANCE_INSERT is None:
        quote = connection.ops.quote_name
        fields = [f for f in ProcessInstance._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(quote(f.column) for f in fields)
        values = ", ".join(["%s"] * len(fields))
        table = quote(ProcessInstance._meta.db_table)
        _INSTANCE_INSERT = (
            [(f.attname, f.get_db_prep_save) for f in fields],
            f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {quote('id')}",  # noqa: S608
        )
    return _INSTANCE_INSERT


_STEPS_WITH_INSTANCE = {}


def _steps_with_instance_sql(count: int, *, guarded: bool) -> tuple[list, list, str]:
    """INSERT the instance (if its guard holds), then its steps from a typed VALUES
    list taking its new id."""
    if guarded not in _STEPS_WITH_INSTANCE:
        quote = connection.ops.quote_name
        # Typed placeholders: values in a SELECT do not take their types from the
        # target columns (a column of NULLs would be text).
        instance_fields = [f for f in ProcessInstance._meta.concrete_fields if not f.primary_key]
        instance_columns = ", ".join(quote(f.column) for f in instance_fields)
        instance_values = ", ".join(f"%s::{f.db_type(connection)}" for f in instance_fields)
        fields = [Step._meta.get_field(name) for name in INSERT_FIELDS if name != "instance"]
        one = "(" + ", ".join(f"%s::{f.db_type(connection)}" for f in fields) + ")"
        columns = ", ".join(quote(f.column) for f in fields)
        aliases = ", ".join(f"c{n}" for n in range(len(fields)))
        # Only model metadata (quoted names, column types) goes into the text.
        head = (
            f"WITH made AS (INSERT INTO {quote(ProcessInstance._meta.db_table)} "  # noqa: S608
            f"({instance_columns}) SELECT {instance_values} "
            f"{'WHERE ' + GUARD_SQL if guarded else ''} "
            f"RETURNING {quote('id')}) "
            f"INSERT INTO {quote(Step._meta.db_table)} ({quote('instance_id')}, {columns}) "
            f"SELECT made.{quote('id')}, {aliases} FROM made, (VALUES "
        )
        tail = (
            f") AS v ({aliases}) RETURNING {quote('id')}, {quote('number')}, {quote('instance_id')}"
        )
        _STEPS_WITH_INSTANCE[guarded] = (
            [(f.attname, f.get_db_prep_save) for f in instance_fields],
            [(f.attname, f.get_db_prep_save) for f in fields],
            head,
            one,
            tail,
        )
    instance_prep, prepare, head, one, tail = _STEPS_WITH_INSTANCE[guarded]
    return instance_prep, prepare, head + ", ".join([one] * count) + tail


def _insert_instance_with_steps(
    instance: ProcessInstance, rows: list[Step], guard: StartGuard | None
) -> None:
    if not rows or len(rows) > INSERT_BATCH or connection.vendor != "postgresql":
        # A data-modifying WITH is PostgreSQL's: elsewhere, the guard's SELECT, the
        # instance's INSERT, then the steps'.
        if guard is not None:
            _check_guard(guard)
        insert_instance(instance)
        for row in rows:
            row.instance_id = instance.pk
        _insert(rows)
        return
    instance_prep, prepare, sql = _steps_with_instance_sql(len(rows), guarded=guard is not None)
    params = [prep(getattr(instance, attname), connection) for attname, prep in instance_prep]
    params += guard.params() if guard is not None else []
    params += [prep(getattr(row, attname), connection) for row in rows for attname, prep in prepare]
    with one_round_trip():
        cursor = statement_cursor()
        cursor.execute(sql, params)
    with cursor:
        inserted = cursor.fetchall()
    if not inserted:
        raise StaleVersion(instance.version_id)
    by_number = {row.number: row for row in rows}
    for pk, number, instance_id in inserted:
        row = by_number[number]
        row.pk = pk
        row.instance_id = instance_id
        row._state.adding = False
        row._state.db = connection.alias
    instance.pk = instance_id
    instance._state.adding = False
    instance._state.db = connection.alias
    for row in rows:
        row.instance = instance


def _check_guard(guard: StartGuard) -> None:
    with statement_cursor() as cursor:
        cursor.execute(f"SELECT {GUARD_SQL}", guard.params())  # noqa: S608 - a constant
        (holds,) = cursor.fetchone()
    if not holds:
        raise StaleVersion(guard.version_id)


def insert_instance(instance: ProcessInstance) -> None:
    """Insert a new instance row, sent with the transaction's BEGIN."""
    prepare, sql = _instance_insert_sql()
    params = [prep(getattr(instance, attname), connection) for attname, prep in prepare]
    with one_round_trip():
        cursor = statement_cursor()
        cursor.execute(sql, params)
    with cursor:
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias


def _update(rows: list[Step]) -> None:
    global _UPDATE_PREP, _UPDATE_COLUMNS
    if _UPDATE_PREP is None:
        _UPDATE_PREP, _UPDATE_COLUMNS = _preparers(UPDATE_FIELDS)
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in _UPDATE_COLUMNS)
    table = quote(Step._meta.db_table)
    sql = f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608
    params = [
        [*(prep(getattr(row, attname), connection) for attname, prep in _UPDATE_PREP), row.pk]
        for row in rows
    ]
    with statement_cursor() as cursor:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)


# -- reading an instance under its lock --------------------------------------------------


class _Reader:
    """Selected columns of one model, and rows of them turned into model instances
    (as the ORM's from_db does, with the fields' database converters)."""

    def __init__(self, model, alias: str, *, skip: tuple[str, ...] = ()):
        quote = connection.ops.quote_name
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if f.name not in skip]
        self.attnames = [f.attname for f in self.fields]
        self.columns = ", ".join(f"{quote(alias)}.{quote(f.column)}" for f in self.fields)
        converters = []
        for index, f in enumerate(self.fields):
            col = f.get_col(alias)
            found = connection.ops.get_db_converters(col) + f.get_db_converters(connection)
            if found:
                converters.append((index, col, found))
        self.converters = converters

    def build(self, values):
        values = list(values)
        for index, col, found in self.converters:
            value = values[index]
            for convert in found:
                value = convert(value, col, connection)
            values[index] = value
        return self.model.from_db(connection.alias, self.attnames, values)


_LOCKED = None


def _locked_readers():
    """The instance row locked (FOR UPDATE OF it alone: its version and definition are
    shared by every instance of the process) with its version and definition, and its
    open steps: two statements, built once from the models' metadata."""
    global _LOCKED
    if _LOCKED is None:
        quote = connection.ops.quote_name
        instance = _Reader(ProcessInstance, "i")
        version = _Reader(ProcessVersion, "v", skip=("bpmn_xml",))
        definition = _Reader(ProcessDefinition, "d", skip=("description",))
        steps = _Reader(Step, "s")
        field = ProcessInstance._meta.get_field
        lock_sql = (
            f"SELECT {instance.columns}, {version.columns}, {definition.columns} "  # noqa: S608
            f"FROM {quote(ProcessInstance._meta.db_table)} i "
            f"JOIN {quote(ProcessVersion._meta.db_table)} v "
            f"ON v.{quote('id')} = i.{quote(field('version').column)} "
            f"JOIN {quote(ProcessDefinition._meta.db_table)} d "
            f"ON d.{quote('id')} = i.{quote(field('definition').column)} "
            f"WHERE i.{quote('id')} = %s"
        )
        if connection.features.has_select_for_update_of:
            lock_sql += " FOR UPDATE OF i"
        elif connection.features.has_select_for_update:
            lock_sql += " FOR UPDATE"
        steps_sql = (
            f"SELECT {steps.columns} FROM {quote(Step._meta.db_table)} s "  # noqa: S608
            f"WHERE s.{quote(Step._meta.get_field('instance').column)} = %s "
            f"AND s.{quote('status')} IN ('active', 'waiting', 'error') "
            f"ORDER BY s.{quote('number')}"
        )
        _LOCKED = (instance, version, definition, steps, lock_sql, steps_sql)
    return _LOCKED


def lock_instance(instance_id: int) -> tuple[ProcessInstance, dict[int, Step]] | None:
    """Lock an instance row and read it, its version and definition, and its open steps
    (active, waiting, error) in one round trip; None when there is no such instance.

    Inside a transaction. The steps' SELECT runs after the lock is granted (the
    statements of one session run in order), so it sees every step committed
    before it."""
    instance_reader, version_reader, definition_reader, step_reader, lock_sql, steps_sql = (
        _locked_readers()
    )
    with one_round_trip():
        locked = statement_cursor()
        locked.execute(lock_sql, [instance_id])
        open_steps = statement_cursor()
        open_steps.execute(steps_sql, [instance_id])
    with locked:
        row = locked.fetchone()
    with open_steps:
        step_rows = open_steps.fetchall()
    if row is None:
        return None
    first = len(instance_reader.fields)
    second = first + len(version_reader.fields)
    instance = instance_reader.build(row[:first])
    version = version_reader.build(row[first:second])
    definition = definition_reader.build(row[second:])
    version.definition = definition
    instance.version = version
    instance.definition = definition
    rows = {}
    for values in step_rows:
        step = step_reader.build(values)
        step.instance = instance
        rows[step.number] = step
    return instance, rows
