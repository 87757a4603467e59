"""Engine state to step rows and back.

An instance's engine state is its variables plus its open step rows; a run
writes back only the steps it created or changed. Rows are written with one
multi-row INSERT and one batched UPDATE (psycopg pipelines executemany),
because the ORM's bulk_update builds a CASE per column and row and was the
largest cost of a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from processes import documents
from processes.engine import InstanceState, RunResult
from processes.engine import Step as EngineStep
from processes.engine.graph import USER_TASK_KINDS, Element, Event
from processes.models import ProcessInstance, Step
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


def write_steps(instance: ProcessInstance, rows: dict[int, Step], result: RunResult) -> Written:
    """Insert the steps a run created and update the ones it changed."""
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
        if row.is_user_step:
            if step.status == "waiting" and was != "waiting":
                written.activated.append(row)
            elif step.status in {"completed", "canceled"} and was == "waiting":
                written.closed.append(row)
    if to_create:
        _insert(to_create)
    if to_update:
        _update(to_update)
    return written


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


def _insert(rows: list[Step]) -> None:
    global _INSERT_PREP, _INSERT_COLUMNS
    if _INSERT_PREP is None:
        _INSERT_PREP, _INSERT_COLUMNS = _preparers(INSERT_FIELDS)
    quote = connection.ops.quote_name
    table = quote(Step._meta.db_table)
    columns = ", ".join(quote(c) for c in _INSERT_COLUMNS)
    one = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH):
            batch = rows[start : start + INSERT_BATCH]
            params = [
                prep(getattr(row, attname), connection)
                for row in batch
                for attname, prep in _INSERT_PREP
            ]
            # Only model metadata (quoted column names) goes into the text; values are params.
            values = ", ".join([one] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {quote('id')}",  # noqa: S608
                params,
            )
            for row, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                row.pk = pk
                row._state.adding = False


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
    with connection.cursor() as cursor:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)
