"""FEEL, the expression language of DMN 1.5 (chapter 10), complete and safe.

Plain Python: no ``eval``, every evaluation on the shared work budget
(`processes.engine.expressions.budget.WorkMeter`). `lexer` splits text,
`parser` builds tuples, `interpreter` evaluates them, `builtins` holds the
built-in functions, `types` and `temporal` the values.

    node = parse_expression("sum(items[item > 2])")
    value = evaluate(node, {"items": [1, 2, 3, 4]})   # Decimal('7')
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping
from typing import Any

from ..expressions.budget import WorkMeter
from .builtins import BUILTINS
from .interpreter import Interpreter, Scope
from .parser import parse_expression, parse_unary_tests
from .types import (
    NUMBER_CONTEXT,
    DayTime,
    FeelError,
    FeelTime,
    Function,
    Range,
    YearMonth,
    to_text,
    type_name,
)

__all__ = [
    "BUILTINS",
    "NUMBER_CONTEXT",
    "DayTime",
    "FeelError",
    "FeelTime",
    "Function",
    "Interpreter",
    "Range",
    "Scope",
    "YearMonth",
    "evaluate",
    "from_python",
    "parse_expression",
    "parse_unary_tests",
    "to_python",
    "to_text",
    "type_name",
]


def evaluate(
    node: Any,
    variables: Mapping[str, Any] | None = None,
    *,
    strict: bool = False,
    meter: WorkMeter | None = None,
) -> Any:
    """Evaluate a parsed FEEL expression against ``variables`` (FEEL values)."""
    interpreter = Interpreter(strict=strict, meter=meter)
    return interpreter.eval(node, Scope(dict(variables or {})))


def from_python(value: Any, meter: WorkMeter | None = None) -> Any:
    """A Python value (e.g. a process variable from JSON) as a FEEL value."""
    if meter is not None:
        meter.step()
    if value is None or isinstance(value, bool | str | decimal.Decimal):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return None
        return NUMBER_CONTEXT.create_decimal(repr(value) if isinstance(value, float) else value)
    if isinstance(value, list | tuple):
        return [from_python(item, meter) for item in value]
    if isinstance(value, Mapping):
        return {str(key): from_python(item, meter) for key, item in value.items()}
    if isinstance(value, dt.timedelta):
        return DayTime(
            decimal.Decimal(value.days * 86400 + value.seconds)
            + decimal.Decimal(value.microseconds) / 10**6
        )
    if isinstance(value, dt.time):
        return FeelTime(value)
    return value


def to_python(value: Any) -> Any:
    """A FEEL value as plain Python for process variables (JSON-friendly numbers).

    Whole numbers become ``int``, others ``float``; temporal values stay
    ``datetime``/``date``; times, durations and ranges become their FEEL text.
    """
    if isinstance(value, decimal.Decimal):
        if value == value.to_integral_value() and abs(value) < 10**18:
            return int(value)
        return float(value)
    if isinstance(value, list):
        return [to_python(item) for item in value]
    if isinstance(value, dict):
        return {key: to_python(item) for key, item in value.items()}
    if isinstance(value, FeelTime | DayTime | YearMonth | Range):
        return to_text(value)
    if isinstance(value, Function):
        return to_text(value)
    return value
