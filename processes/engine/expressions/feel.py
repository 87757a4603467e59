"""FEEL in process models (an expression after a leading ``=``, as Camunda 8 writes it).

A thin adapter onto `processes.engine.feel`, the complete FEEL of DMN 1.5: process
variables go in as FEEL values (numbers as 34-digit decimals), the result comes
back as plain Python (whole numbers as ``int``, others ``float``), and FEEL runs in
strict mode, so an error (unknown name, wrong type, division by zero) raises and
puts the step in Error rather than quietly becoming null. The work budget is the
one every expression shares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..feel import FeelError, Function, Interpreter, Scope, from_python, parse_expression, to_python
from .budget import WorkMeter
from .common import Expression, ExpressionRuntimeError, ExpressionSyntaxError


class FeelExpression(Expression):
    """A compiled FEEL expression of a process model."""

    def __init__(self, source: str, tree: Any) -> None:
        super().__init__(source, "feel")
        self._tree = tree

    def _evaluate(self, variables: Mapping[str, Any], functions: Mapping[str, Callable]) -> Any:
        meter = WorkMeter()
        names: dict[str, Any] = {
            name: _engine_function(name, function) for name, function in functions.items()
        }
        names.update({str(name): from_python(value, meter) for name, value in variables.items()})
        interpreter = Interpreter(strict=True, meter=meter)
        try:
            return to_python(interpreter.eval(self._tree, Scope(names)))
        except FeelError as exc:
            raise ExpressionRuntimeError(str(exc)) from None


def _engine_function(name: str, function: Callable) -> Function:
    """An engine function (Python) callable from FEEL with FEEL values."""

    def native(interpreter: Interpreter, *arguments: Any) -> Any:
        return from_python(
            function(*(to_python(argument) for argument in arguments)), interpreter.meter
        )

    return Function(name, (), native=native, variadic=True)


def compile_feel(text: str) -> FeelExpression:
    """Compile FEEL text; the leading ``=`` that marks it is not part of the expression."""
    body = text.lstrip()
    body = body[1:] if body.startswith("=") else body
    if not body.strip():
        raise ExpressionSyntaxError("the expression is empty")
    return FeelExpression(text, parse_expression(body))
