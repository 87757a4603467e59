"""The FEEL subset (an expression after a leading ``=``, as Camunda 8 writes it)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .budget import numeric_sum, require_length
from .common import ExpressionRuntimeError
from .el import Dialect, ElEvaluator, ElExpression, ElParser, is_number, type_label


class FeelEvaluator(ElEvaluator):
    """FEEL's semantics: strict types, three-valued logic, null propagating
    through arithmetic and comparison, lists counted from 1."""

    def is_true(self, value: Any) -> bool:
        return value is True  # only true is true; null and non-booleans are not

    def logical(self, operation: str, left_node: Any, right_node: Any) -> Any:
        # Three-valued logic: false wins 'and', true wins 'or', otherwise null.
        deciding = operation == "or"
        left = self.eval(left_node)
        if left is deciding:
            return deciding
        right = self.eval(right_node)
        if right is deciding:
            return deciding
        if left is (not deciding) and right is (not deciding):
            return not deciding
        return None

    def unary(self, operation: str, value: Any) -> Any:
        return None if value is None else -self.to_number(value)

    def to_number(self, value: Any) -> int | float:
        if is_number(value):
            return value
        raise ExpressionRuntimeError(f"expected a number but got {type_label(value)} {value!r}")

    def equals(self, left: Any, right: Any) -> bool:
        if left is None or right is None:
            return left is right
        if type_label(left) != type_label(right):
            return False  # values of different kinds are never equal
        return self.values_equal(left, right)

    def order(self, operation: str, left: Any, right: Any) -> bool | None:
        if left is None or right is None:
            return None
        return self.compare(operation, left, right)

    def list_position(self, position: int) -> int | None:
        # Lists count from 1; negative positions count from the end.
        if position == 0:
            return None
        return position - 1 if position > 0 else position

    def arithmetic(self, operation: str, left: Any, right: Any) -> Any:
        if left is None or right is None:
            return None  # arithmetic with null is null
        if operation == "add" and isinstance(left, str) and isinstance(right, str):
            require_length(len(left) + len(right), "the string")
            return left + right
        return super().arithmetic(operation, left, right)


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
    evaluator=FeelEvaluator,
)
# fmt: on


def compile_feel(text: str) -> ElExpression:
    """Compile FEEL text; the leading ``=`` that marks it is not part of the expression."""
    body = text.lstrip()
    body = body[1:] if body.startswith("=") else body
    return ElExpression(text, FEEL, ElParser(body, FEEL).parse_all())
