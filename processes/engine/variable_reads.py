"""Which variables a process's expressions read and which its elements can set:
the import warns about a variable read that nothing can set (a typo, a field
renamed on one side only).

The rule keeps false positives low (docs/bpmn-extensions.md, "Variables no path
can set"): a process's start variables are unknown unless it declares its inputs,
so the caller passes the declared inputs and `unset_reads` answers only then; an
element that may set variables Flowdesk cannot list (a bound action, an external
task, a call without out-mappings, a payload merged whole, an edit page) makes
it answer nothing; FEEL expressions are not analysed; a name a script, page,
mapping or payload sets anywhere counts as set on every path.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
from collections.abc import Iterable, Iterator

from .expressions.el import ElExpression, _MethodCall, _Name, _walk
from .expressions.python import PythonExpression, Script
from .graph import USER_TASK_KINDS, CallActivity, Code, Element, Event, ProcessGraph, Task

# Variables Flowdesk itself sets or offers (docs/bpmn-extensions.md).
BUILT_IN = frozenset(
    {
        "task_result",
        "button",
        "answer",
        "record",
        "record_id",
        "email_to",
        "email_subject",
        "execution",
        "loopCounter",
        "nrOfInstances",
        "nrOfActiveInstances",
        "nrOfCompletedInstances",
        "escalation_code",
        "error_code",
        *dir(builtins),
    }
)


def _python_names(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(names read, names set) of a Python-subset tree; call targets are functions."""
    reads, sets, called = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(id(node.func))
        elif isinstance(node, ast.arg):
            sets.add(node.arg)
        elif isinstance(node, ast.FunctionDef):
            sets.add(node.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in called:
            (reads if isinstance(node.ctx, ast.Load) else sets).add(node.id)
    return reads - sets, sets


def code_names(code: Code | None) -> tuple[set[str], set[str]] | None:
    """(names read, names set) of compiled code, or None when it is not analysed."""
    if code is None or code.compiled is None:
        return set(), set()
    compiled = code.compiled
    if isinstance(compiled, PythonExpression | Script):
        return _python_names(compiled._tree)
    if isinstance(compiled, ElExpression) and compiled.language == "juel":
        reads, sets = set(), set()
        for node in _walk(compiled._tree):
            if isinstance(node, _Name):
                reads.add(node.name)
            elif isinstance(node, _MethodCall) and node.arguments:
                first = node.arguments[0]
                name = getattr(first, "value", None)
                if not isinstance(name, str):
                    if node.method.startswith("set"):
                        return None  # sets a variable whose name it computes
                    continue
                if node.method.startswith("set"):
                    sets.add(name)
                elif node.method.startswith("get"):
                    reads.add(name)
        return reads, sets
    return None


def _codes(value) -> Iterator[Code]:
    """Every Code inside an element, flow or definition (dataclass fields, tuples)."""
    if isinstance(value, Code):
        yield value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            if item.name in ("vendor", "ext"):
                continue
            yield from _codes(getattr(value, item.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _codes(item)


def _unknown_setter(element: Element) -> bool:
    """Whether the element may set variables Flowdesk cannot list."""
    if isinstance(element, Task) and (
        (element.binding and element.expression is None)
        or element.topic
        or element.operator
        or element.action
    ):
        return True
    if isinstance(element, CallActivity) and not element.out_mappings:
        return True
    if isinstance(element, Event):
        definition = element.definition
        kinds = {definition.kind, *(part.kind for part in definition.parts)}
        if kinds & {"message", "signal"} and not definition.variable and not _throws(element):
            return True
    if element.kind in USER_TASK_KINDS:
        settings = element.settings
        page = settings.get("page", "task")
        if page in ("edit",) or settings.get("action"):
            return True
    return False


def _throws(element: Element) -> bool:
    return element.kind in ("intermediateThrowEvent", "endEvent")


def _element_sets(element: Element) -> set[str]:
    """The variables an element sets besides its scripts' assignments."""
    found: set[str] = set()
    settings = element.settings
    for key in ("variable", "resultVariable"):
        if settings.get(key):
            found.add(settings[key])
    for item in (settings.get("fields") or "").replace(",", ";").split(";"):
        name = item.split(":")[0].strip()
        if name:
            found.add(name)
    if isinstance(element, Task) and element.result_variable:
        found.add(element.result_variable)
    if isinstance(element, Task) and settings.get("decision"):
        found.add(settings["decision"] + "_result")
    if isinstance(element, CallActivity):
        found.update(target or source for source, target in element.out_mappings)
    if isinstance(element, Event) and element.definition.variable:
        found.add(element.definition.variable)
    if element.loop is not None:
        found.update(
            n
            for n in (
                element.loop.input_item,
                element.loop.output_collection,
                element.loop.output_item,
            )
            if n
        )
    found.update(target.split(".")[0] for target, _code in element.io_inputs)
    found.update(target.split(".")[0] for target, _code in element.io_outputs)
    return found


def unset_reads(
    graph: ProcessGraph, inputs: Iterable[str] | None, functions: Iterable[str] = ()
) -> list[tuple[str, str]] | None:
    """(element or flow id, variable) for each variable an analysed expression reads
    that no input declares and nothing in the process sets; None when the process
    declares no inputs or has an element whose variables cannot be listed."""
    if inputs is None:
        return None
    known = set(inputs) | BUILT_IN | set(functions)
    reads: list[tuple[str, set[str]]] = []
    for element in graph.elements.values():
        if _unknown_setter(element):
            return None
        known |= _element_sets(element)
        element_reads: set[str] = set()
        for code in _codes(element):
            names = code_names(code)
            if names is None:
                continue
            element_reads |= names[0]
            known |= names[1]
        reads.append((element.id, element_reads))
    for flow in graph.flows.values():
        names = code_names(flow.condition)
        if names is not None:
            reads.append((flow.id, names[0]))
    found = []
    for owner, names in reads:
        for name in sorted(names - known):
            found.append((owner, name))
    return found
