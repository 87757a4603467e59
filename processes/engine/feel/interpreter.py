"""Evaluating FEEL syntax trees: scopes, the semantics of every operator, calls.

Two modes: DMN mode (``strict=False``), where an error makes the value null as the
DMN specification says, and strict mode (process models), where an error raises
so the step goes to Error with the reason.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Callable, Mapping
from typing import Any

from ..expressions.budget import WorkMeter, require_length
from ..expressions.common import ExpressionBudgetError
from ..limits import LIMITS
from . import temporal
from .builtins import BUILTINS
from .types import (
    NUMBER_CONTEXT,
    DayTime,
    Decimal,
    FeelError,
    FeelTime,
    Function,
    Range,
    YearMonth,
    quoted_text,
    type_name,
)

_MISSING = object()
_TEMPORAL = (dt.date, FeelTime, DayTime, YearMonth)
_ORDERABLE_GROUPS = ("number", "string", "date", "date and time", "time",
                     "days and time duration", "years and months duration")  # fmt: skip


class Scope:
    """Names visible to an expression: a dict, and the scope it sits in."""

    __slots__ = ("names", "parent")

    def __init__(self, names: Mapping[str, Any], parent: Scope | None = None) -> None:
        self.names = names
        self.parent = parent

    def lookup(self, name: str) -> Any:
        scope: Scope | None = self
        while scope is not None:
            value = scope.names.get(name, _MISSING)
            if value is not _MISSING:
                return value
            scope = scope.parent
        return _MISSING

    def child(self, names: Mapping[str, Any]) -> Scope:
        return Scope(names, self)


def is_number(value: Any) -> bool:
    return isinstance(value, Decimal)


def kind(value: Any) -> str:
    return type_name(value)


def describe(value: Any) -> str:
    text = quoted_text(value) if not isinstance(value, str) else repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{kind(value)} {text}" if value is not None else "null"


class Interpreter:
    """Evaluates FEEL trees on one work meter."""

    def __init__(
        self,
        *,
        strict: bool = False,
        meter: WorkMeter | None = None,
        builtins: Mapping[str, Function] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.strict = strict
        self.meter = meter or WorkMeter()
        self.call_depth = 0
        self.builtins = BUILTINS if builtins is None else builtins
        self.on_error = on_error
        # DMN item definitions: (value, type name) -> conforms?, or None for unknown names.
        self.type_check: Callable[[Any, str], bool | None] | None = None

    # ----- errors -----
    def error(self, message: str) -> None:
        """An error: raised in strict mode; otherwise noted and the value is null."""
        if self.strict:
            raise FeelError(message)
        if self.on_error is not None:
            self.on_error(message)

    def empty_scope(self) -> Scope:
        return Scope({})

    # ----- evaluation -----
    def eval(self, node: Any, scope: Scope) -> Any:
        self.meter.step()
        return getattr(self, "eval_" + node[0])(node, scope)

    def eval_lit(self, node: Any, scope: Scope) -> Any:
        return node[1]

    def eval_at(self, node: Any, scope: Scope) -> Any:
        try:
            return temporal.parse_at_literal(node[1])
        except FeelError as exc:
            return self.error(str(exc))

    def eval_q(self, node: Any, scope: Scope) -> Any:
        value = scope.lookup("?")
        return None if value is _MISSING else value

    def eval_name(self, node: Any, scope: Scope) -> Any:
        name = node[1]
        value = scope.lookup(name)
        if value is not _MISSING:
            return value
        builtin = self.builtins.get(name)
        if builtin is not None:
            return builtin
        return self.error(f"name {name!r} is not defined")

    def eval_list(self, node: Any, scope: Scope) -> Any:
        return self.meter.built_value([self.eval(item, scope) for item in node[1]])

    def eval_ctx(self, node: Any, scope: Scope) -> Any:
        result: dict[str, Any] = {}
        inner = scope.child(result)
        for key, expression in node[1]:
            if key in result:
                return self.error(f"the context has two entries named {key!r}")
            result[key] = self.eval(expression, inner)
        self.meter.built_value(result)
        return result

    def eval_range(self, node: Any, scope: Scope) -> Any:
        _, low_closed, low_node, high_node, high_closed = node
        low, high = self.eval(low_node, scope), self.eval(high_node, scope)
        if low is not None and high is not None and self.compare("le", low, high) is None:
            return self.error(f"a range cannot go from {describe(low)} to {describe(high)}")
        return Range(low, high, low_closed, high_closed)

    def eval_urange(self, node: Any, scope: Scope) -> Any:
        _, operation, value_node = node
        value = self.eval(value_node, scope)
        if operation == "lt":
            return Range(None, value, False, False)
        if operation == "le":
            return Range(None, value, False, True)
        if operation == "gt":
            return Range(value, None, False, False)
        if operation == "ge":
            return Range(value, None, True, False)
        if operation == "eq":
            return Range(value, value, True, True)
        return self.error("'!=' cannot be used as a range")

    def eval_neg(self, node: Any, scope: Scope) -> Any:
        value = self.eval(node[1], scope)
        if value is None:
            return None
        if isinstance(value, Decimal):
            return NUMBER_CONTEXT.minus(value)
        if isinstance(value, DayTime):
            return DayTime(-value.seconds)
        if isinstance(value, YearMonth):
            return YearMonth(-value.months)
        return self.error(f"expected a number but got {describe(value)}")

    def eval_arith(self, node: Any, scope: Scope) -> Any:
        _, operation, left_node, right_node = node
        return self.arithmetic(operation, self.eval(left_node, scope), self.eval(right_node, scope))

    def eval_and(self, node: Any, scope: Scope) -> Any:
        left = self.eval(node[1], scope)
        if left is False:
            return False
        right = self.eval(node[2], scope)
        if right is False:
            return False
        if left is True and right is True:
            return True
        return None

    def eval_or(self, node: Any, scope: Scope) -> Any:
        left = self.eval(node[1], scope)
        if left is True:
            return True
        right = self.eval(node[2], scope)
        if right is True:
            return True
        if left is False and right is False:
            return False
        return None

    def eval_cmp(self, node: Any, scope: Scope) -> Any:
        _, operation, left_node, right_node = node
        left, right = self.eval(left_node, scope), self.eval(right_node, scope)
        if operation in ("eq", "ne"):
            equal = self.equal(left, right)
            if equal is None:
                return None
            return equal if operation == "eq" else not equal
        return self.compare(operation, left, right)

    def eval_between(self, node: Any, scope: Scope) -> Any:
        value = self.eval(node[1], scope)
        low, high = self.eval(node[2], scope), self.eval(node[3], scope)
        above = self.compare("ge", value, low)
        below = self.compare("le", value, high)
        if above is False or below is False:
            return False
        if above is True and below is True:
            return True
        return None

    def eval_in(self, node: Any, scope: Scope) -> Any:
        value = self.eval(node[1], scope)
        return self.any_test(node[2], value, scope)

    def eval_inst(self, node: Any, scope: Scope) -> Any:
        return self.conforms(self.eval(node[1], scope), node[2])

    def eval_if(self, node: Any, scope: Scope) -> Any:
        condition = self.eval(node[1], scope)
        return self.eval(node[2] if condition is True else node[3], scope)

    def eval_func(self, node: Any, scope: Scope) -> Any:
        parameters = tuple(name for name, _ in node[1])
        types = {name: kind_node for name, kind_node in node[1] if kind_node is not None}
        return Function("anonymous", parameters, body=node[2], closure=scope, types=types)

    def eval_external(self, node: Any, scope: Scope) -> Any:
        return self.error("external functions (Java, PMML) are not supported")

    def eval_tests(self, node: Any, scope: Scope) -> Any:
        value = scope.lookup("?")
        return self.unary_tests(node, None if value is _MISSING else value, scope)

    # ----- paths, filters -----
    def eval_path(self, node: Any, scope: Scope) -> Any:
        return self.member(self.eval(node[1], scope), node[2])

    def member(self, target: Any, name: str) -> Any:
        if isinstance(target, dict):
            return target.get(name)
        if isinstance(target, list):
            return self.meter.built_value([self.member(item, name) for item in target])
        if target is None:
            return None
        try:
            return property_of(target, name)
        except FeelError as exc:
            return self.error(str(exc))

    def eval_filter(self, node: Any, scope: Scope) -> Any:
        target = self.eval(node[1], scope)
        condition = node[2]
        if target is None:
            return None
        items = target if isinstance(target, list) else [target]
        # A number is an index (from 1; negative from the end).
        if not _refers_to_item(condition):
            index = self.eval(condition, scope.child({"item": None}) if False else Scope({}, scope))
            if isinstance(index, Decimal):
                return self.index(items, index)
        result = []
        for item in items:
            names: dict[str, Any] = dict(item) if isinstance(item, dict) else {}
            names["item"] = item
            verdict = self.eval(condition, scope.child(names))
            if isinstance(verdict, Decimal) and len(items) and item is items[0] and not result:
                return self.index(items, verdict)
            if verdict is True:
                result.append(item)
        return self.meter.built_value(result)

    def index(self, items: list[Any], position: Decimal) -> Any:
        if position != position.to_integral_value():
            return self.error(f"list index {position} is not a whole number")
        number = int(position)
        if number == 0 or abs(number) > len(items):
            return None
        return items[number - 1] if number > 0 else items[number]

    # ----- iteration -----
    def iterate(self, iterators: Any, scope: Scope) -> Any:
        """Yield the scopes of every combination of the iterators' items."""

        def combos(position: int, current: Scope):
            if position == len(iterators):
                yield current
                return
            name, source_node, high_node = iterators[position]
            source = self.eval(source_node, current)
            if high_node is not None:
                source = self.integer_range(source, self.eval(high_node, current))
            elif isinstance(source, Range):
                if self.compare("gt", source.low, source.high):
                    raise FeelError("a range's start is after its end")
                source = self.integer_range(source.low, source.high, source)
            elif not isinstance(source, list):
                source = [source]
            for item in source:
                self.meter.step()
                yield from combos(position + 1, current.child({name: item}))

        return combos(0, scope)

    def integer_range(self, low: Any, high: Any, bounds: Range | None = None) -> list[Any]:
        if not isinstance(low, Decimal) or not isinstance(high, Decimal):
            if (
                isinstance(low, dt.date)
                and isinstance(high, dt.date)
                and not isinstance(low, dt.datetime)
            ):
                days = (high - low).days
                require_length(abs(days) + 1, "the range")
                step = 1 if days >= 0 else -1
                return [low + dt.timedelta(days=i) for i in range(0, days + step, step)]
            raise FeelError("a for loop range needs whole numbers at both ends")
        start, end = int(low), int(high)
        if bounds is not None:
            start += 0 if bounds.low_closed else 1
            end -= 0 if bounds.high_closed else 1
        require_length(abs(end - start) + 1, "the range")
        step = 1 if end >= start else -1
        return [Decimal(i) for i in range(start, end + step, step)]

    def eval_for(self, node: Any, scope: Scope) -> Any:
        results: list[Any] = []
        partial = {"partial": results}
        try:
            for inner in self.iterate(node[1], scope.child(partial)):
                results.append(self.eval(node[2], inner))
                require_length(len(results), "the for loop's result")
        except FeelError as exc:
            return self.error(str(exc))
        return results

    def eval_some(self, node: Any, scope: Scope) -> Any:
        return any(self.eval(node[2], inner) is True for inner in self.iterate(node[1], scope))

    def eval_every(self, node: Any, scope: Scope) -> Any:
        return all(self.eval(node[2], inner) is True for inner in self.iterate(node[1], scope))

    # ----- calls -----
    def eval_call(self, node: Any, scope: Scope) -> Any:
        callee_node, argument_nodes = node[1], node[2]
        if callee_node[0] == "name":
            function = scope.lookup(callee_node[1])
            if function is _MISSING or not isinstance(function, Function):
                function = self.builtins.get(callee_node[1], function)
            if function is _MISSING:
                return self.error(f"function {callee_node[1]!r} is not defined")
        else:
            function = self.eval(callee_node, scope)
        positional: list[Any] = []
        named: dict[str, Any] = {}
        for name, argument in argument_nodes:
            value = self.eval(argument, scope)
            if name is None:
                positional.append(value)
            else:
                named[name] = value
        if not isinstance(function, Function):
            return self.error(f"{describe(function)} is not a function")
        if positional and named:
            return self.error("a call cannot mix positional and named arguments")
        return self.call(function, positional, named if named else None)

    def call(
        self, function: Function, positional: list[Any], named: dict[str, Any] | None = None
    ) -> Any:
        """Call a FEEL function with positional or named arguments."""
        self.call_depth += 1
        try:
            if self.call_depth > LIMITS.max_call_depth * 4:
                raise FeelError(
                    f"functions call each other too deeply (limit {LIMITS.max_call_depth * 4})"
                )
            if function.native is not None:
                return self.call_native(function, positional, named)
            if named is None:
                if len(positional) > len(function.parameters) and not function.variadic:
                    raise FeelError(
                        f"function {function.name} takes {len(function.parameters)} arguments, "
                        f"not {len(positional)}"
                    )
                arguments = dict(zip(function.parameters, positional, strict=False))
                for name in function.parameters[len(positional) :]:
                    arguments[name] = None
            else:
                unknown = set(named) - set(function.parameters)
                if unknown:
                    raise FeelError(
                        f"function {function.name} has no parameter {sorted(unknown)[0]!r}"
                    )
                arguments = {name: named.get(name) for name in function.parameters}
            if function.invoke_named is not None:
                return function.invoke_named(arguments)
            for name, kind_node in function.types.items():
                value = arguments.get(name)
                if value is not None and not self.conforms(value, kind_node):
                    coerced = _singleton(value, kind_node)
                    if coerced is _MISSING or not self.conforms(coerced, kind_node):
                        raise FeelError(
                            f"argument {name!r} of {function.name} is not a {kind_node[1]}"
                        )
                    arguments[name] = coerced
            return self.eval(function.body, function.closure.child(arguments))
        except FeelError as exc:
            return self.error(str(exc))
        except (decimal.DecimalException, OverflowError, ValueError, ArithmeticError) as exc:
            return self.error(f"{function.name}: {type(exc).__name__} {exc}")
        finally:
            self.call_depth -= 1

    def call_native(
        self, function: Function, positional: list[Any], named: dict[str, Any] | None
    ) -> Any:
        native = function.native
        assert native is not None
        try:
            if named is None:
                if not function.variadic and len(positional) > len(function.parameters):
                    raise FeelError(
                        f"{function.name}() takes at most {len(function.parameters)} arguments"
                    )
                return native(self, *positional)
            if function.variadic:
                if set(named) - set(function.parameters):
                    raise FeelError(f"{function.name}() has no parameter {sorted(set(named))[0]!r}")
                return native(self, *[named[name] for name in function.parameters if name in named])
            keywords = {}
            for name, value in named.items():
                if name not in function.parameters:
                    raise FeelError(f"{function.name}() has no parameter {name!r}")
                keywords[_python_name(name)] = value
            return native(self, **keywords)
        except TypeError as exc:
            raise FeelError(f"{function.name}(): {exc}") from None

    # ----- unary tests -----
    def unary_tests(self, node: Any, value: Any, scope: Scope) -> Any:
        _, tests, negated = node
        result = self.any_test(tests, value, scope)
        if negated:
            return None if result is None else not result
        return result

    def any_test(self, tests: Any, value: Any, scope: Scope) -> Any:
        seen_null = False
        for test in tests:
            verdict = self.one_test(test, value, scope)
            if verdict is True:
                return True
            if verdict is None:
                seen_null = True
        return None if seen_null else False

    def one_test(self, test: Any, value: Any, scope: Scope) -> Any:
        if test[0] == "dash":
            return True
        inner = scope.child({"?": value})
        if test[0] == "cmpq":
            expected = self.eval(test[2], inner)
            if test[1] in ("eq", "ne"):
                equal = self.equal(value, expected)
                return equal if test[1] == "eq" or equal is None else not equal
            return self.compare(test[1], value, expected)
        _, expression, uses_question = test
        expected = self.eval(expression, inner)
        if uses_question:
            return expected if isinstance(expected, bool) else None
        return self.matches(value, expected)

    def matches(self, value: Any, expected: Any) -> Any:
        if isinstance(expected, Range):
            return self.in_range(value, expected)
        if isinstance(expected, list):
            if any(
                (self.in_range(value, item) if isinstance(item, Range) else self.equal(value, item))
                is True
                for item in expected
            ):
                return True
            return isinstance(value, list) and self.equal(value, expected) is True
        if isinstance(expected, bool) and not isinstance(value, bool):
            return expected
        if isinstance(expected, Function):
            verdict = self.call(expected, [value])
            return verdict if isinstance(verdict, bool) else None
        return self.equal(value, expected)

    def in_range(self, value: Any, bounds: Range) -> Any:
        checks = []
        if bounds.low is not None:
            checks.append(self.compare("le" if bounds.low_closed else "lt", bounds.low, value))
        if bounds.high is not None:
            checks.append(self.compare("ge" if bounds.high_closed else "gt", bounds.high, value))
        if any(check is False for check in checks):
            return False
        if all(check is True for check in checks):
            return True if checks or value is not None else None
        return None

    # ----- value semantics -----
    def equal(self, left: Any, right: Any) -> bool | None:
        """FEEL '=': null only equals null; values of different kinds are not comparable."""
        if left is None or right is None:
            return left is None and right is None
        left_kind, right_kind = kind(left), kind(right)
        if left_kind != right_kind:
            if self.strict:
                return False
            return None
        self.meter.step()
        if isinstance(left, list):
            if len(left) != len(right):
                return False
            for a, b in zip(left, right, strict=True):
                verdict = self.equal(a, b)
                if verdict is not True:
                    return verdict
            return True
        if isinstance(left, dict):
            if set(left) != set(right):
                return False
            for key in left:
                verdict = self.equal(left[key], right[key])
                if verdict is not True:
                    return verdict
            return True
        if isinstance(left, dt.datetime):
            if (left.tzinfo is None) != (right.tzinfo is None):
                return False
            return left == right
        if isinstance(left, FeelTime):
            if (left.offset() is None) != (right.offset() is None):
                return False
            return left.seconds() == right.seconds()
        if isinstance(left, Range):
            return (
                left.low_closed == right.low_closed
                and left.high_closed == right.high_closed
                and self.equal(left.low, right.low) is True
                and self.equal(left.high, right.high) is True
            )
        if isinstance(left, Function):
            return left is right
        return left == right

    def compare(self, operation: str, left: Any, right: Any) -> bool | None:
        if left is None or right is None:
            return None
        left_kind, right_kind = kind(left), kind(right)
        if left_kind != right_kind or left_kind not in _ORDERABLE_GROUPS:
            if (
                left_kind == "date"
                and right_kind == "date and time"
                or (left_kind == "date and time" and right_kind == "date")
            ):
                left, right = temporal.as_datetime(left), temporal.as_datetime(right)
            else:
                return self.error(f"cannot compare {describe(left)} with {describe(right)}")
        if isinstance(left, dt.datetime):
            if (left.tzinfo is None) != (right.tzinfo is None):
                left, right = temporal.instant(left), temporal.instant(right)
        elif isinstance(left, FeelTime):
            left, right = left.seconds(), right.seconds()
        if operation == "lt":
            return left < right
        if operation == "le":
            return left <= right
        if operation == "gt":
            return left > right
        return left >= right

    def arithmetic(self, operation: str, left: Any, right: Any) -> Any:
        if left is None or right is None:
            return None
        try:
            result = _arithmetic(operation, left, right)
        except ZeroDivisionError:
            return self.error("division by zero")
        except decimal.DivisionByZero:
            return self.error("division by zero")
        except (decimal.DecimalException, OverflowError, ValueError) as exc:
            return self.error(f"arithmetic failed: {type(exc).__name__}")
        except FeelError as exc:
            return self.error(str(exc))
        if result is NotImplemented:
            if (
                operation in ("add", "sub", "mul", "div", "pow")
                and not isinstance(left, Decimal)
                and not _is_temporal_or_duration(left)
                and not isinstance(left, str)
            ):
                return self.error(f"expected a number but got {describe(left)}")
            if isinstance(left, Decimal) and not isinstance(right, Decimal | DayTime | YearMonth):
                return self.error(f"expected a number but got {describe(right)}")
            if isinstance(left, str):
                return self.error(f"expected a number but got {describe(left)}")
            return self.error(f"cannot {operation} {describe(left)} and {describe(right)}")
        if isinstance(result, str):
            self.meter.built_value(result)
        return result

    # ----- types -----
    def conforms(self, value: Any, kind_node: Any) -> bool:
        tag = kind_node[0]
        if tag == "t":
            name = kind_node[1]
            if name == "Any":
                return value is not None
            if name == "Null":
                return value is None
            if value is None:
                return False
            actual = kind(value)
            if name in ("list", "context", "range", "function"):
                return actual == name
            if name == "duration":
                return isinstance(value, DayTime | YearMonth)
            if self.type_check is not None:
                verdict = self.type_check(value, name)
                if verdict is not None:
                    return verdict
            aliases = {"dayTimeDuration": "days and time duration",
                       "yearMonthDuration": "years and months duration",
                       "dateTime": "date and time", "integer": "number", "decimal": "number",
                       "double": "number", "int": "number", "long": "number"}  # fmt: skip
            return actual == aliases.get(name, name)
        if value is None:
            return False
        if tag == "tlist":
            return isinstance(value, list) and all(
                self.conforms(item, kind_node[1]) for item in value
            )
        if tag == "trange":
            return isinstance(value, Range) and all(
                end is None or self.conforms(end, kind_node[1]) for end in (value.low, value.high)
            )
        if tag == "tcontext":
            return isinstance(value, dict) and all(
                key in value and self.conforms(value[key], inner) for key, inner in kind_node[1]
            )
        if tag == "tfunction":
            if not isinstance(value, Function):
                return False
            if value.native is None and value.invoke_named is None:
                if len(value.parameters) != len(kind_node[1]):
                    return False
                for name, expected in zip(value.parameters, kind_node[1], strict=True):
                    declared = value.types.get(name)
                    if declared is not None and declared != expected and expected != ("t", "Any"):
                        return False
            return True
        return False


def _python_name(name: str) -> str:
    name = name.replace(" ", "_")
    return name + "_" if name in ("from", "list", "range", "pattern_", "is") else name


def _singleton(value: Any, kind_node: Any) -> Any:
    if isinstance(value, list) and len(value) == 1 and kind_node[0] != "tlist":
        return value[0]
    if not isinstance(value, list) and kind_node[0] == "tlist":
        return [value]
    return _MISSING


def _refers_to_item(node: Any) -> bool:
    if isinstance(node, tuple):
        if node[:2] == ("name", "item"):
            return True
        if node and node[0] == "name":
            return False  # other names may be the items' own keys
        return any(_refers_to_item(part) for part in node)
    return False


def _is_temporal_or_duration(value: Any) -> bool:
    return isinstance(value, _TEMPORAL)


def _arithmetic(operation: str, left: Any, right: Any) -> Any:
    """The arithmetic of FEEL values, or NotImplemented for kinds that do not combine."""
    c = NUMBER_CONTEXT
    if isinstance(left, bool) or isinstance(right, bool):
        return NotImplemented
    if isinstance(left, Decimal) and isinstance(right, Decimal):
        if operation == "add":
            return c.add(left, right)
        if operation == "sub":
            return c.subtract(left, right)
        if operation == "mul":
            return c.multiply(left, right)
        if operation == "div":
            if not right:
                raise ZeroDivisionError
            return c.divide(left, right)
        # Refuse, before computing, a power past the number range (10 ** 6144).
        if abs(left) > 1 and right > 0 and right * (left.copy_abs().adjusted() + 1) > 6144:
            raise ExpressionBudgetError("the power would be too large")
        if right != right.to_integral_value():
            return c.power(left, right)
        if abs(right) > 999_999_999:
            raise FeelError("the exponent is too large")
        return (
            c.power(left, int(right))
            if left
            else (Decimal(0) if right > 0 else c.power(left, int(right)))
        )
    if operation == "add" and isinstance(left, str) and isinstance(right, str):
        require_length(len(left) + len(right), "the string")
        return left + right
    if isinstance(left, DayTime) and isinstance(right, DayTime):
        if operation == "add":
            return DayTime(c.add(left.seconds, right.seconds))
        if operation == "sub":
            return DayTime(c.subtract(left.seconds, right.seconds))
        if operation == "div":
            if not right.seconds:
                raise ZeroDivisionError
            return c.divide(left.seconds, right.seconds)
        return NotImplemented
    if isinstance(left, YearMonth) and isinstance(right, YearMonth):
        if operation == "add":
            return YearMonth(left.months + right.months)
        if operation == "sub":
            return YearMonth(left.months - right.months)
        if operation == "div":
            if not right.months:
                raise ZeroDivisionError
            return c.divide(Decimal(left.months), Decimal(right.months))
        return NotImplemented
    if isinstance(left, DayTime) and isinstance(right, Decimal):
        if operation == "mul":
            return DayTime(c.multiply(left.seconds, right))
        if operation == "div":
            if not right:
                raise ZeroDivisionError
            return DayTime(c.divide(left.seconds, right))
        return NotImplemented
    if isinstance(left, Decimal) and isinstance(right, DayTime) and operation == "mul":
        return DayTime(c.multiply(left, right.seconds))
    if isinstance(left, YearMonth) and isinstance(right, Decimal):
        if operation == "mul":
            return YearMonth(int(c.multiply(Decimal(left.months), right).to_integral_value()))
        if operation == "div":
            if not right:
                raise ZeroDivisionError
            return YearMonth(
                int(c.divide(Decimal(left.months), right).to_integral_value(decimal.ROUND_DOWN))
            )
        return NotImplemented
    if isinstance(left, Decimal) and isinstance(right, YearMonth) and operation == "mul":
        return YearMonth(int(c.multiply(left, Decimal(right.months)).to_integral_value()))
    if isinstance(left, dt.date) and isinstance(right, dt.date) and operation == "sub":
        if isinstance(left, dt.datetime) != isinstance(right, dt.datetime):
            return DayTime(
                temporal.seconds_between(temporal.as_datetime(left), temporal.as_datetime(right))
            )
        if not isinstance(left, dt.datetime):
            return DayTime(Decimal((left - right).days * 86400))
        return DayTime(temporal.seconds_between(left, right))
    if (
        isinstance(left, dt.date)
        and isinstance(right, DayTime | YearMonth)
        and operation in ("add", "sub")
    ):
        sign = 1 if operation == "add" else -1
        if isinstance(right, YearMonth):
            return temporal.add_months(left, sign * right.months)
        return temporal.add_seconds(left, sign * right.seconds)
    if isinstance(left, DayTime | YearMonth) and isinstance(right, dt.date) and operation == "add":
        return _arithmetic("add", right, left)
    if isinstance(left, FeelTime) and isinstance(right, DayTime) and operation in ("add", "sub"):
        return temporal.add_seconds(left, right.seconds if operation == "add" else -right.seconds)
    if isinstance(left, DayTime) and isinstance(right, FeelTime) and operation == "add":
        return temporal.add_seconds(right, left.seconds)
    if isinstance(left, FeelTime) and isinstance(right, FeelTime) and operation == "sub":
        if (left.offset() is None) != (right.offset() is None):
            raise FeelError("cannot subtract a time with an offset and one without")
        return DayTime(c.subtract(left.seconds(), right.seconds()))
    return NotImplemented


def property_of(value: Any, name: str) -> Any:
    """``value.name`` for temporal values, durations and ranges."""
    if isinstance(value, dt.date):
        if name in ("year", "month", "day"):
            return Decimal(getattr(value, name))
        if name == "weekday":
            return Decimal(value.isoweekday())
        if isinstance(value, dt.datetime):
            return _time_property(value.timetz(), value, name)
    if isinstance(value, FeelTime):
        return _time_property(value.value, None, name)
    if isinstance(value, DayTime):
        seconds = value.seconds
        sign = -1 if seconds < 0 else 1
        whole = abs(seconds)
        parts = {
            "days": whole // 86400,
            "hours": whole % 86400 // 3600,
            "minutes": whole % 3600 // 60,
            "seconds": whole % 60,
        }
        if name in parts:
            return Decimal(sign) * parts[name]
    if isinstance(value, YearMonth):
        sign = -1 if value.months < 0 else 1
        if name == "years":
            return Decimal(sign * (abs(value.months) // 12))
        if name == "months":
            return Decimal(sign * (abs(value.months) % 12))
    if isinstance(value, Range):
        fields = {
            "start": value.low,
            "end": value.high,
            "start included": value.low_closed,
            "end included": value.high_closed,
        }
        if name in fields:
            return fields[name]
    if isinstance(value, dt.date | FeelTime | DayTime | YearMonth | Range):
        return None
    raise FeelError(f"cannot read property {name!r} of {describe(value)}")


def _time_property(time: dt.time, moment: dt.datetime | None, name: str) -> Any:
    if name in ("hour", "minute", "second"):
        return Decimal(getattr(time, name))
    if name == "time offset":
        tz = time.tzinfo
        if tz is None:
            return None
        offset = tz.utcoffset(moment.replace(tzinfo=None) if moment else dt.datetime(2000, 1, 1))
        if offset is None:
            return None
        return DayTime(Decimal(offset.days * 86400 + offset.seconds))
    if name == "timezone":
        key = getattr(time.tzinfo, "key", None)
        return key
    return None
