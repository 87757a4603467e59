"""The FEEL subset (an expression after a leading ``=``, as Camunda 8 writes it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .budget import numeric_sum
from .el import Dialect, ElExpression, ElParser


def _feel_not(value: Any) -> bool | None:
    return (not value) if isinstance(value, bool) else None


def _feel_values(arguments: tuple[Any, ...]) -> list[Any]:
    """FEEL list functions take a list or the items as separate arguments."""
    if len(arguments) == 1 and isinstance(arguments[0], list):
        return arguments[0]
    return list(arguments)


_FEEL_BUILTINS: Mapping[str, Callable[..., Any]] = {
    "not": _feel_not,
    "count": lambda *values: len(_feel_values(values)),
    "sum": lambda *values: numeric_sum(_feel_values(values)),
    "min": lambda *values: min(_feel_values(values), default=None),
    "max": lambda *values: max(_feel_values(values), default=None),
    "abs": abs,
}


# fmt: off
FEEL = Dialect(
    name="feel",
    infix={
        "or": (4, "or"), "and": (6, "and"), "=": (8, "eq"), "!=": (8, "ne"),
        "<": (8, "lt"), ">": (8, "gt"), "<=": (8, "le"), ">=": (8, "ge"), "in": (8, "in"),
        "+": (12, "add"), "-": (12, "sub"), "*": (14, "mul"), "/": (14, "div"),
        "**": (15, "pow"),
    },
    reserved=frozenset({"and", "or", "true", "false", "null", "if", "then", "else", "in"}),
    has_conditional_operator=False,
    has_if_expression=True,
    has_intervals=True,
    right_associative=frozenset({"**"}),
    mistakes={
        "==": "FEEL compares with '=', not '=='",
        "&&": "FEEL uses 'and', not '&&'",
        "||": "FEEL uses 'or', not '||'",
    },
    builtins=_FEEL_BUILTINS,
)
# fmt: on


def compile_feel(text: str) -> ElExpression:
    """Compile FEEL text; the leading ``=`` that marks it is not part of the expression."""
    body = text.lstrip()
    body = body[1:] if body.startswith("=") else body
    return ElExpression(text, FEEL, ElParser(body, FEEL).parse_all())
