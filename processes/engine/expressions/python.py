"""The Python subset (SpiffWorkflow files, and the default language).

The text is parsed with :func:`ast.parse`, checked against an allow-list of
node types at compile time, and then walked by the small interpreter here.
Expressions: literals, names, operators, comparisons, ``a if c else b``,
subscripts and slices, comprehensions, f-strings, calls of the safe builtins,
of the engine's ``functions`` and of allow-listed str/list/dict/set methods.
Scripts add assignments, ``del``, ``if``, ``for`` (with break/continue/else),
``pass`` and plain module-level ``def`` (SpiffWorkflow's test files define
helper functions; they never end up in the process variables). Attributes
cannot be read, names may not start with ``__``, and there is no import,
lambda, class, while, try, with, raise or global.
"""

from __future__ import annotations

import ast
import logging
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from ..limits import LIMITS
from .budget import (
    SIZED_TYPES,
    WorkMeter,
    bounded_range,
    bounded_round,
    check_format_widths,
    check_operands,
    check_size,
    ensure_storable,
    numeric_sum,
    require_length,
)
from .common import (
    Expression,
    ExpressionBudgetError,
    ExpressionError,
    ExpressionRuntimeError,
    ExpressionSyntaxError,
    describe_exception,
    guarded,
)

# The package's name, so the log stays where operators configured it.
logger = logging.getLogger("processes.engine.expressions")

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


def parse_python(source: str, *, is_script: bool) -> ast.AST:
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
        """Raise ExpressionSyntaxError at the first construct outside the subset."""
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


def _log_print(*values: Any, sep: str = " ", end: str = "") -> None:
    """Default ``print``: scripts have no console, so output goes to the log."""
    logger.info("script output: %s%s", sep.join(str(value) for value in values), end.rstrip())


# fmt: off
SAFE_BUILTINS: Mapping[str, Callable] = {
    "len": len, "min": min, "max": max, "sum": numeric_sum, "abs": abs, "round": bounded_round,
    "int": int, "float": float, "str": str, "bool": bool, "list": list, "dict": dict,
    "tuple": tuple, "set": set, "sorted": sorted, "range": bounded_range, "any": any,
    "all": all, "enumerate": enumerate, "zip": zip, "print": _log_print,
}
# fmt: on
# Builtins that turn their arguments into text: measured before they build it.
_TEXT_BUILTIN_IDS = frozenset(id(function) for function in (str, _log_print))
# Builtins that never traverse their arguments' contents (no deep-work charge).
_SHALLOW_BUILTIN_IDS = frozenset(
    id(function)
    for function in (len, bool, abs, bounded_round, int, float, bounded_range, enumerate, zip)
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
_OPERATION_NAMES: dict[type, str] = {
    ast.Add: "add", ast.Mult: "mul", ast.Pow: "pow", ast.LShift: "lshift", ast.Mod: "mod",
}
_UNARY_OPERATORS: dict[type, Callable[[Any], Any]] = {
    ast.UAdd: operator.pos, ast.USub: operator.neg, ast.Not: operator.not_,
    ast.Invert: operator.invert,
}
# fmt: on
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
        self.meter = WorkMeter()
        # Identity of every callable the text may call; values merely *stored* in the
        # variables are data and are never called.
        self.callable_ids = {id(function) for function in SAFE_BUILTINS.values()}
        self.callable_ids.update(id(function) for function in functions.values())
        # Variables this run read or wrote: only these can have changed, so only these
        # are checked afterwards (checking all of them made N scripts cost O(N^2)).
        self.touched: set[str] = set()

    # ----- entry points -----

    def evaluate(self, tree: ast.Expression) -> Any:
        """The value of an expression tree, checked to be storable."""
        result = self.eval(tree.body)
        ensure_storable([result])
        return result

    def run_module(self, tree: ast.Module) -> None:
        """Run a script's statements."""
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
        """Run one statement (one budget step), naming its line in any error."""
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
            raise ExpressionRuntimeError(describe_exception(exc)).at_line(node.lineno) from exc

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
            raise ExpressionBudgetError(
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
            check_size(container)

    def bounded_iteration(self, iterable: Any) -> Iterator[Any]:
        for count, item in enumerate(iterable, start=1):
            if count > LIMITS.max_loop_iterations:
                raise ExpressionBudgetError(
                    f"loop ran more than {LIMITS.max_loop_iterations} times"
                )
            yield item

    # ----- expressions -----

    def eval(self, node: ast.AST) -> Any:
        """The value of one syntax node (one budget step)."""
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
            require_length(len(items), "the collection")
        return items

    def eval_List(self, node: ast.List) -> list[Any]:  # noqa: N802
        return self.meter.built_value(self.eval_items(node.elts))

    def eval_Tuple(self, node: ast.Tuple) -> tuple[Any, ...]:  # noqa: N802
        return self.meter.built_value(tuple(self.eval_items(node.elts)))

    def eval_Set(self, node: ast.Set) -> set[Any]:  # noqa: N802
        items = self.eval_items(node.elts)
        for item in items:
            self.meter.walk(item)
        return self.meter.built_value(set(items))

    def eval_Dict(self, node: ast.Dict) -> dict[Any, Any]:  # noqa: N802
        result: dict[Any, Any] = {}
        for key_node, value_node in zip(node.keys, node.values, strict=True):
            if key_node is None:  # {**other}
                result.update(self.eval(value_node))
            else:
                result[self.eval_key(key_node)] = self.eval(value_node)
            check_size(result)
        return self.meter.built_value(result)

    def eval_BinOp(self, node: ast.BinOp) -> Any:  # noqa: N802
        return self.binary(node.op, self.eval(node.left), self.eval(node.right))

    def binary(self, operation: ast.operator, left: Any, right: Any) -> Any:
        check_operands(_OPERATION_NAMES.get(type(operation), ""), left, right)
        if isinstance(operation, ast.Mod) and isinstance(left, str):
            # '%' formatting prints the right-hand values into the template.
            self.meter.require_text((left, right), "the formatted string")
        return self.meter.built_value(_BINARY_OPERATORS[type(operation)](left, right))

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
        require_length(sum(len(piece) for piece in pieces), "the f-string")
        return self.meter.built_value("".join(pieces))

    def eval_FormattedValue(self, node: ast.FormattedValue) -> str:  # noqa: N802
        value = self.eval(node.value)
        quoted = node.conversion in (ord("r"), ord("a"))
        self.meter.require_text((value,), "the f-string value", quoted=quoted)
        if node.conversion == ord("r"):
            value = repr(value)
        elif node.conversion == ord("s"):
            value = str(value)
        elif node.conversion == ord("a"):
            value = ascii(value)
        spec = "" if node.format_spec is None else self.eval(node.format_spec)
        check_format_widths(re.findall(r"\d+", spec))
        return self.meter.built_value(format(value, spec))

    def eval_ListComp(self, node: ast.ListComp) -> list[Any]:  # noqa: N802
        result: list[Any] = []
        self.comprehension(node.generators, lambda: result.append(self.eval(node.elt)))
        return self.meter.built_value(result)

    def eval_GeneratorExp(self, node: ast.GeneratorExp) -> list[Any]:  # noqa: N802
        # Evaluated eagerly: the budget covers it and the functions it feeds accept lists.
        result: list[Any] = []
        self.comprehension(node.generators, lambda: result.append(self.eval(node.elt)))
        return self.meter.built_value(result)

    def eval_SetComp(self, node: ast.SetComp) -> set[Any]:  # noqa: N802
        result: set[Any] = set()

        def add() -> None:
            item = self.eval(node.elt)
            self.meter.walk(item)
            result.add(item)

        self.comprehension(node.generators, add)
        return self.meter.built_value(result)

    def eval_DictComp(self, node: ast.DictComp) -> dict[Any, Any]:  # noqa: N802
        result: dict[Any, Any] = {}

        def add() -> None:
            key = self.eval_key(node.key)
            result[key] = self.eval(node.value)

        self.comprehension(node.generators, add)
        return self.meter.built_value(result)

    def comprehension(self, generators: list[ast.comprehension], emit: Callable[[], None]) -> None:
        """Run nested ``for ... if ...`` clauses in their own scope, calling ``emit``."""
        produced = 0

        def level(index: int) -> None:
            nonlocal produced
            if index == len(generators):
                produced += 1
                require_length(produced, "the comprehension")
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
        """Call a builtin, engine or script function, charging what it traverses or prints."""
        if isinstance(function, _ScriptFunction):
            return self.meter.built_value(function(*args, **kwargs))
        if id(function) not in self.callable_ids:
            raise ExpressionRuntimeError(f"'{name}' is not a function that can be called here")
        if id(function) not in _SHALLOW_BUILTIN_IDS:
            for value in (*args, *kwargs.values()):
                self.meter.walk(value)
        if id(function) in _TEXT_BUILTIN_IDS:
            self.meter.require_text((*args, *kwargs.values()), f"the text of {name}()")
        try:
            result = function(*args, **kwargs)
        except (ExpressionError, _ControlFlow):
            raise
        except RecursionError:
            raise
        except Exception as exc:
            raise ExpressionRuntimeError(f"{name}() failed: {describe_exception(exc)}") from exc
        return self.meter.built_value(result)

    def call_method(self, receiver: Any, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        """Call an allow-listed method through its owner type's own implementation."""
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
        check_size(receiver)
        return self.meter.built_value(result)

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
        """Size pre-checks for the methods that can build large values."""
        growing = name in ("extend", "update") and args and isinstance(args[0], SIZED_TYPES)
        if growing and isinstance(receiver, SIZED_TYPES):
            require_length(len(receiver) + len(args[0]), f"the {type(receiver).__name__}")
        if isinstance(receiver, str) and name == "join" and args:
            parts = list(args[0])
            total = sum(len(part) for part in parts if isinstance(part, str))
            total += len(receiver) * max(len(parts) - 1, 0)
            require_length(total, "the joined string")
            return [parts, *args[1:]]
        if isinstance(receiver, str) and name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            if isinstance(old, str) and isinstance(new, str):
                occurrences = receiver.count(old) if old else len(receiver) + 1
                if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
                    occurrences = min(occurrences, args[2])
                growth = occurrences * (len(new) - len(old))
                require_length(len(receiver) + growth, "the replaced string")
        return args


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
            ensure_storable(interpreter.touched_values())

        guarded(lambda: _without_stray_signals(execute))

    def __repr__(self) -> str:
        return f"<Script {self.source[:40]!r}>"


def _without_stray_signals(action: Callable[[], Any]) -> Any:
    try:
        return action()
    except _ControlFlow as signal:  # only reachable through a bug: keep it visible
        raise ExpressionRuntimeError(f"internal error: stray {type(signal).__name__}") from None


class PythonExpression(Expression):
    """A compiled expression in the safe Python subset."""

    def __init__(self, source: str, tree: ast.AST) -> None:
        super().__init__(source, "python")
        assert isinstance(tree, ast.Expression)
        self._tree = tree

    def _evaluate(self, variables: Mapping[str, Any], functions: Mapping[str, Callable]) -> Any:
        interpreter = _PythonInterpreter(variables, functions, allow_mutation=False)
        return _without_stray_signals(lambda: interpreter.evaluate(self._tree))
