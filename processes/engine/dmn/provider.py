"""The decision provider business-rule tasks call: decisions of deployed models by id or name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..feel import from_python, to_python
from .parse import Definitions
from .runtime import DecisionError, Runtime


def decision_provider(models: Iterable[Definitions]) -> Callable[[str, Mapping[str, Any]], Any]:
    """A callable ``(decision id or name, variables) -> value`` over ``models``.

    The value is plain Python (numbers as int/float); a decision that cannot be
    evaluated, or that ends with errors and no value, raises DecisionError with the reason.
    """
    catalogue = list(models)
    by_namespace = {model.namespace: model for model in catalogue}

    def provide(decision: str, variables: Mapping[str, Any]) -> Any:
        for model in catalogue:
            element = next(
                (
                    item
                    for item in model.elements.values()
                    if item.kind == "decision" and decision in (item.id, item.name)
                ),
                None,
            )
            if element is None:
                continue
            runtime = Runtime(model, by_namespace)
            inputs = {
                str(name): from_python(value, runtime.meter) for name, value in variables.items()
            }
            value = runtime.evaluate_decision(element.name, inputs)
            if value is None and runtime.errors:
                raise DecisionError("; ".join(runtime.errors[:3]))
            return to_python(value)
        raise DecisionError(f"no deployed decision has the id or name {decision!r}")

    return provide
