"""What JUEL and FEEL share: their syntax tree, tokenizer, Pratt parser and evaluator.

Both are parsed by hand into a tiny tree that `ElExpression` evaluates on the
shared work budget. Each language (`juel`, `feel`) supplies a `Dialect` (its
grammar differences and builtins) and an `ElEvaluator` subclass (its
semantics: truth, coercion, equality, null handling).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..limits import LIMITS
from .budget import WorkMeter, check_operands, is_plain_int
from .common import (
    JUEL_TEXT,
    Expression,
    ExpressionError,
    ExpressionRuntimeError,
    ExpressionSyntaxError,
    describe_exception,
)

# --------------------------------------------------------------------------------------
# JUEL and FEEL subsets: syntax tree
# --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Literal:
    value: Any


@dataclass(frozen=True, slots=True)
class _Name:
    name: str


@dataclass(frozen=True, slots=True)
class _Member:
    """``target.name``: a key of a mapping (JavaBean/FEEL context property access)."""

    target: Any
    name: str


@dataclass(frozen=True, slots=True)
class _Index:
    target: Any
    index: Any


@dataclass(frozen=True, slots=True)
class _Unary:
    operation: str  # 'neg' | 'not' | 'empty'
    operand: Any


@dataclass(frozen=True, slots=True)
class _Binary:
    operation: str  # 'eq' 'ne' 'lt' 'gt' 'le' 'ge' 'add' 'sub' 'mul' 'div' 'mod' 'pow' 'in'
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class _Logical:
    operation: str  # 'and' | 'or'
    left: Any
    right: Any


@dataclass(frozen=True, slots=True)
class _Conditional:
    test: Any
    then: Any
    otherwise: Any


@dataclass(frozen=True, slots=True)
class _ListLiteral:
    items: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _Interval:
    """FEEL ``[low..high]`` with either end open or closed."""

    low: Any
    high: Any
    low_closed: bool
    high_closed: bool


@dataclass(frozen=True, slots=True)
class _FunctionCall:
    name: str
    arguments: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _MethodCall:
    """``execution.getVariable('x')``: one of the few methods a dialect allows on a
    named object (JUEL: Camunda's `execution`), never a general method call."""

    target: str
    method: str
    arguments: tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class _Template:
    """JUEL composite text: literal strings and ``${...}`` parts, joined as a string."""

    parts: tuple[Any, ...]


# --------------------------------------------------------------------------------------
# JUEL and FEEL subsets: tokenizer and parser
# --------------------------------------------------------------------------------------

_EL_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
  | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
  | (?P<symbol>\.\.|==|!=|<=|>=|&&|\|\||\*\*|[-+*/%<>=!?:.,()\[\]])
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # 'number' | 'string' | 'name' | 'symbol' | 'end'
    text: str
    position: int


def _tokenize(text: str, language: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        match = _EL_TOKEN.match(text, position)
        if match is None:
            raise ExpressionSyntaxError(
                f"unexpected character {text[position]!r} at position {position + 1} "
                f"in {language.upper()} expression {_quoted(text)}"
            )
        if match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup or "", match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _quoted(text: str) -> str:
    """The expression as an error message shows it: whole when short, else its start."""
    return repr(text) if len(text) <= 200 else f"{text[:60]!r}... ({len(text)} characters)"


def _unquote(token_text: str) -> str:
    body = token_text[1:-1]
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match[1], match[1]), body)


@dataclass(frozen=True)
class Dialect:
    """The grammar differences between the JUEL and FEEL subsets."""

    name: str
    # token text -> (binding power, operation); higher binds tighter
    infix: Mapping[str, tuple[int, str]]
    reserved: frozenset[str]
    has_conditional_operator: bool  # JUEL a ? b : c
    has_if_expression: bool  # FEEL if a then b else c
    has_intervals: bool  # FEEL [1..5]
    right_associative: frozenset[str] = frozenset()
    # Operators borrowed from the other language, with the hint to give instead.
    mistakes: Mapping[str, str] = field(default_factory=dict)
    # The evaluator class that gives the language's semantics.
    evaluator: type[ElEvaluator] | None = None
    # Functions every expression of the language can call (besides the engine's).
    builtins: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    # object name -> the methods an expression may call on it (JUEL's `execution`).
    methods: Mapping[str, frozenset[str]] = field(default_factory=dict)


_PREFIX_POWER = 16
# The decimal digits of the largest integer the budget allows (max_int_bits).
_MAX_LITERAL_DIGITS = LIMITS.max_int_bits * 30103 // 100000 + 1
_POSTFIX_POWER = 18


class ElParser:
    """A Pratt parser for the JUEL and FEEL subsets."""

    def __init__(self, text: str, dialect: Dialect) -> None:
        self.text = text
        self.dialect = dialect
        self.tokens: list[_Token] = []
        self.position = 0
        self.depth = 0

    # ----- entry points -----

    def parse_all(self) -> Any:
        """Parse the whole text as one expression."""
        self.tokens = _tokenize(self.text, self.dialect.name)
        self.position = 0
        if self.peek().kind == "end":
            raise self.error("the expression is empty")
        tree = self.expression(0)
        if self.peek().kind != "end":
            raise self.error(f"unexpected {self.describe(self.peek())}")
        return tree

    def parse_template(self) -> Any:
        """Parse JUEL text: ``${expr}`` alone, or literal text mixed with ``${...}``."""
        parts: list[Any] = []
        for literal, expression_text in self.split_template(self.text):
            if literal:
                parts.append(_Literal(literal))
            if expression_text is not None:
                parts.append(ElParser(expression_text, self.dialect).parse_all())
        stripped = self.text.strip()
        if len(parts) == 1 and JUEL_TEXT.match(stripped):
            return parts[0]  # a lone ${...} keeps its type (number, boolean...)
        return _Template(tuple(parts))

    def split_template(self, text: str) -> Iterator[tuple[str, str | None]]:
        """The (literal text, expression text) pairs of JUEL composite text."""
        literal_start = 0
        index = 0
        stripped_bounds = (len(text) - len(text.lstrip()), len(text.rstrip()))
        while index < len(text):
            if text.startswith(("${", "#{"), index):
                end = self.find_closing_brace(text, index + 2)
                literal = text[literal_start:index]
                if (literal_start, index) == (0, stripped_bounds[0]):
                    literal = ""  # whitespace around a lone ${...} is XML layout
                yield literal, text[index + 2 : end]
                index = literal_start = end + 1
            else:
                index += 1
        tail = text[literal_start:]
        if literal_start and literal_start >= stripped_bounds[1]:
            tail = ""
        yield tail, None

    def find_closing_brace(self, text: str, start: int) -> int:
        """The index of the '}' closing a ``${`` that starts before ``start``."""
        quote = None
        index = start
        while index < len(text):
            character = text[index]
            if quote:
                if character == "\\":
                    index += 1
                elif character == quote:
                    quote = None
            elif character in "'\"":
                quote = character
            elif character == "}":
                return index
            index += 1
        raise ExpressionSyntaxError(f"missing '}}' in JUEL expression {_quoted(text)}")

    # ----- token helpers -----

    def peek(self) -> _Token:
        return self.tokens[self.position]

    def advance(self) -> _Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def accept(self, text: str) -> bool:
        token = self.peek()
        if token.kind in ("symbol", "name") and token.text == text:
            self.position += 1
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            raise self.error(f"expected '{text}' but found {self.describe(self.peek())}")

    def describe(self, token: _Token) -> str:
        return "end of expression" if token.kind == "end" else f"'{token.text}'"

    def error(self, message: str) -> ExpressionSyntaxError:
        token = self.peek()
        return ExpressionSyntaxError(
            f"{message} at position {token.position + 1} in "
            f"{self.dialect.name.upper()} expression {_quoted(self.text)}"
        )

    # ----- grammar -----

    def expression(self, min_power: int) -> Any:
        """Parse an expression whose operators bind tighter than ``min_power``."""
        self.depth += 1
        if self.depth > LIMITS.max_nesting_depth:
            raise self.error("the expression is nested too deeply")
        try:
            left = self.prefix()
            while True:
                left, progressed = self.postfix_or_infix(left, min_power)
                if not progressed:
                    return left
        finally:
            self.depth -= 1

    def postfix_or_infix(self, left: Any, min_power: int) -> tuple[Any, bool]:
        token = self.peek()
        if token.kind == "symbol" and token.text in (".", "[", "(") and min_power < _POSTFIX_POWER:
            return self.postfix(left), True
        if self.dialect.has_conditional_operator and token.text == "?" and min_power < 2:
            self.advance()
            then = self.expression(0)
            self.expect(":")
            return _Conditional(left, then, self.expression(1)), True
        if token.kind == "symbol" and token.text in self.dialect.mistakes:
            raise self.error(self.dialect.mistakes[token.text])
        if token.kind not in ("symbol", "name") or token.text not in self.dialect.infix:
            return left, False
        power, operation = self.dialect.infix[token.text]
        if power <= min_power:
            return left, False
        self.advance()
        right_power = power - 1 if token.text in self.dialect.right_associative else power
        right = self.expression(right_power)
        if operation in ("and", "or"):
            return _Logical(operation, left, right), True
        return _Binary(operation, left, right), True

    def postfix(self, left: Any) -> Any:
        """Parse a property access, an index or a call after ``left``."""
        symbol = self.advance().text
        if symbol == ".":
            token = self.advance()
            if token.kind != "name":
                raise self.error("expected a property name after '.'")
            if self.peek().text == "(" and self.peek().kind == "symbol":
                allowed = self.dialect.methods.get(left.name) if isinstance(left, _Name) else None
                if allowed and token.text in allowed:
                    self.advance()
                    return _MethodCall(left.name, token.text, tuple(self.call_arguments()))
                if allowed:
                    raise self.error(
                        f"'{left.name}.{token.text}()' is not supported; {left.name} offers "
                        + ", ".join(sorted(allowed))
                    )
                raise self.error(
                    f"method calls such as '.{token.text}()' are not supported; "
                    "refer to variables and their properties directly"
                )
            return _Member(left, token.text)
        if symbol == "[":
            index = self.expression(0)
            self.expect("]")
            return _Index(left, index)
        # symbol == "(": only a plain name can be called
        if not isinstance(left, _Name):
            raise self.error("only named functions can be called")
        return _FunctionCall(left.name, tuple(self.call_arguments()))

    def call_arguments(self) -> list[Any]:
        """The arguments of a call, after its '(' up to and with its ')'."""
        arguments: list[Any] = []
        if not self.accept(")"):
            arguments.append(self.expression(0))
            while self.accept(","):
                arguments.append(self.expression(0))
            self.expect(")")
        return arguments

    def prefix(self) -> Any:
        """Parse what can start an expression: literal, name, unary operator, bracket."""
        token = self.advance()
        if token.kind == "number":
            return _Literal(self.number(token))
        if token.kind == "string":
            return _Literal(_unquote(token.text))
        if token.kind == "name":
            return self.prefix_name(token)
        if token.kind == "symbol":
            if token.text == "-":
                return _Unary("neg", self.expression(_PREFIX_POWER))
            if token.text == "!" and self.dialect.name == "juel":
                return _Unary("not", self.expression(_PREFIX_POWER))
            if token.text == "(":
                return self.parenthesised()
            if token.text == "[":
                return self.bracketed()
        self.position -= 1
        raise self.error(f"unexpected {self.describe(token)}")

    def number(self, token: _Token) -> int | float:
        """A number literal's value; one too long to be a number is refused here,
        before ``int()`` would spend time on it or raise its own ValueError."""
        text = token.text
        digits = len(text.split("e")[0].split("E")[0].replace(".", ""))
        if digits > _MAX_LITERAL_DIGITS:
            self.position -= 1
            raise self.error(
                f"the number literal has {digits} digits; the limit is {_MAX_LITERAL_DIGITS}"
            )
        if any(mark in text for mark in ".eE"):
            return float(text)
        return int(text)

    def prefix_name(self, token: _Token) -> Any:
        word = token.text
        constants = {"true": True, "false": False, "null": None}
        if word in constants:
            return _Literal(constants[word])
        if self.dialect.name == "juel" and word in ("not", "empty"):
            return _Unary(word, self.expression(_PREFIX_POWER))
        if self.dialect.has_if_expression and word == "if":
            test = self.expression(0)
            self.expect("then")
            then = self.expression(0)
            self.expect("else")
            return _Conditional(test, then, self.expression(0))
        # FEEL's not(...) is a function; everything else reserved cannot be a name.
        if word in self.dialect.reserved and not (word == "not" and self.dialect.name == "feel"):
            self.position -= 1
            raise self.error(f"unexpected keyword '{word}'")
        return _Name(word)

    def parenthesised(self) -> Any:
        inner = self.expression(0)
        if self.dialect.has_intervals and self.accept(".."):
            return self.interval_end(inner, low_closed=False)
        self.expect(")")
        return inner

    def bracketed(self) -> Any:
        if self.accept("]"):
            return _ListLiteral(())
        first = self.expression(0)
        if self.dialect.has_intervals and self.accept(".."):
            return self.interval_end(first, low_closed=True)
        items = [first]
        while self.accept(","):
            items.append(self.expression(0))
        self.expect("]")
        return _ListLiteral(tuple(items))

    def interval_end(self, low: Any, *, low_closed: bool) -> _Interval:
        high = self.expression(0)
        if self.accept("]"):
            return _Interval(low, high, low_closed, True)
        if self.accept(")") or self.accept("["):
            return _Interval(low, high, low_closed, False)
        raise self.error("expected ']' or ')' to close the range")


# --------------------------------------------------------------------------------------
# JUEL and FEEL subsets: evaluation
# --------------------------------------------------------------------------------------

_NUMBER_TYPES = (int, float)
_COMPARISONS = {"lt": operator.lt, "gt": operator.gt, "le": operator.le, "ge": operator.ge}


def is_number(value: Any) -> bool:
    """An int or float that is not a bool (EL and FEEL have one number type)."""
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool)


def type_label(value: Any) -> str:
    """The EL/FEEL name of a value's type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


class ElEvaluator:
    """Evaluates a JUEL/FEEL tree on the shared work budget.

    What the two languages share is here; each language's subclass (`juel`,
    `feel`) says what differs: truth, coercion to numbers, equality and ordering,
    null handling and list positions.
    """

    def __init__(
        self, dialect: Dialect, variables: Mapping[str, Any], functions: Mapping[str, Callable]
    ) -> None:
        self.builtins = dialect.builtins
        self.variables = variables
        self.functions = functions
        self.meter = WorkMeter()

    def eval(self, node: Any) -> Any:
        """The value of one syntax node (one budget step)."""
        self.meter.step()
        match node:
            case _Literal(value=value):
                return value
            case _Name(name=name):
                if name in self.variables:
                    return self.variables[name]
                raise ExpressionRuntimeError(f"name '{name}' is not defined")
            case _Member(target=target, name=name):
                return self.member(self.eval(target), name)
            case _Index(target=target, index=index):
                return self.index(self.eval(target), self.eval(index))
            case _Unary(operation=operation, operand=operand):
                return self.unary(operation, self.eval(operand))
            case _Logical(operation=operation, left=left, right=right):
                return self.logical(operation, left, right)
            case _Binary(operation="in", left=left, right=_Interval() as interval):
                return self.within(self.eval(left), interval)
            case _Binary(operation=operation, left=left, right=right):
                return self.binary(operation, self.eval(left), self.eval(right))
            case _Conditional(test=test, then=then, otherwise=otherwise):
                return self.eval(then) if self.is_true(self.eval(test)) else self.eval(otherwise)
            case _ListLiteral(items=items):
                return [self.eval(item) for item in items]
            case _Interval():
                raise ExpressionRuntimeError("a range can only be used after 'in'")
            case _FunctionCall(name=name, arguments=arguments):
                return self.call(name, [self.eval(argument) for argument in arguments])
            case _MethodCall(target=target, method=method, arguments=arguments):
                values = [self.eval(argument) for argument in arguments]
                return self.meter.built_value(self.method_call(target, method, values))
            case _Template(parts=parts):
                text = "".join(self.as_text(self.eval(part)) for part in parts)
                return self.meter.built_value(text)
        raise ExpressionRuntimeError(f"internal error: unknown node {node!r}")

    # ----- what each language decides -----

    def is_true(self, value: Any) -> bool:
        """Whether a condition's value counts as true."""
        raise NotImplementedError

    def logical(self, operation: str, left_node: Any, right_node: Any) -> Any:
        """``and`` / ``or`` over two unevaluated operands."""
        raise NotImplementedError

    def unary(self, operation: str, value: Any) -> Any:
        """A prefix operator ('neg', and JUEL's 'not' and 'empty')."""
        raise NotImplementedError

    def to_number(self, value: Any) -> int | float:
        """The value as a number, or ExpressionRuntimeError."""
        raise NotImplementedError

    def equals(self, left: Any, right: Any) -> bool:
        """``==`` / ``=`` between two values."""
        raise NotImplementedError

    def order(self, operation: str, left: Any, right: Any) -> bool | None:
        """``<``, ``>``, ``<=``, ``>=`` ('lt', 'gt', 'le', 'ge') between two values."""
        raise NotImplementedError

    def list_position(self, position: int) -> int | None:
        """The Python index of a list position written in the expression (None: no item)."""
        return position

    def method_call(self, target: str, method: str, arguments: list[Any]) -> Any:
        """One of the dialect's allowed methods (see `Dialect.methods`)."""
        raise ExpressionRuntimeError(f"'{target}.{method}()' is not supported")

    # ----- access -----

    def member(self, target: Any, name: str) -> Any:
        """``target.name``: a mapping's key; null on null (both languages)."""
        if target is None:
            return None
        if isinstance(target, Mapping):
            return target.get(name)  # a missing property is null, as for EL maps
        raise ExpressionRuntimeError(
            f"cannot read property '{name}' of a {type_label(target)} value"
        )

    def index(self, target: Any, index: Any) -> Any:
        """``target[index]``: a mapping's key or a list's item; null when missing."""
        if target is None:
            return None
        if isinstance(target, Mapping):
            return target.get(index)
        if isinstance(target, list | tuple | str) and is_number(index):
            position = self.list_position(int(index))
            if position is None:
                return None
            return target[position] if -len(target) <= position < len(target) else None
        raise ExpressionRuntimeError(
            f"cannot index a {type_label(target)} value with a {type_label(index)}"
        )

    def call(self, name: str, arguments: list[Any]) -> Any:
        """Call an engine function, else a builtin of the language."""
        function = self.functions.get(name)
        if function is None:
            function = self.builtins.get(name)
        if function is None:
            raise ExpressionRuntimeError(f"function '{name}' is not defined")
        try:
            result = function(*arguments)
        except ExpressionError:
            raise
        except Exception as exc:
            raise ExpressionRuntimeError(f"{name}() failed: {describe_exception(exc)}") from exc
        return self.meter.built_value(result)

    # ----- comparison and arithmetic -----

    def compare(self, operation: str, left: Any, right: Any) -> bool:
        """Order two values of the same kind (not booleans), else ExpressionRuntimeError."""
        if type_label(left) != type_label(right) or isinstance(left, bool):
            raise ExpressionRuntimeError(
                f"cannot compare {type_label(left)} {left!r} with {type_label(right)} {right!r}"
            )
        return bool(_COMPARISONS[operation](left, right))

    def values_equal(self, left: Any, right: Any) -> bool:
        """Deep equality, charged to the budget (comparing walks both values)."""
        self.meter.walk(left)
        self.meter.walk(right)
        return bool(left == right)

    def binary(self, operation: str, left: Any, right: Any) -> Any:
        """An infix operator over two evaluated operands."""
        if operation == "eq":
            return self.equals(left, right)
        if operation == "ne":
            return not self.equals(left, right)
        if operation in ("lt", "gt", "le", "ge"):
            return self.order(operation, left, right)
        if operation == "in":
            return self.contains(left, right)
        return self.arithmetic(operation, left, right)

    def arithmetic(self, operation: str, left: Any, right: Any) -> Any:
        """'add', 'sub', 'mul', 'div', 'mod', 'pow' over values coerced to numbers."""
        left, right = self.to_number(left), self.to_number(right)
        if operation == "add":
            return self.meter.built_value(left + right)
        if operation == "sub":
            return self.meter.built_value(left - right)
        if operation == "mul":
            if is_plain_int(left) and is_plain_int(right):
                check_operands("mul", left, right)
            return self.meter.built_value(left * right)
        if right == 0 and operation in ("div", "mod"):
            raise ExpressionRuntimeError("division by zero")
        if operation == "div":
            return left / right  # EL and FEEL divide exactly, never floor
        if operation == "mod":
            # Java's remainder takes the sign of the dividend.
            if is_plain_int(left) and is_plain_int(right):
                remainder = abs(left) % abs(right)
                return remainder if left >= 0 else -remainder
            return math.fmod(left, right)
        # 'pow'
        check_operands("pow", left, right)
        return self.meter.built_value(left**right)

    def contains(self, item: Any, group: Any) -> bool | None:
        """FEEL ``x in [..]``: list membership, or plain equality with a single value."""
        if isinstance(group, list):
            return any(self.equals(item, member) for member in group)
        return self.equals(item, group)

    def within(self, item: Any, interval: _Interval) -> bool | None:
        """FEEL ``x in [low..high]``: the interval is tested, never built as a value."""
        low, high = self.eval(interval.low), self.eval(interval.high)
        above = self.order("ge" if interval.low_closed else "gt", item, low)
        below = self.order("le" if interval.high_closed else "lt", item, high)
        if above is None or below is None:
            return None
        return above and below

    def as_text(self, value: Any) -> str:
        """EL coercion to string for composite templates."""
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        self.meter.require_text((value,), "the text")
        return str(value)


class ElExpression(Expression):
    """A compiled JUEL or FEEL expression."""

    def __init__(self, source: str, dialect: Dialect, tree: Any) -> None:
        super().__init__(source, dialect.name)
        self.dialect = dialect
        self._tree = tree
        # Whether the expression can set or remove variables (JUEL's
        # `execution.setVariable`): the caller then stores what it changed.
        self.writes_variables = any(
            isinstance(node, _MethodCall) and node.method.startswith(("set", "remove"))
            for node in _walk(tree)
        )

    def _evaluate(self, variables: Mapping[str, Any], functions: Mapping[str, Callable]) -> Any:
        return self.dialect.evaluator(self.dialect, variables, functions).eval(self._tree)


def _walk(node: Any) -> Iterator[Any]:
    """Every node of a syntax tree."""
    yield node
    for name in getattr(node, "__slots__", ()):
        child = getattr(node, name)
        if isinstance(child, tuple):
            for item in child:
                yield from _walk(item)
        elif hasattr(child, "__slots__") and not isinstance(child, str):
            yield from _walk(child)
