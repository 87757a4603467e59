"""Safe evaluation of the expressions and scripts found in BPMN files.

BPMN files are untrusted input, so nothing here hands user text to ``eval``,
``exec`` or ``compile``. Three languages are supported:

* **Python subset** (SpiffWorkflow files, and the default): the text is parsed
  with :func:`ast.parse`, checked against an allow-list of node types at
  compile time, and then walked by the small interpreter in this module.
  Expressions: literals, names, operators, comparisons, ``a if c else b``,
  subscripts and slices, comprehensions, f-strings, calls of the safe builtins,
  of the engine's ``functions`` and of allow-listed str/list/dict/set methods.
  Scripts add assignments, ``del``, ``if``, ``for`` (with break/continue/else),
  ``pass`` and plain module-level ``def`` (SpiffWorkflow's test files define
  helper functions; they never end up in the process variables). Attributes
  cannot be read, names may not start with ``__``, and there is no import,
  lambda, class, while, try, with, raise or global.
* **JUEL subset** (Camunda ``${...}``) and **FEEL subset** (leading ``=``):
  tokenised and parsed by hand into a tiny tree that this module evaluates.

Every evaluation runs on a budget (steps, loop iterations, sizes of strings,
collections and integers, nesting depth, call depth), so a hostile file can
neither reach Python internals nor stall a worker.
"""

from __future__ import annotations

import ast
import logging
import math
import operator
import re
import textwrap
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ExpressionError",
    "ExpressionRuntimeError",
    "ExpressionSyntaxError",
    "Expression",
    "Limits",
    "LIMITS",
    "Script",
    "compile_expression",
    "compile_script",
    "detect_language",
]

logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------


class ExpressionError(Exception):
    """Base class of every error raised for an expression or a script.

    ``message`` is the text to show a person; ``line`` is the 1-based script line the
    problem was found on, when known.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def at_line(self, line: int | None) -> ExpressionError:
        """Record the script line of the error (once) and return the error itself."""
        if line is not None and self.line is None:
            self.line = line
            self.message = f"line {line}: {self.message}"
            self.args = (self.message,)
        return self


class ExpressionSyntaxError(ExpressionError):
    """The text cannot be compiled: bad syntax or a construct that is not allowed."""


class ExpressionRuntimeError(ExpressionError):
    """Evaluation failed: unknown name, wrong type, division by zero, limit exceeded..."""


# --------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one evaluation may do. Exceeding any raises an ExpressionError."""

    max_source_length: int = 20_000  # characters of expression or script text
    max_nesting_depth: int = 100  # syntax-tree depth, checked at compile time
    max_steps: int = 100_000  # syntax nodes evaluated per evaluation/run
    max_loop_iterations: int = 10_000  # per for-loop or comprehension
    max_range_length: int = 100_000  # len(range(...))
    max_sequence_length: int = 100_000  # characters of a string, items of a collection
    max_int_bits: int = 4_096  # about 1,233 decimal digits
    max_format_width: int = 1_000  # width/precision in '%' and f-string formats
    max_call_depth: int = 16  # nested calls of functions defined in a script
    max_data_work: int = 1_000_000  # elements visited while comparing/printing/hashing values


LIMITS = Limits()


# --------------------------------------------------------------------------------------
# Language detection
# --------------------------------------------------------------------------------------

_LANGUAGE_NAMES = {
    "python": "python",
    "python3": "python",
    "py": "python",
    "text/x-python": "python",
    "juel": "juel",
    "uel": "juel",
    "el": "juel",
    "feel": "feel",
    "feel-scala": "feel",
}
# BPMN's default expressionLanguage is XPath; modelling tools write it without
# meaning it, so it is read as "not specified" rather than rejected.
_UNSPECIFIED_LANGUAGES = {"", "http://www.w3.org/1999/xpath"}
_JUEL_TEXT = re.compile(r"^\s*[$#]\{.*\}\s*$", re.DOTALL)


def detect_language(text: str, language: str | None = None) -> str:
    """Return ``'python'``, ``'juel'`` or ``'feel'`` for an expression.

    The BPMN ``language``/``scriptFormat``/``expressionLanguage`` attribute wins when it
    is given (case-insensitive; FEEL URIs such as
    ``http://www.omg.org/spec/FEEL/20140401`` count as FEEL). A language this module
    cannot run (``javascript``, ``groovy``...) raises ExpressionSyntaxError. Without an
    attribute, ``${...}`` is JUEL, a leading ``=`` is FEEL and anything else is Python.
    """
    if language is not None and language.strip().lower() not in _UNSPECIFIED_LANGUAGES:
        name = language.strip().lower()
        if name in _LANGUAGE_NAMES:
            return _LANGUAGE_NAMES[name]
        if "feel" in name:  # the OMG FEEL/DMN namespace URIs, whatever their version
            return "feel"
        raise ExpressionSyntaxError(
            f"unsupported language {language!r}: expressions may be Python, JUEL or FEEL"
        )
    if _JUEL_TEXT.match(text or ""):
        return "juel"
    if (text or "").lstrip().startswith("="):
        return "feel"
    return "python"


# --------------------------------------------------------------------------------------
# Public compiled objects
# --------------------------------------------------------------------------------------


class Expression(ABC):
    """A compiled expression. Compile once at BPMN import, evaluate many times."""

    def __init__(self, source: str, language: str) -> None:
        self.source = source
        self.language = language

    def evaluate(
        self, variables: Mapping[str, Any], functions: Mapping[str, Callable] | None = None
    ) -> Any:
        """Evaluate against process ``variables``; ``functions`` adds callables by name.

        Every failure is raised as ExpressionRuntimeError (never another exception type).
        """
        return _guarded(lambda: self._evaluate(variables, functions or {}))

    @abstractmethod
    def _evaluate(self, variables: Mapping[str, Any], functions: Mapping[str, Callable]) -> Any:
        """Language-specific evaluation; may raise any exception (the caller wraps it)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.language} {self.source!r}>"


class Script:
    """A compiled script (a BPMN scriptTask body) in the safe Python subset."""

    language = "python"

    def __init__(self, source: str, tree: ast.Module) -> None:
        self.source = source
        self._tree = tree

    def run(
        self, variables: dict[str, Any], functions: Mapping[str, Callable] | None = None
    ) -> None:
        """Run the script, updating ``variables`` in place.

        Assignments create or replace variables, ``del name`` removes one. Functions the
        script defines with ``def`` are never left in ``variables``. On error the
        variables may be partly updated: pass a copy if the caller needs all-or-nothing.
        """

        def execute() -> None:
            interpreter = _PythonInterpreter(variables, functions or {}, allow_mutation=True)
            interpreter.run_module(self._tree)
            interpreter.drop_callables_from_variables()
            _ensure_storable(interpreter.touched_values())

        _guarded(execute)

    def __repr__(self) -> str:
        return f"<Script {self.source[:40]!r}>"


def compile_expression(text: str, language: str | None = None) -> Expression:
    """Compile a condition/expression; bad syntax raises ExpressionSyntaxError."""
    _check_source(text, what="expression")
    if not text.strip():
        raise ExpressionSyntaxError("the expression is empty")
    resolved = detect_language(text, language)
    if resolved == "juel":
        return _ElExpression(text, "juel", _ElParser(text, _JUEL).parse_template())
    if resolved == "feel":
        body = text.lstrip()
        body = body[1:] if body.startswith("=") else body
        return _ElExpression(text, "feel", _ElParser(body, _FEEL).parse_all())
    return _PythonExpression(text, _parse_python(text.strip(), is_script=False))


def compile_script(text: str, language: str | None = None) -> Script:
    """Compile a script in the safe Python subset; bad syntax raises ExpressionSyntaxError.

    An empty script is valid and does nothing. Scripts in other languages are rejected.
    """
    _check_source(text, what="script")
    resolved = detect_language(text, language)
    if resolved != "python":
        raise ExpressionSyntaxError(
            f"{resolved.upper()} scripts are not supported: scripts must be Python"
        )
    # Scripts inside XML are often indented as a block; that is not a syntax error.
    source = textwrap.dedent(text).strip("\n")
    return Script(text, _parse_python(source, is_script=True))


def _check_source(text: Any, what: str) -> None:
    if not isinstance(text, str):
        raise ExpressionSyntaxError(f"the {what} must be text, not {type(text).__name__}")
    if len(text) > LIMITS.max_source_length:
        raise ExpressionSyntaxError(
            f"the {what} is too long ({len(text)} characters; "
            f"the limit is {LIMITS.max_source_length})"
        )


def _guarded(action: Callable[[], Any]) -> Any:
    """Run ``action`` and turn every failure into an ExpressionRuntimeError."""
    try:
        return action()
    except ExpressionError:
        raise
    except _ControlFlow as signal:  # only reachable through a bug: keep it visible
        raise ExpressionRuntimeError(f"internal error: stray {type(signal).__name__}") from None
    except RecursionError:
        raise ExpressionRuntimeError(
            "the evaluation is nested too deeply (too many nested calls or values)"
        ) from None
    except Exception as exc:
        raise ExpressionRuntimeError(_describe_exception(exc)) from exc


def _describe_exception(exc: BaseException) -> str:
    """Human text for a Python exception raised while evaluating."""
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, KeyError):
        return f"key {exc.args[0]!r} not found" if exc.args else "key not found"
    if isinstance(exc, MemoryError):
        return "out of memory while evaluating"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# --------------------------------------------------------------------------------------
# Size and work limits shared by the interpreters
# --------------------------------------------------------------------------------------

_SIZED_TYPES = (str, bytes, list, tuple, dict, set, frozenset)
_CONTAINER_TYPES = (list, tuple, dict, set, frozenset)


def _check_size(value: Any) -> Any:
    """Reject values too large to keep; return the value so calls can be chained."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > LIMITS.max_int_bits:
            raise ExpressionRuntimeError(
                f"integer too large (more than {LIMITS.max_int_bits} bits)"
            )
    elif isinstance(value, _SIZED_TYPES) and len(value) > LIMITS.max_sequence_length:
        raise ExpressionRuntimeError(
            f"value too large (size {len(value)}, limit {LIMITS.max_sequence_length})"
        )
    return value


def _require_length_within_limit(length: int, what: str) -> None:
    if length > LIMITS.max_sequence_length:
        raise ExpressionRuntimeError(
            f"{what} would be too large (size {length}, limit {LIMITS.max_sequence_length})"
        )


class _WorkMeter:
    """Counts evaluation steps and element visits against the limits."""

    def __init__(self) -> None:
        self.steps = 0
        self.data_work = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > LIMITS.max_steps:
            raise ExpressionRuntimeError(
                f"evaluation took too many steps (limit {LIMITS.max_steps})"
            )

    def walk(self, value: Any) -> None:
        """Charge for a deep traversal of ``value`` (comparing, printing, hashing).

        Containers that share children (``a = [a, a]`` repeated) are exponentially
        large when traversed, and cyclic ones are infinite; charging each visited
        element stops both before Python's C code spends unbounded time on them.
        """
        if not isinstance(value, _CONTAINER_TYPES):
            return
        pending = [value]
        while pending:
            item = pending.pop()
            self.data_work += 1
            if self.data_work > LIMITS.max_data_work:
                raise ExpressionRuntimeError(
                    "values are too large, cyclic or too deeply shared to process "
                    f"(more than {LIMITS.max_data_work} elements visited)"
                )
            if isinstance(item, dict):
                pending.extend(item.keys())
                pending.extend(item.values())
            elif isinstance(item, _CONTAINER_TYPES):
                pending.extend(item)


def _ensure_storable(values: Iterable[Any]) -> None:
    """Refuse results that would be unbounded work for whoever stores them (e.g. JSON)."""
    meter = _WorkMeter()
    for value in values:
        meter.walk(value)


# --------------------------------------------------------------------------------------
# Python subset: compile-time validation
# --------------------------------------------------------------------------------------

# fmt: off
_OPERATOR_NODES = {
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift,
    ast.RShift, ast.BitOr, ast.BitXor, ast.BitAnd, ast.And, ast.Or, ast.Not, ast.Invert,
    ast.UAdd, ast.USub, ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.Is,
    ast.IsNot, ast.In, ast.NotIn, ast.Load, ast.Store, ast.Del,
}
_EXPRESSION_NODES = _OPERATOR_NODES | {
    ast.Expression, ast.Constant, ast.Name, ast.Attribute, ast.Subscript, ast.Slice,
    ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp, ast.IfExp, ast.List, ast.Tuple,
    ast.Set, ast.Dict, ast.Starred, ast.Call, ast.keyword, ast.JoinedStr,
    ast.FormattedValue, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp,
    ast.comprehension,
}
_SCRIPT_NODES = _EXPRESSION_NODES | {
    ast.Module, ast.Assign, ast.AugAssign, ast.Delete, ast.Expr, ast.If, ast.For,
    ast.Pass, ast.Break, ast.Continue, ast.FunctionDef, ast.Return,
}
# fmt: on

# Names for constructs people are likely to try, so the error says what to change.
_CONSTRUCT_NAMES: dict[type, str] = {
    ast.Import: "import statements",
    ast.ImportFrom: "import statements",
    ast.Lambda: "lambda expressions",
    ast.ClassDef: "class definitions",
    ast.While: "while loops (use 'for ... in range(n)')",
    ast.Try: "try/except blocks",
    ast.Raise: "raise statements",
    ast.With: "with statements",
    ast.AsyncFunctionDef: "async functions",
    ast.AsyncFor: "async for loops",
    ast.AsyncWith: "async with statements",
    ast.Await: "await expressions",
    ast.Global: "global declarations",
    ast.Nonlocal: "nonlocal declarations",
    ast.Assert: "assert statements",
    ast.NamedExpr: "assignment expressions (:=)",
    ast.Yield: "yield expressions",
    ast.YieldFrom: "yield expressions",
    ast.Match: "match statements",
    ast.AnnAssign: "annotated assignments",
    ast.MatMult: "the @ operator",
    ast.Expr: "statements",
    ast.Assign: "assignments",
    ast.AugAssign: "assignments",
    ast.FunctionDef: "function definitions",
}


def _construct_name(node: ast.AST) -> str:
    return _CONSTRUCT_NAMES.get(type(node), f"'{type(node).__name__}' constructs")


# Methods that may be called, by the builtin type that owns them. Only these types'
# own implementations are used (see _PythonInterpreter.call_method).
# fmt: off
_READ_ONLY_METHODS: dict[type, frozenset[str]] = {
    str: frozenset({
        "lower", "upper", "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
        "join", "startswith", "endswith", "replace", "count", "index", "find", "rfind",
        "title", "capitalize", "casefold", "isdigit", "isalpha", "isalnum", "isspace",
        "islower", "isupper", "removeprefix", "removesuffix",
    }),
    list: frozenset({"index", "count", "copy"}),
    tuple: frozenset({"index", "count"}),
    dict: frozenset({"get", "keys", "values", "items", "copy"}),
    set: frozenset({"copy", "union", "intersection", "difference", "issubset", "issuperset"}),
    frozenset: frozenset({"union", "intersection", "difference", "issubset", "issuperset"}),
}
# fmt: on
# Methods that change data: allowed in scripts only, so a condition cannot alter state.
_MUTATING_METHODS: dict[type, frozenset[str]] = {
    list: frozenset({"append", "extend", "insert", "pop", "remove", "reverse", "clear"}),
    dict: frozenset({"pop", "update", "setdefault", "clear"}),
    set: frozenset({"add", "discard", "remove", "update", "clear"}),
}
_ALL_READ_ONLY_METHOD_NAMES = frozenset().union(*_READ_ONLY_METHODS.values())
_ALL_MUTATING_METHOD_NAMES = frozenset().union(*_MUTATING_METHODS.values())
# Methods whose cost depends on the receiver's contents (not just its length).
_RECEIVER_SCANNING_METHODS = frozenset({"index", "count", "remove"})


def _parse_python(source: str, *, is_script: bool) -> ast.AST:
    """Parse ``source`` and validate it against the safe subset."""
    try:
        tree = ast.parse(source, mode="exec" if is_script else "eval")
    except SyntaxError as exc:
        line = exc.lineno if is_script else None
        where = f" (column {exc.offset})" if exc.offset and not is_script else ""
        raise ExpressionSyntaxError(f"invalid Python syntax: {exc.msg}{where}").at_line(
            line
        ) from None
    except (RecursionError, MemoryError):
        raise ExpressionSyntaxError("the text is nested too deeply to parse") from None
    except ValueError as exc:  # e.g. NUL characters in the source
        raise ExpressionSyntaxError(f"invalid Python source: {exc}") from None
    _PythonValidator(is_script=is_script).validate(tree)
    return tree


class _PythonValidator:
    """Rejects, at compile time, every construct outside the safe subset."""

    def __init__(self, *, is_script: bool) -> None:
        self.is_script = is_script
        self.allowed = _SCRIPT_NODES if is_script else _EXPRESSION_NODES

    def validate(self, tree: ast.AST) -> None:
        self.visit(tree, depth=0, in_function=False, in_loop=False)

    def reject(self, node: ast.AST, message: str) -> ExpressionSyntaxError:
        line = getattr(node, "lineno", None) if self.is_script else None
        return ExpressionSyntaxError(message).at_line(line)

    def visit(self, node: ast.AST, *, depth: int, in_function: bool, in_loop: bool) -> None:
        if depth > LIMITS.max_nesting_depth:
            raise self.reject(
                node, f"the text is nested too deeply (limit {LIMITS.max_nesting_depth} levels)"
            )
        if type(node) not in self.allowed:
            where = "" if self.is_script else " in expressions"
            raise self.reject(node, f"{_construct_name(node)} are not allowed{where}")

        def children(*nodes: ast.AST | None, in_loop: bool = in_loop) -> None:
            for child in nodes:
                if child is not None:
                    self.visit(child, depth=depth + 1, in_function=in_function, in_loop=in_loop)

        match node:
            case ast.Name(id=name):
                self.check_name(node, name)
            case ast.Constant(value=int() as number) if number.bit_length() > LIMITS.max_int_bits:
                raise self.reject(node, "integer literal is too large")
            case ast.Attribute(attr=attribute):
                raise self.reject(
                    node,
                    f"reading the attribute '.{attribute}' is not allowed; "
                    "only methods such as .lower() or .get() can be called",
                )
            case ast.Starred():
                raise self.reject(node, "'*' unpacking is only allowed in lists and calls")
            case ast.Call(func=function, args=args, keywords=keywords):
                self.check_callee(function, depth, in_function, in_loop)
                for argument in args:
                    children(argument.value if isinstance(argument, ast.Starred) else argument)
                children(*(keyword.value for keyword in keywords))
            case ast.List(elts=items) | ast.Tuple(elts=items) | ast.Set(elts=items):
                for item in items:
                    if isinstance(item, ast.Starred):
                        if not isinstance(item.ctx, ast.Load):
                            raise self.reject(item, "starred assignment is not supported")
                        children(item.value)
                    else:
                        children(item)
            case ast.comprehension(is_async=1):
                raise self.reject(node, "async comprehensions are not allowed")
            case ast.Assign(targets=targets, value=value):
                for target in targets:
                    self.check_target(target, depth, in_function, in_loop)
                children(value)
            case ast.AugAssign(target=target, value=value):
                if not isinstance(target, ast.Name | ast.Subscript):
                    raise self.reject(target, "augmented assignment needs a name or item target")
                self.check_target(target, depth, in_function, in_loop)
                children(value)
            case ast.Delete(targets=targets):
                for target in targets:
                    if not isinstance(target, ast.Name | ast.Subscript):
                        raise self.reject(target, "'del' needs a variable name or an item")
                    self.check_target(target, depth, in_function, in_loop)
            case ast.For(target=target, iter=iterable, body=body, orelse=orelse):
                self.check_target(target, depth, in_function, in_loop)
                children(iterable)
                children(*body, in_loop=True)
                children(*orelse)
            case ast.Break() | ast.Continue() if not in_loop:
                raise self.reject(node, f"'{type(node).__name__.lower()}' outside a loop")
            case ast.Return(value=value):
                if not in_function:
                    raise self.reject(node, "'return' outside a function")
                children(value)
            case ast.FunctionDef():
                self.check_function(node, depth, in_function)
            case _:
                children(*ast.iter_child_nodes(node))

    def check_name(self, node: ast.AST, name: str) -> None:
        if name.startswith("__"):
            raise self.reject(node, f"names starting with '__' are not allowed ({name!r})")

    def check_callee(self, function: ast.AST, depth: int, in_function: bool, in_loop: bool) -> None:
        """Only named functions and allow-listed methods may be called."""
        if isinstance(function, ast.Name):
            self.check_name(function, function.id)
            return
        if not isinstance(function, ast.Attribute):
            # Report a forbidden callee (a lambda...) by name before the generic message.
            self.visit(function, depth=depth + 1, in_function=in_function, in_loop=in_loop)
            raise self.reject(function, "only named functions and allowed methods can be called")
        method = function.attr
        if method.startswith("_"):
            raise self.reject(function, f"private attribute '.{method}' is not allowed")
        if method in _ALL_MUTATING_METHOD_NAMES - _ALL_READ_ONLY_METHOD_NAMES:
            if not self.is_script:
                raise self.reject(
                    function, f"method '.{method}()' changes data and is only allowed in scripts"
                )
        elif method not in _ALL_READ_ONLY_METHOD_NAMES:
            raise self.reject(function, f"method '.{method}()' is not allowed")
        self.visit(function.value, depth=depth + 2, in_function=in_function, in_loop=in_loop)

    def check_target(self, target: ast.AST, depth: int, in_function: bool, in_loop: bool) -> None:
        """Assignment, deletion and loop targets: names, items and tuples of them."""
        if depth > LIMITS.max_nesting_depth:
            raise self.reject(target, "the assignment target is nested too deeply")
        match target:
            case ast.Name(id=name):
                self.check_name(target, name)
            case ast.Tuple(elts=items) | ast.List(elts=items):
                for item in items:
                    self.check_target(item, depth + 1, in_function, in_loop)
            case ast.Subscript(value=container, slice=key):
                for part in (container, key):
                    self.visit(part, depth=depth + 1, in_function=in_function, in_loop=in_loop)
            case ast.Attribute():
                raise self.reject(target, "assigning to attributes is not allowed")
            case ast.Starred():
                raise self.reject(target, "starred assignment is not supported")
            case _:
                raise self.reject(target, f"cannot assign to {_construct_name(target)}")

    def check_function(self, node: ast.FunctionDef, depth: int, in_function: bool) -> None:
        """Plain module-level functions only: no decorators, *args, annotations or nesting."""
        if in_function:
            raise self.reject(node, "functions defined inside functions are not allowed")
        self.check_name(node, node.name)
        arguments = node.args
        if node.decorator_list:
            raise self.reject(node, "decorators are not allowed")
        if getattr(node, "type_params", None):
            raise self.reject(node, "type parameters are not allowed")
        if arguments.vararg or arguments.kwarg or arguments.posonlyargs or arguments.kwonlyargs:
            raise self.reject(node, "functions may only take plain named parameters")
        if node.returns or any(argument.annotation for argument in arguments.args):
            raise self.reject(node, "annotations are not allowed")
        for argument in arguments.args:
            self.check_name(argument, argument.arg)
        for default in arguments.defaults:
            self.visit(default, depth=depth + 1, in_function=False, in_loop=False)
        for statement in node.body:
            self.visit(statement, depth=depth + 1, in_function=True, in_loop=False)


# --------------------------------------------------------------------------------------
# Python subset: the interpreter
# --------------------------------------------------------------------------------------


class _ControlFlow(Exception):  # noqa: N818 - signals, not errors
    """Base of the signals used for break/continue/return."""


class _BreakLoop(_ControlFlow):
    pass


class _ContinueLoop(_ControlFlow):
    pass


class _ReturnValue(_ControlFlow):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


def _bounded_range(*arguments: int) -> range:
    """``range`` that refuses to describe more than ``max_range_length`` numbers."""
    numbers = range(*arguments)
    try:
        length = len(numbers)
    except OverflowError:
        length = LIMITS.max_range_length + 1
    if length > LIMITS.max_range_length:
        raise ExpressionRuntimeError(
            f"range() is too long ({length} numbers; the limit is {LIMITS.max_range_length})"
        )
    return numbers


def _numeric_sum(values: Iterable[Any], start: int | float = 0) -> Any:
    """``sum`` of numbers; summing lists or strings would bypass the size limits."""
    if not isinstance(start, int | float):
        raise ExpressionRuntimeError("sum() can only add numbers")
    return sum(values, start)


def _log_print(*values: Any, sep: str = " ", end: str = "") -> None:
    """Default ``print``: scripts have no console, so output goes to the log."""
    logger.info("script output: %s%s", sep.join(str(value) for value in values), end.rstrip())


# fmt: off
SAFE_BUILTINS: Mapping[str, Callable] = {
    "len": len, "min": min, "max": max, "sum": _numeric_sum, "abs": abs, "round": round,
    "int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict,
    "tuple": tuple, "set": set, "sorted": sorted, "range": _bounded_range, "any": any,
    "all": all, "enumerate": enumerate, "zip": zip, "print": _log_print,
}
# fmt: on
# Builtins that never traverse their arguments' contents (no deep-work charge).
_SHALLOW_BUILTIN_IDS = frozenset(
    id(function) for function in (len, bool, abs, round, int, float, _bounded_range, enumerate, zip)
)

# fmt: off
_BINARY_OPERATORS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow, ast.LShift: operator.lshift, ast.RShift: operator.rshift,
    ast.BitOr: operator.or_, ast.BitXor: operator.xor, ast.BitAnd: operator.and_,
}
_COMPARISONS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge, ast.Is: operator.is_,
    ast.IsNot: operator.is_not, ast.In: lambda item, group: item in group,
    ast.NotIn: lambda item, group: item not in group,
}
_UNARY_OPERATORS: dict[type, Callable[[Any], Any]] = {
    ast.UAdd: operator.pos, ast.USub: operator.neg, ast.Not: operator.not_,
    ast.Invert: operator.invert,
}
# fmt: on
_PERCENT_FORMAT = re.compile(
    r"%(?:\([^)]*\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?[a-zA-Z%]"
)


def _check_format_widths(widths: Iterable[str | None]) -> None:
    for width in widths:
        if width == "*" or (width and int(width) > LIMITS.max_format_width):
            raise ExpressionRuntimeError(
                f"format width/precision must be a number up to {LIMITS.max_format_width}"
            )


def _check_binary_operands(operation: type, left: Any, right: Any) -> None:
    """Refuse, before computing, results that would blow the size limits."""
    sequence_types = (str, bytes, list, tuple)
    if operation is ast.Add:
        if isinstance(left, sequence_types) and isinstance(right, sequence_types):
            _require_length_within_limit(len(left) + len(right), "the concatenation")
    elif operation is ast.Mult:
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, sequence_types) and isinstance(count, int):
                _require_length_within_limit(len(sequence) * max(count, 0), "the repetition")
        both_ints = _is_plain_int(left) and _is_plain_int(right)
        if both_ints and left.bit_length() + right.bit_length() > LIMITS.max_int_bits + 1:
            raise ExpressionRuntimeError("the product would be too large")
    elif operation is ast.Pow:
        # Only |base| > 1 grows; the estimate is the result's bit length.
        growing = _is_plain_int(left) and _is_plain_int(right) and abs(left) > 1 and right > 0
        if growing and left.bit_length() * (right - 1) > LIMITS.max_int_bits:
            raise ExpressionRuntimeError("the power would be too large")
    elif operation is ast.LShift:
        shifting = _is_plain_int(left) and _is_plain_int(right) and right > 0
        if shifting and left.bit_length() + right > LIMITS.max_int_bits:
            raise ExpressionRuntimeError("the shifted number would be too large")
    elif operation is ast.Mod and isinstance(left, str):
        for match in _PERCENT_FORMAT.finditer(left):
            _check_format_widths((match["width"], match["precision"]))


def _is_plain_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


class _ScriptFunction:
    """A function defined with ``def`` in a script; lives only while the script runs."""

    def __init__(
        self, node: ast.FunctionDef, defaults: list[Any], interpreter: _PythonInterpreter
    ) -> None:
        self.node = node
        self.name = node.name
        self.parameters = [argument.arg for argument in node.args.args]
        # Defaults line up with the last parameters, as in Python.
        defaulted = self.parameters[len(self.parameters) - len(defaults) :]
        self.defaults = dict(zip(defaulted, defaults, strict=True))
        self.interpreter = interpreter

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        if len(args) > len(self.parameters):
            raise ExpressionRuntimeError(
                f"{self.name}() takes {len(self.parameters)} arguments but {len(args)} were given"
            )
        local_scope = dict(zip(self.parameters, args, strict=False))
        for name, value in kwargs.items():
            if name not in self.parameters:
                raise ExpressionRuntimeError(f"{self.name}() got an unexpected argument {name!r}")
            if name in local_scope:
                raise ExpressionRuntimeError(f"{self.name}() got multiple values for {name!r}")
            local_scope[name] = value
        for name in self.parameters:
            if name not in local_scope:
                if name not in self.defaults:
                    raise ExpressionRuntimeError(f"{self.name}() is missing the argument {name!r}")
                local_scope[name] = self.defaults[name]
        return local_scope

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.interpreter.call_script_function(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<script function {self.name}>"


class _PythonInterpreter:
    """Evaluates a validated syntax tree. One instance per evaluation or script run."""

    def __init__(
        self,
        variables: Mapping[str, Any],
        functions: Mapping[str, Callable],
        *,
        allow_mutation: bool,
    ) -> None:
        self.variables = variables
        self.functions = functions
        self.allow_mutation = allow_mutation
        self.script_functions: dict[str, _ScriptFunction] = {}
        # Innermost last: function locals, then comprehension scopes. Empty at module level.
        self.scopes: list[dict[str, Any]] = []
        self.call_depth = 0
        self.meter = _WorkMeter()
        # Identity of every callable the text may call; values merely *stored* in the
        # variables are data and are never called.
        self.callable_ids = {id(function) for function in SAFE_BUILTINS.values()}
        self.callable_ids.update(id(function) for function in functions.values())
        # Variables this run read or wrote: only these can have changed, so only these
        # are checked afterwards (checking all of them made N scripts cost O(N^2)).
        self.touched: set[str] = set()

    # ----- entry points -----

    def evaluate(self, tree: ast.Expression) -> Any:
        result = self.eval(tree.body)
        _ensure_storable([result])
        return result

    def run_module(self, tree: ast.Module) -> None:
        self.exec_block(tree.body)

    def drop_callables_from_variables(self) -> None:
        """Functions are code, not process data: never leave them in the variables."""
        assert isinstance(self.variables, dict)
        for name in [n for n in self.touched if self.is_code(self.variables.get(n))]:
            del self.variables[name]

    def touched_values(self) -> list[Any]:
        return [self.variables[n] for n in self.touched if n in self.variables]

    def is_code(self, value: Any) -> bool:
        return isinstance(value, _ScriptFunction) or id(value) in self.callable_ids

    # ----- names -----

    def load_name(self, name: str) -> Any:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        if name in self.script_functions:
            return self.script_functions[name]
        if name in self.variables:
            self.touched.add(name)
            return self.variables[name]
        for namespace in (self.functions, SAFE_BUILTINS):
            if name in namespace:
                return namespace[name]
        raise ExpressionRuntimeError(f"name '{name}' is not defined")

    def store_name(self, name: str, value: Any) -> None:
        if self.scopes:
            self.scopes[-1][name] = value
            return
        self.script_functions.pop(name, None)  # rebinding replaces a script function
        self.touched.add(name)
        self.variables[name] = value  # type: ignore[index]  # scripts get a dict

    def delete_name(self, name: str) -> None:
        namespaces = [self.scopes[-1]] if self.scopes else [self.script_functions, self.variables]
        for namespace in namespaces:
            if name in namespace:
                del namespace[name]  # type: ignore[attr-defined]
                return
        raise ExpressionRuntimeError(f"name '{name}' is not defined")

    # ----- statements -----

    def exec_block(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.exec(statement)

    def exec(self, node: ast.stmt) -> None:
        self.meter.step()
        try:
            getattr(self, f"exec_{type(node).__name__}")(node)
        except (_ControlFlow, ExpressionSyntaxError):
            raise
        except ExpressionRuntimeError as error:
            raise error.at_line(node.lineno) from error.__cause__
        except RecursionError:
            raise ExpressionRuntimeError("the evaluation is nested too deeply").at_line(
                node.lineno
            ) from None
        except Exception as exc:
            raise ExpressionRuntimeError(_describe_exception(exc)).at_line(node.lineno) from exc

    def exec_Expr(self, node: ast.Expr) -> None:  # noqa: N802 - named after the ast class
        self.eval(node.value)

    def exec_Assign(self, node: ast.Assign) -> None:  # noqa: N802
        value = self.eval(node.value)
        for target in node.targets:
            self.assign(target, value)

    def exec_AugAssign(self, node: ast.AugAssign) -> None:  # noqa: N802
        target = node.target
        if isinstance(target, ast.Name):
            current = self.load_name(target.id)
            self.store_name(target.id, self.binary(node.op, current, self.eval(node.value)))
        else:
            assert isinstance(target, ast.Subscript)
            container = self.eval(target.value)
            key = self.eval_key(target.slice)
            container[key] = self.binary(node.op, container[key], self.eval(node.value))

    def exec_Delete(self, node: ast.Delete) -> None:  # noqa: N802
        for target in node.targets:
            if isinstance(target, ast.Name):
                self.delete_name(target.id)
            else:
                assert isinstance(target, ast.Subscript)
                container = self.eval(target.value)
                del container[self.eval_key(target.slice)]

    def exec_If(self, node: ast.If) -> None:  # noqa: N802
        self.exec_block(node.body if self.eval(node.test) else node.orelse)

    def exec_For(self, node: ast.For) -> None:  # noqa: N802
        for item in self.bounded_iteration(self.eval(node.iter)):
            self.assign(node.target, item)
            try:
                self.exec_block(node.body)
            except _BreakLoop:
                break
            except _ContinueLoop:
                continue
        else:
            self.exec_block(node.orelse)

    def exec_Pass(self, node: ast.Pass) -> None:  # noqa: N802
        pass

    def exec_Break(self, node: ast.Break) -> None:  # noqa: N802
        raise _BreakLoop

    def exec_Continue(self, node: ast.Continue) -> None:  # noqa: N802
        raise _ContinueLoop

    def exec_Return(self, node: ast.Return) -> None:  # noqa: N802
        raise _ReturnValue(None if node.value is None else self.eval(node.value))

    def exec_FunctionDef(self, node: ast.FunctionDef) -> None:  # noqa: N802
        defaults = [self.eval(default) for default in node.args.defaults]
        if isinstance(self.variables, dict):
            self.variables.pop(node.name, None)  # 'def' rebinds the name, as in Python
        self.script_functions[node.name] = _ScriptFunction(node, defaults, self)

    def call_script_function(
        self, function: _ScriptFunction, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> Any:
        if self.call_depth >= LIMITS.max_call_depth:
            raise ExpressionRuntimeError(
                f"too many nested function calls (limit {LIMITS.max_call_depth})"
            )
        local_scope = function.bind(args, kwargs)
        caller_scopes, self.scopes = self.scopes, [local_scope]
        self.call_depth += 1
        try:
            self.exec_block(function.node.body)
        except _ReturnValue as returned:
            return returned.value
        finally:
            self.scopes = caller_scopes
            self.call_depth -= 1
        return None

    def assign(self, target: ast.AST, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.store_name(target.id, value)
        elif isinstance(target, ast.Tuple | ast.List):
            items = list(self.bounded_iteration(value))
            if len(items) != len(target.elts):
                raise ExpressionRuntimeError(
                    f"cannot unpack {len(items)} values into {len(target.elts)} names"
                )
            for item_target, item in zip(target.elts, items, strict=True):
                self.assign(item_target, item)
        else:
            assert isinstance(target, ast.Subscript)
            container = self.eval(target.value)
            container[self.eval_key(target.slice)] = value
            _check_size(container)

    def bounded_iteration(self, iterable: Any) -> Iterator[Any]:
        for count, item in enumerate(iterable, start=1):
            if count > LIMITS.max_loop_iterations:
                raise ExpressionRuntimeError(
                    f"loop ran more than {LIMITS.max_loop_iterations} times"
                )
            yield item

    # ----- expressions -----

    def eval(self, node: ast.AST) -> Any:
        self.meter.step()
        return getattr(self, f"eval_{type(node).__name__}")(node)

    def eval_key(self, node: ast.AST) -> Any:
        """Evaluate a subscript key; hashing a key may traverse it (tuples)."""
        key = self.eval(node)
        self.meter.walk(key)
        return key

    def eval_Constant(self, node: ast.Constant) -> Any:  # noqa: N802
        return node.value

    def eval_Name(self, node: ast.Name) -> Any:  # noqa: N802
        return self.load_name(node.id)

    def eval_items(self, nodes: list[ast.expr]) -> list[Any]:
        items: list[Any] = []
        for node in nodes:
            if isinstance(node, ast.Starred):
                items.extend(self.bounded_iteration(self.eval(node.value)))
            else:
                items.append(self.eval(node))
            _require_length_within_limit(len(items), "the collection")
        return items

    def eval_List(self, node: ast.List) -> list[Any]:  # noqa: N802
        return self.eval_items(node.elts)

    def eval_Tuple(self, node: ast.Tuple) -> tuple[Any, ...]:  # noqa: N802
        return tuple(self.eval_items(node.elts))

    def eval_Set(self, node: ast.Set) -> set[Any]:  # noqa: N802
        items = self.eval_items(node.elts)
        for item in items:
            self.meter.walk(item)
        return set(items)

    def eval_Dict(self, node: ast.Dict) -> dict[Any, Any]:  # noqa: N802
        result: dict[Any, Any] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:  # {**other}
                result.update(self.eval(value_node))
            else:
                result[self.eval_key(key_node)] = self.eval(value_node)
            _check_size(result)
        return result

    def eval_BinOp(self, node: ast.BinOp) -> Any:  # noqa: N802
        return self.binary(node.op, self.eval(node.left), self.eval(node.right))

    def binary(self, operation: ast.operator, left: Any, right: Any) -> Any:
        _check_binary_operands(type(operation), left, right)
        if isinstance(operation, ast.Mod) and isinstance(left, str):
            self.meter.walk(right)  # '%' formatting prints the right-hand values
        return _check_size(_BINARY_OPERATORS[type(operation)](left, right))

    def eval_UnaryOp(self, node: ast.UnaryOp) -> Any:  # noqa: N802
        return _UNARY_OPERATORS[type(node.op)](self.eval(node.operand))

    def eval_BoolOp(self, node: ast.BoolOp) -> Any:  # noqa: N802
        result = None
        for value_node in node.values:
            result = self.eval(value_node)
            # 'and' stops at the first falsy value, 'or' at the first truthy one.
            if isinstance(node.op, ast.And) != bool(result):
                return result
        return result

    def eval_Compare(self, node: ast.Compare) -> bool:  # noqa: N802
        left = self.eval(node.left)
        for operation, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.eval(right_node)
            if not isinstance(operation, ast.Is | ast.IsNot):
                self.meter.walk(left)
                self.meter.walk(right)
            if not _COMPARISONS[type(operation)](left, right):
                return False
            left = right
        return True

    def eval_IfExp(self, node: ast.IfExp) -> Any:  # noqa: N802
        return self.eval(node.body) if self.eval(node.test) else self.eval(node.orelse)

    def eval_Subscript(self, node: ast.Subscript) -> Any:  # noqa: N802
        container = self.eval(node.value)
        return container[self.eval_key(node.slice)]

    def eval_Slice(self, node: ast.Slice) -> slice:  # noqa: N802
        parts = (node.lower, node.upper, node.step)
        return slice(*(None if part is None else self.eval(part) for part in parts))

    def eval_JoinedStr(self, node: ast.JoinedStr) -> str:  # noqa: N802
        pieces = [self.eval(value) for value in node.values]
        _require_length_within_limit(sum(len(piece) for piece in pieces), "the f-string")
        return "".join(pieces)

    def eval_FormattedValue(self, node: ast.FormattedValue) -> str:  # noqa: N802
        value = self.eval(node.value)
        self.meter.walk(value)
        if node.conversion == ord("r"):
            value = repr(value)
        elif node.conversion == ord("s"):
            value = str(value)
        elif node.conversion == ord("a"):
            value = ascii(value)
        spec = "" if node.format_spec is None else self.eval(node.format_spec)
        _check_format_widths(re.findall(r"\d+", spec))
        return _check_size(format(value, spec))

    def eval_ListComp(self, node: ast.ListComp) -> list[Any]:  # noqa: N802
        result: list[Any] = []
        self.comprehension(node.generators, lambda: result.append(self.eval(node.elt)))
        return result

    def eval_GeneratorExp(self, node: ast.GeneratorExp) -> list[Any]:  # noqa: N802
        # Evaluated eagerly: the budget covers it and the functions it feeds accept lists.
        result: list[Any] = []
        self.comprehension(node.generators, lambda: result.append(self.eval(node.elt)))
        return result

    def eval_SetComp(self, node: ast.SetComp) -> set[Any]:  # noqa: N802
        result: set[Any] = set()

        def add() -> None:
            item = self.eval(node.elt)
            self.meter.walk(item)
            result.add(item)

        self.comprehension(node.generators, add)
        return result

    def eval_DictComp(self, node: ast.DictComp) -> dict[Any, Any]:  # noqa: N802
        result: dict[Any, Any] = {}

        def add() -> None:
            key = self.eval_key(node.key)
            result[key] = self.eval(node.value)

        self.comprehension(node.generators, add)
        return result

    def comprehension(self, generators: list[ast.comprehension], emit: Callable[[], None]) -> None:
        """Run nested ``for ... if ...`` clauses in their own scope, calling ``emit``."""
        produced = 0

        def level(index: int) -> None:
            nonlocal produced
            if index == len(generators):
                produced += 1
                _require_length_within_limit(produced, "the comprehension")
                emit()
                return
            generator = generators[index]
            for item in self.bounded_iteration(self.eval(generator.iter)):
                self.assign(generator.target, item)
                if all(self.eval(condition) for condition in generator.ifs):
                    level(index + 1)

        self.scopes.append({})
        try:
            level(0)
        finally:
            self.scopes.pop()

    def eval_Call(self, node: ast.Call) -> Any:  # noqa: N802
        if isinstance(node.func, ast.Attribute):
            receiver = self.eval(node.func.value)
            args, kwargs = self.eval_arguments(node)
            return self.call_method(receiver, node.func.attr, args, kwargs)
        assert isinstance(node.func, ast.Name)
        function = self.load_name(node.func.id)
        args, kwargs = self.eval_arguments(node)
        return self.call_function(node.func.id, function, args, kwargs)

    def eval_arguments(self, node: ast.Call) -> tuple[list[Any], dict[str, Any]]:
        args = self.eval_items(node.args)
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:  # f(**mapping)
                kwargs.update(self.eval(keyword.value))
            else:
                kwargs[keyword.arg] = self.eval(keyword.value)
        return args, kwargs

    def call_function(
        self, name: str, function: Any, args: list[Any], kwargs: dict[str, Any]
    ) -> Any:
        if isinstance(function, _ScriptFunction):
            return _check_size(function(*args, **kwargs))
        if id(function) not in self.callable_ids:
            raise ExpressionRuntimeError(f"'{name}' is not a function that can be called here")
        if id(function) not in _SHALLOW_BUILTIN_IDS:
            for value in (*args, *kwargs.values()):
                self.meter.walk(value)
        try:
            result = function(*args, **kwargs)
        except (ExpressionError, _ControlFlow):
            raise
        except RecursionError:
            raise
        except Exception as exc:
            raise ExpressionRuntimeError(f"{name}() failed: {_describe_exception(exc)}") from exc
        return _check_size(result)

    def call_method(self, receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        owner = self.method_owner(receiver, name)
        if owner is None:
            raise ExpressionRuntimeError(
                f"'{type(receiver).__name__}' values have no method '.{name}()' that can be used"
            )
        args = self.check_method_arguments(receiver, name, args)
        if name in _RECEIVER_SCANNING_METHODS:
            self.meter.walk(receiver)
        for value in (*args, *kwargs.values()):
            self.meter.walk(value)
        # The owner type's own implementation, so a subclass cannot substitute another.
        result = getattr(owner, name)(receiver, *args, **kwargs)
        _check_size(receiver)
        return _check_size(result)

    def method_owner(self, receiver: Any, name: str) -> type | None:
        for owner, names in _READ_ONLY_METHODS.items():
            if name in names and isinstance(receiver, owner):
                return owner
        if self.allow_mutation:
            for owner, names in _MUTATING_METHODS.items():
                if name in names and isinstance(receiver, owner):
                    return owner
        return None

    @staticmethod
    def check_method_arguments(receiver: Any, name: str, args: list[Any]) -> list[Any]:
        """Size pre-checks for the string methods that can build large strings."""
        if isinstance(receiver, str) and name == "join" and args:
            parts = list(args[0])
            total = sum(len(part) for part in parts if isinstance(part, str))
            total += len(receiver) * max(len(parts) - 1, 0)
            _require_length_within_limit(total, "the joined string")
            return [parts, *args[1:]]
        if isinstance(receiver, str) and name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            if isinstance(old, str) and isinstance(new, str):
                occurrences = receiver.count(old) if old else len(receiver) + 1
                if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
                    occurrences = min(occurrences, args[2])
                growth = occurrences * (len(new) - len(old))
                _require_length_within_limit(len(receiver) + growth, "the replaced string")
        return args


class _PythonExpression(Expression):
    def __init__(self, source: str, tree: ast.AST) -> None:
        super().__init__(source, "python")
        assert isinstance(tree, ast.Expression)
        self._tree = tree

    def _evaluate(self, variables: Mapping[str, Any], functions: Mapping[str, Callable]) -> Any:
        interpreter = _PythonInterpreter(variables, functions, allow_mutation=False)
        return interpreter.evaluate(self._tree)


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
                f"in {language.upper()} expression {text!r}"
            )
        if match.lastgroup != "space":
            tokens.append(_Token(match.lastgroup or "", match.group(), position))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _unquote(token_text: str) -> str:
    body = token_text[1:-1]
    return re.sub(r"\\(.)", lambda match: _ESCAPES.get(match[1], match[1]), body)


@dataclass(frozen=True)
class _Dialect:
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


# fmt: off
_JUEL = _Dialect(
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
)
_FEEL = _Dialect(
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
)
# fmt: on
_PREFIX_POWER = 16
_POSTFIX_POWER = 18


class _ElParser:
    """A Pratt parser for the JUEL and FEEL subsets."""

    def __init__(self, text: str, dialect: _Dialect) -> None:
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
                parts.append(_ElParser(expression_text, self.dialect).parse_all())
        stripped = self.text.strip()
        if len(parts) == 1 and _JUEL_TEXT.match(stripped):
            return parts[0]  # a lone ${...} keeps its type (number, boolean...)
        return _Template(tuple(parts))

    def split_template(self, text: str) -> Iterator[tuple[str, str | None]]:
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
        raise ExpressionSyntaxError(f"missing '}}' in JUEL expression {text!r}")

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
            f"{self.dialect.name.upper()} expression {self.text!r}"
        )

    # ----- grammar -----

    def expression(self, min_power: int) -> Any:
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
        symbol = self.advance().text
        if symbol == ".":
            token = self.advance()
            if token.kind != "name":
                raise self.error("expected a property name after '.'")
            if self.peek().text == "(" and self.peek().kind == "symbol":
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
        arguments: list[Any] = []
        if not self.accept(")"):
            arguments.append(self.expression(0))
            while self.accept(","):
                arguments.append(self.expression(0))
            self.expect(")")
        return _FunctionCall(left.name, tuple(arguments))

    def prefix(self) -> Any:
        token = self.advance()
        if token.kind == "number":
            is_float = any(mark in token.text for mark in ".eE")
            return _Literal(float(token.text) if is_float else int(token.text))
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


def _is_number(value: Any) -> bool:
    return isinstance(value, _NUMBER_TYPES) and not isinstance(value, bool)


def _type_label(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if _is_number(value):
        return "number"
    if isinstance(value, str):
        return "string"
    return type(value).__name__


class _ElEvaluator:
    """Evaluates a JUEL/FEEL tree. Operator semantics differ per language (see below)."""

    def __init__(
        self, language: str, variables: Mapping[str, Any], functions: Mapping[str, Callable]
    ) -> None:
        self.language = language
        self.variables = variables
        self.functions = functions
        self.meter = _WorkMeter()

    def eval(self, node: Any) -> Any:
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
            case _Template(parts=parts):
                text = "".join(self.as_text(self.eval(part)) for part in parts)
                return _check_size(text)
        raise ExpressionRuntimeError(f"internal error: unknown node {node!r}")

    # ----- access -----

    def member(self, target: Any, name: str) -> Any:
        if target is None:
            return None  # null.x is null in both EL and FEEL
        if isinstance(target, Mapping):
            return target.get(name)  # a missing property is null, as for EL maps
        raise ExpressionRuntimeError(
            f"cannot read property '{name}' of a {_type_label(target)} value"
        )

    def index(self, target: Any, index: Any) -> Any:
        if target is None:
            return None
        if isinstance(target, Mapping):
            return target.get(index)
        if isinstance(target, list | tuple | str) and _is_number(index):
            position = int(index)
            if self.language == "feel":  # FEEL lists count from 1; negative from the end
                if position == 0:
                    return None
                position = position - 1 if position > 0 else position
            return target[position] if -len(target) <= position < len(target) else None
        raise ExpressionRuntimeError(
            f"cannot index a {_type_label(target)} value with a {_type_label(index)}"
        )

    def call(self, name: str, arguments: list[Any]) -> Any:
        function = self.functions.get(name)
        if function is None and self.language == "feel":
            function = _FEEL_BUILTINS.get(name)
        if function is None:
            raise ExpressionRuntimeError(f"function '{name}' is not defined")
        try:
            result = function(*arguments)
        except ExpressionError:
            raise
        except Exception as exc:
            raise ExpressionRuntimeError(f"{name}() failed: {_describe_exception(exc)}") from exc
        return _check_size(result)

    # ----- truth -----

    def is_true(self, value: Any) -> bool:
        if self.language == "feel":
            return value is True  # FEEL: only true is true; null and non-booleans are not
        return self.to_boolean(value)

    def to_boolean(self, value: Any) -> bool:
        """EL coercion to boolean: null/'' are false, strings compare with 'true'."""
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            return value.strip().lower() == "true"
        raise ExpressionRuntimeError(f"cannot use a {_type_label(value)} value as a boolean")

    def logical(self, operation: str, left_node: Any, right_node: Any) -> Any:
        if self.language == "juel":  # short-circuit, as in Java
            left = self.to_boolean(self.eval(left_node))
            if (operation == "and") != left:
                return left
            return self.to_boolean(self.eval(right_node))
        # FEEL three-valued logic: false wins 'and', true wins 'or', otherwise null.
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
        if operation == "not":
            return not self.to_boolean(value)
        if operation == "empty":
            return value is None or (isinstance(value, (*_SIZED_TYPES, Mapping)) and not value)
        # 'neg'
        if self.language == "feel" and value is None:
            return None
        return -self.to_number(value)

    # ----- comparison and arithmetic -----

    def to_number(self, value: Any) -> int | float:
        """EL coercion to a number (null is 0, numeric strings parse); FEEL is strict."""
        if _is_number(value):
            return value
        if self.language == "juel":
            if value is None or value == "":
                return 0
            if isinstance(value, str):
                try:
                    return int(value) if value.strip().lstrip("+-").isdigit() else float(value)
                except ValueError:
                    pass
        raise ExpressionRuntimeError(f"expected a number but got {_type_label(value)} {value!r}")

    def equals(self, left: Any, right: Any) -> bool:
        if left is None or right is None:
            return left is right
        if self.language == "juel":
            if isinstance(left, bool) or isinstance(right, bool):
                return self.to_boolean(left) == self.to_boolean(right)
            if _is_number(left) or _is_number(right):
                return self.to_number(left) == self.to_number(right)
        elif _type_label(left) != _type_label(right):
            return False  # FEEL: values of different kinds are never equal
        self.meter.walk(left)
        self.meter.walk(right)
        return bool(left == right)

    def order(self, operation: str, left: Any, right: Any) -> bool | None:
        if left is None or right is None:
            return None if self.language == "feel" else False
        if self.language == "juel" and (_is_number(left) or _is_number(right)):
            left, right = self.to_number(left), self.to_number(right)
        elif _type_label(left) != _type_label(right) or isinstance(left, bool):
            raise ExpressionRuntimeError(
                f"cannot compare {_type_label(left)} {left!r} with {_type_label(right)} {right!r}"
            )
        comparisons = {"lt": operator.lt, "gt": operator.gt, "le": operator.le, "ge": operator.ge}
        return bool(comparisons[operation](left, right))

    def binary(self, operation: str, left: Any, right: Any) -> Any:
        if operation == "eq":
            return self.equals(left, right)
        if operation == "ne":
            return not self.equals(left, right)
        if operation in ("lt", "gt", "le", "ge"):
            return self.order(operation, left, right)
        if operation == "in":
            return self.contains(left, right)
        if self.language == "feel":
            if left is None or right is None:
                return None  # FEEL arithmetic with null is null
            if operation == "add" and isinstance(left, str) and isinstance(right, str):
                _require_length_within_limit(len(left) + len(right), "the string")
                return left + right
        left, right = self.to_number(left), self.to_number(right)
        if operation == "add":
            return _check_size(left + right)
        if operation == "sub":
            return _check_size(left - right)
        if operation == "mul":
            if _is_plain_int(left) and _is_plain_int(right):
                _check_binary_operands(ast.Mult, left, right)
            return _check_size(left * right)
        if right == 0 and operation in ("div", "mod"):
            raise ExpressionRuntimeError("division by zero")
        if operation == "div":
            return left / right  # EL and FEEL divide exactly, never floor
        if operation == "mod":
            # Java's remainder takes the sign of the dividend.
            if _is_plain_int(left) and _is_plain_int(right):
                remainder = abs(left) % abs(right)
                return remainder if left >= 0 else -remainder
            return math.fmod(left, right)
        # 'pow'
        _check_binary_operands(ast.Pow, left, right)
        return _check_size(left**right)

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
        self.meter.walk(value)
        return str(value)


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
    "sum": lambda *values: _numeric_sum(_feel_values(values)),
    "min": lambda *values: min(_feel_values(values), default=None),
    "max": lambda *values: max(_feel_values(values), default=None),
    "abs": abs,
}


class _ElExpression(Expression):
    def __init__(self, source: str, language: str, tree: Any) -> None:
        super().__init__(source, language)
        self._tree = tree

    def _evaluate(self, variables: Mapping[str, Any], functions: Mapping[str, Callable]) -> Any:
        return _ElEvaluator(self.language, variables, functions).eval(self._tree)
