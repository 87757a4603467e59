"""The decision provider business-rule tasks call: decisions of deployed models by id or name."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..feel import from_python, to_python
from .parse import Definitions, Element_
from .runtime import DecisionError, MatchedRules, Runtime


@dataclass(frozen=True)
class DecisionOutcome:
    """A decision's value (plain Python) and the decision-table rules that matched."""

    value: Any
    matched: tuple[MatchedRules, ...] = ()

    def matched_json(self) -> list[dict[str, Any]]:
        return [entry.as_json() for entry in self.matched]


def find_decision(model: Definitions, decision: str) -> Element_ | None:
    """The decision of ``model`` whose id or name is ``decision``."""
    return next(
        (
            item
            for item in model.elements.values()
            if item.kind == "decision" and decision in (item.id, item.name)
        ),
        None,
    )


def evaluate(
    model: Definitions,
    decision: str,
    variables: Mapping[str, Any],
    imported: Mapping[str, Definitions] | None = None,
) -> DecisionOutcome:
    """Evaluate decision ``decision`` (id or name) of ``model`` with plain Python inputs.

    Raises DecisionError with the reason when the decision is unknown, or ends with
    errors and no value.
    """
    element = find_decision(model, decision)
    if element is None:
        raise DecisionError(f"the model has no decision with the id or name {decision!r}")
    runtime = Runtime(model, imported)
    inputs = {str(name): from_python(value, runtime.meter) for name, value in variables.items()}
    value = runtime.evaluate_decision(element.name, inputs)
    if value is None and runtime.errors:
        raise DecisionError("; ".join(runtime.errors[:3]))
    return DecisionOutcome(to_python(value), tuple(runtime.matched))


def decision_provider(
    models: Iterable[Definitions],
) -> Callable[[str, Mapping[str, Any]], DecisionOutcome]:
    """A callable ``(decision id or name, variables) -> DecisionOutcome`` over ``models``.

    The value is plain Python (numbers as int/float); a decision that cannot be
    evaluated, or that ends with errors and no value, raises DecisionError with the reason.
    """
    catalogue = list(models)
    by_namespace = {model.namespace: model for model in catalogue}

    def provide(decision: str, variables: Mapping[str, Any]) -> DecisionOutcome:
        for model in catalogue:
            if find_decision(model, decision) is not None:
                return evaluate(model, decision, variables, by_namespace)
        raise DecisionError(f"no deployed decision has the id or name {decision!r}")

    return provide
