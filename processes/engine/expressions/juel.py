"""The JUEL subset (Camunda's ``${...}`` expressions and composite text)."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

from .budget import SIZED_TYPES
from .common import ExpressionRuntimeError
from .el import Dialect, ElEvaluator, ElExpression, ElParser, is_number, type_label


class JuelEvaluator(ElEvaluator):
    """JUEL's semantics: Java EL coercions (null is 0, false or ''; strings parse as
    numbers and booleans) and short-circuit logic."""

    def is_true(self, value: Any) -> bool:
        return self.to_boolean(value)

    def to_boolean(self, value: Any) -> bool:
        """EL coercion to boolean: null/'' are false, strings compare with 'true'."""
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return value.strip().lower() == "true"
        raise ExpressionRuntimeError(f"cannot use a {type_label(value)} value as a boolean")

    def logical(self, operation: str, left_node: Any, right_node: Any) -> Any:
        left = self.to_boolean(self.eval(left_node))  # short-circuit, as in Java
        if (operation == "and") != left:
            return left
        return self.to_boolean(self.eval(right_node))

    def unary(self, operation: str, value: Any) -> Any:
        if operation == "not":
            return not self.to_boolean(value)
        if operation == "empty":
            return value is None or (isinstance(value, (*SIZED_TYPES, Mapping)) and not value)
        return -self.to_number(value)

    def to_number(self, value: Any) -> int | float:
        """EL coercion to a number: null and '' are 0, numeric strings parse."""
        if is_number(value):
            return value
        if value is None or value == "":
            return 0
        if isinstance(value, str):
            try:
                return int(value) if value.strip().lstrip("+-").isdigit() else float(value)
            except ValueError:
                pass
        raise ExpressionRuntimeError(f"expected a number but got {type_label(value)} {value!r}")

    def equals(self, left: Any, right: Any) -> bool:
        if left is None or right is None:
            return left is right
        if isinstance(left, bool) or isinstance(right, bool):
            return self.to_boolean(left) == self.to_boolean(right)
        if is_number(left) or is_number(right):
            return self.to_number(left) == self.to_number(right)
        return self.values_equal(left, right)

    def order(self, operation: str, left: Any, right: Any) -> bool | None:
        if left is None or right is None:
            return False
        if is_number(left) or is_number(right):
            left, right = self.to_number(left), self.to_number(right)
        return self.compare(operation, left, right)

    def method_call(self, target: str, method: str, arguments: list[Any]) -> Any:
        """Camunda's `execution` methods over the variables the expression sees;
        nothing else of the engine is reachable."""
        expected = EXECUTION_ARITY[method]
        if len(arguments) != expected:
            raise ExpressionRuntimeError(
                f"execution.{method}() takes {expected} argument(s), not {len(arguments)}"
            )
        base = method.removesuffix("Local")
        variables = self.variables
        if base in ("getVariables", "getVariableNames"):
            return dict(variables) if base == "getVariables" else sorted(variables)
        if base in ("getProcessBusinessKey", "getBusinessKey"):
            # Flowdesk keeps a business key brought from Camunda in this variable.
            return variables.get("businessKey")
        name = arguments[0]
        if not isinstance(name, str):
            raise ExpressionRuntimeError(f"execution.{method}() needs a variable name")
        if base == "getVariable":
            return variables.get(name)
        if base == "hasVariable":
            return name in variables
        if not isinstance(variables, MutableMapping):
            raise ExpressionRuntimeError(f"execution.{method}() cannot change variables here")
        if base == "setVariable":
            variables[name] = arguments[1]
        else:  # removeVariable
            variables.pop(name, None)
        return None


# Camunda's `execution` methods a JUEL expression may call, by argument count.
EXECUTION_ARITY = {
    **{m: 1 for m in ("getVariable", "getVariableLocal", "hasVariable", "hasVariableLocal")},
    **{m: 1 for m in ("removeVariable", "removeVariableLocal")},
    **{m: 2 for m in ("setVariable", "setVariableLocal")},
    **{m: 0 for m in ("getVariables", "getVariablesLocal", "getVariableNames")},
    **{m: 0 for m in ("getVariableNamesLocal", "getProcessBusinessKey", "getBusinessKey")},
}


# fmt: off
JUEL = Dialect(
    name="juel",
    infix={
        "||": (4, "or"), "or": (4, "or"), "&&": (6, "and"), "and": (6, "and"),
        "==": (8, "eq"), "eq": (8, "eq"), "!=": (8, "ne"), "ne": (8, "ne"),
        "<": (10, "lt"), "lt": (10, "lt"), ">": (10, "gt"), "gt": (10, "gt"),
        "<=": (10, "le"), "le": (10, "le"), ">=": (10, "ge"), "ge": (10, "ge"),
        "+": (12, "add"), "-": (12, "sub"), "*": (14, "mul"), "/": (14, "div"),
        "div": (14, "div"), "%": (14, "mod"), "mod": (14, "mod"),
    },
    reserved=frozenset({
        "and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "div", "mod", "empty",
        "true", "false", "null", "instanceof",
    }),
    has_conditional_operator=True,
    has_if_expression=False,
    has_intervals=False,
    mistakes={"=": "JUEL compares with '==' or 'eq', not '='"},
    evaluator=JuelEvaluator,
    methods={"execution": frozenset(EXECUTION_ARITY)},
)
# fmt: on


def compile_juel(text: str) -> ElExpression:
    """Compile JUEL text: a lone ``${...}`` keeps its value's type, mixed text is a string."""
    return ElExpression(text, JUEL, ElParser(text, JUEL).parse_template())
