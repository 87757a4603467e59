"""Add, Modify, Read and Delete data: named actions over registered models.

A task names the action and the model, and says what to write and which
rows with expressions over the process variables:

    <bpmn:serviceTask flowdesk:action="data.modify" flowdesk:model="crm.Contact"
        flowdesk:where="id=contact_id" flowdesk:values="job_title=new_title" />

`where` and `values` are `field=expression` pairs separated by ';'. Only the
model's registered fields (and `id` in `where`) are reachable. The action's
value (new id, rows changed, the record read) goes to flowdesk:resultVariable.
"""

from functools import lru_cache

from processes import registry
from processes.engine.actions import ActionContext, register_action
from processes.engine.expressions import compile_expression


class DataTaskError(ValueError):
    pass


@lru_cache(maxsize=512)
def _pairs(text: str) -> tuple[tuple[str, object], ...]:
    pairs = []
    for part in (text or "").split(";"):
        if not part.strip():
            continue
        name, sep, expression = part.partition("=")
        if not sep or not name.strip() or not expression.strip():
            raise DataTaskError(f"'{part.strip()}' is not of the form field=expression")
        pairs.append((name.strip(), compile_expression(expression.strip())))
    return tuple(pairs)


def _evaluate(ctx: ActionContext, text: str, allowed: set[str]) -> dict:
    values = {}
    for name, expression in _pairs(text):
        if name not in allowed:
            raise DataTaskError(
                f"field '{name}' is not available to processes "
                f"(available: {', '.join(sorted(allowed))})"
            )
        values[name] = expression.evaluate(ctx.variables)
    return values


def _target(ctx: ActionContext):
    label = ctx.ext.get("model", "")
    if not label:
        raise DataTaskError("a data task needs flowdesk:model")
    entry = registry.get_model(label)
    return entry, {_attname(entry, name) for name in entry.fields}


def _attname(entry, name: str) -> str:
    field = entry.model._meta.get_field(name)
    return field.attname if field.is_relation else name


def _rows(ctx: ActionContext, entry, fields: set[str]):
    where = _evaluate(ctx, ctx.ext.get("where", ""), fields | {"id"})
    if not where:
        raise DataTaskError("flowdesk:where is needed to choose the rows")
    return entry.model.objects.filter(**where)


@register_action("data.add")
def add_data(ctx: ActionContext):
    entry, fields = _target(ctx)
    record = entry.model(**_evaluate(ctx, ctx.ext.get("values", ""), fields))
    record.full_clean(exclude=[f.name for f in entry.model._meta.fields if f.attname not in fields])
    record.save()
    return record.pk


@register_action("data.modify")
def modify_data(ctx: ActionContext):
    entry, fields = _target(ctx)
    values = _evaluate(ctx, ctx.ext.get("values", ""), fields)
    changed = 0
    for record in _rows(ctx, entry, fields):
        for name, value in values.items():
            setattr(record, name, value)
        record.save()  # save(), not update(): record triggers and auto_now fields see it
        changed += 1
    return changed


@register_action("data.read")
def read_data(ctx: ActionContext):
    entry, fields = _target(ctx)
    rows = _rows(ctx, entry, fields)
    if ctx.ext.get("many") == "true":
        return [registry.record_values(record) for record in rows[:1000]]
    record = rows.first()
    return registry.record_values(record) if record is not None else None


@register_action("data.delete")
def delete_data(ctx: ActionContext):
    entry, fields = _target(ctx)
    deleted = 0
    for record in _rows(ctx, entry, fields):
        record.delete()
        deleted += 1
    return deleted
