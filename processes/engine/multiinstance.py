"""Multi-instance activities, parallel and sequential.

The first visit of a multi-instance activity becomes its body step
(`data['mi']`: count, next index, outputs by index). Each instance is a step
of the same element inside the body's scope, with `data['mi_index']` and its
own variables `data['vars']` (the input item). When an instance completes its
output item is recorded in the body; the body completes when all instances
have (or the completion condition holds), writing the output collection.

The built-in variables of BPMN / Camunda are visible in every expression
language: each instance holds `loopCounter` (its index from 0) and
`nrOfInstances` among its own variables; the completion condition also sees
`nrOfActiveInstances` and `nrOfCompletedInstances` as they stand when the
instance that just completed is counted.
"""

from __future__ import annotations

from collections import ChainMap
from typing import TYPE_CHECKING

from .events import arm_boundaries
from .graph import Element
from .limits import MAX_MULTI_INSTANCE
from .state import Step

if TYPE_CHECKING:
    from .runtime import Run


def enter(run: Run, step: Step, element: Element) -> None:
    """First visit of a multi-instance activity: make it the body and spawn its instances."""
    loop = element.loop
    assert loop is not None
    keys = None
    items = None
    if loop.cardinality is not None:
        count = _cardinality(run.evaluate(loop.cardinality, step))
    else:
        collection = run.read_variables(step).get(loop.input_collection)
        if isinstance(collection, dict):
            keys = list(collection)
            items = list(collection.values())
        elif isinstance(collection, list | tuple):
            items = list(collection)
        elif collection is None:
            raise LookupError(f"multi-instance input '{loop.input_collection}' is not a variable")
        else:
            raise TypeError(
                f"multi-instance input '{loop.input_collection}' is a "
                f"{type(collection).__name__}, not a list or dict"
            )
        count = len(items)
        if count > MAX_MULTI_INSTANCE:
            raise ValueError(
                f"multi-instance input '{loop.input_collection}' has {count} items; "
                f"the limit is {MAX_MULTI_INSTANCE:,} instances"
            )
    mi = {"count": count, "next": 0, "done": 0, "outputs": {}}
    if keys is not None:
        mi["keys"] = keys
    if loop.is_sequential and items is not None:
        mi["items"] = items
    step.data["mi"] = mi
    step.status = "waiting"
    run.touch(step)
    arm_boundaries(run, step, element)
    if count <= 0:
        _finish_body(run, step, element)
        return
    if loop.is_sequential:
        _spawn(run, step, element, 0, items[0] if items is not None else 0)
    else:
        for index in range(count):
            _spawn(run, step, element, index, items[index] if items is not None else index)


def _cardinality(value) -> int:
    """The instance count a loopCardinality expression gave, within the limit."""
    if not isinstance(value, int | float | str):
        raise TypeError(f"multi-instance cardinality must be a number, not {value!r}")
    if isinstance(value, str) and len(value) > 20:
        raise ValueError("multi-instance cardinality is not a number")
    count = int(value)
    if count > MAX_MULTI_INSTANCE:
        raise ValueError(
            f"multi-instance cardinality {count} is past the limit of "
            f"{MAX_MULTI_INSTANCE:,} instances"
        )
    return count


def resume(run: Run, body: Step, element: Element) -> None:
    """A body retried after an error: finish it if its instances are done."""
    body.status = "waiting"
    run.touch(body)
    mi = body.data["mi"]
    if run.children.get(body.id):
        return
    index = mi["next"]
    if element.loop.is_sequential and index < mi["count"] and index > 0:
        items = mi.get("items")
        _spawn(run, body, element, index, items[index] if items is not None else index)
    elif mi["done"] >= mi["count"] or element.loop.completion_condition is not None:
        _finish_body(run, body, element)


def _spawn(run: Run, body: Step, element: Element, index: int, item) -> None:
    loop = element.loop
    local = {"loopCounter": index, "nrOfInstances": body.data["mi"]["count"]}
    if loop.input_item:
        local[loop.input_item] = item
    body.data["mi"]["next"] = index + 1
    run.new_step(element.id, body.id, data={"mi_index": index, "vars": local})


def instance_done(run: Run, instance: Step, element: Element) -> None:
    """An instance completed: record its output, then continue or finish the body."""
    body = run.state.steps.get(instance.scope_id)
    if body is None or "mi" not in body.data:
        return
    loop = element.loop
    mi = body.data["mi"]
    visible = ChainMap(instance.data.get("vars", {}), run.read_variables(body))
    if loop.output_item:
        mi["outputs"][str(instance.data["mi_index"])] = visible.get(loop.output_item)
    mi["done"] += 1
    run.touch(body)
    if loop.completion_condition is not None and loop.completion_condition.compiled.evaluate(
        ChainMap(counters(run, body), visible), run.functions
    ):
        for other_id in sorted(run.children.get(body.id, ())):
            other = run.state.steps.get(other_id)
            if other is not None:
                run.cancel_step(other)
        _finish_body(run, body, element)
        return
    if loop.is_sequential:
        index = mi["next"]
        if index < mi["count"]:
            items = mi.get("items")
            _spawn(run, body, element, index, items[index] if items is not None else index)
            return
        _finish_body(run, body, element)
    elif mi["done"] >= mi["count"]:
        _finish_body(run, body, element)


def counters(run: Run, body: Step) -> dict:
    """The multi-instance built-in variables of a body as they stand now."""
    mi = body.data["mi"]
    active = sum(
        1
        for i in run.children.get(body.id, ())
        if i in run.state.steps and run.state.steps[i].is_open
    )
    return {
        "nrOfInstances": mi["count"],
        "nrOfActiveInstances": active,
        "nrOfCompletedInstances": mi["done"],
    }


def _finish_body(run: Run, body: Step, element: Element) -> None:
    loop = element.loop
    mi = body.data["mi"]
    if loop.output_collection:
        outputs = mi["outputs"]
        order = sorted(int(i) for i in outputs)
        keys = mi.get("keys")
        existing = run.read_variables(body).get(loop.output_collection)
        if keys is not None:
            collected = {str(keys[i]): outputs[str(i)] for i in order}
        elif isinstance(existing, dict) and loop.output_collection != loop.input_collection:
            collected = {str(i): outputs[str(i)] for i in order}
        else:
            collected = [outputs[str(i)] for i in order]
        run.write_variables(body, {loop.output_collection: collected})
    run.leave(body, element)
