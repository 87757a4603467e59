"""Evaluating decisions: decision requirement graphs, boxed expressions, decision
tables with every hit policy, business knowledge models, decision services, and
the type checks of item definitions (a value that does not conform becomes null).
"""

from __future__ import annotations

import decimal
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..expressions.budget import WorkMeter
from ..feel import NUMBER_CONTEXT, FeelError, Function, Interpreter, Scope, parse_expression
from ..feel.parser import Parser
from .parse import Definitions, DmnError, Element_, ItemDefinition, href_id

_BUILTIN_TYPES = {
    "number": ("t", "number"), "string": ("t", "string"), "boolean": ("t", "boolean"),
    "date": ("t", "date"), "time": ("t", "time"), "date and time": ("t", "date and time"),
    "dateTime": ("t", "date and time"), "days and time duration": ("t", "days and time duration"),
    "dayTimeDuration": ("t", "days and time duration"),
    "years and months duration": ("t", "years and months duration"),
    "yearMonthDuration": ("t", "years and months duration"), "context": ("t", "context"),
    "list": ("t", "list"), "function": ("t", "function"), "range": ("t", "range"),
    "integer": ("t", "number"), "decimal": ("t", "number"), "double": ("t", "number"),
    "duration": ("t", "duration"),
}  # fmt: skip
_ANY = ("Any", "any", "", None)


class DecisionError(Exception):
    """A decision cannot be evaluated (unknown name, a cycle, a bad value)."""


@dataclass(frozen=True)
class MatchedRules:
    """The rules of one decision table that matched: (1-based number, rule id) pairs."""

    decision: str
    rules: tuple[tuple[int, str], ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "rules": [{"number": number, "id": rule_id} for number, rule_id in self.rules],
        }


class Runtime:
    """Evaluates the decisions of one model (and the models it imports)."""

    def __init__(
        self, definitions: Definitions, imported: Mapping[str, Definitions] | None = None
    ) -> None:
        self.definitions = definitions
        self.imported = dict(imported or {})  # namespace -> Definitions
        self.errors: list[str] = []
        # The rules each decision table evaluated matched, in evaluation order.
        self.matched: list[MatchedRules] = []
        self.meter = WorkMeter()
        self.interpreter = Interpreter(strict=False, meter=self.meter, on_error=self.errors.append)
        self.interpreter.type_check = self.type_check
        # 'instance of' checks the type only, not its allowed values.
        self.checking_instance = False

    # ----- public -----
    def evaluate_decision(self, name: str, inputs: Mapping[str, Any]) -> Any:
        """The value of decision ``name`` given input data values by name."""
        element = self.definitions.element(name)
        if element is None or element.kind != "decision":
            raise DecisionError(f"the model has no decision named {name!r}")
        return self.decision(self.definitions, element, _State(inputs))

    def evaluate_service(self, name: str, inputs: Mapping[str, Any]) -> Any:
        element = self.definitions.element(name)
        if element is None or element.kind != "decisionService":
            raise DecisionError(f"the model has no decision service named {name!r}")
        return self.service(self.definitions, element, dict(inputs))

    # ----- the graph -----
    def find(self, definitions: Definitions, href: str) -> tuple[Definitions, Element_]:
        namespace = href.split("#", 1)[0] if "#" in href and not href.startswith("#") else ""
        target = definitions
        if namespace and namespace != definitions.namespace:
            found = self.imported.get(namespace)
            if found is None:
                raise DecisionError(f"the model imports no namespace {namespace!r}")
            target = found
        element = target.elements.get(href_id(href))
        if element is None:
            raise DecisionError(f"no element with id {href_id(href)!r}")
        return target, element

    def import_prefix(self, definitions: Definitions, target: Definitions) -> str | None:
        for name, namespace in definitions.imports:
            if namespace == target.namespace:
                return name
        return None

    def scope_for(
        self, definitions: Definitions, element: Element_, state: _State
    ) -> dict[str, Any]:
        names: dict[str, Any] = {}

        def put(owner: Definitions, name: str, value: Any) -> None:
            prefix = None if owner is definitions else self.import_prefix(definitions, owner)
            if prefix:
                names.setdefault(prefix, {})[name] = value
            else:
                names[name] = value

        for href in element.required_inputs:
            owner, found = self.find(definitions, href)
            put(owner, found.name, self.input_value(owner, found, state, definitions))
        for href in element.required_decisions:
            owner, found = self.find(definitions, href)
            put(owner, found.name, self.decision(owner, found, state))
        for href in element.required_knowledge:
            owner, found = self.find(definitions, href)
            put(owner, found.name, self.invocable(owner, found))
        return names

    def input_value(
        self, owner: Definitions, element: Element_, state: _State, asking: Definitions
    ) -> Any:
        key = element.name
        prefix = None if owner is asking else self.import_prefix(asking, owner)
        if prefix and f"{prefix}.{key}" in state.inputs:
            value = state.inputs[f"{prefix}.{key}"]
        elif key in state.inputs:
            value = state.inputs[key]
        else:
            value = state.inputs.get((owner.namespace, key))
        return self.coerce(value, element.type_ref, owner)

    def decision(self, definitions: Definitions, element: Element_, state: _State) -> Any:
        key = (definitions.namespace, element.id)
        if key in state.values:
            return state.values[key]
        if key in state.running:
            raise DecisionError(f"decision {element.name!r} requires itself")
        state.running.add(key)
        try:
            names = self.scope_for(definitions, element, state)
            value = self.boxed(element.expression, Scope(names), definitions, element.name)
            value = self.coerce(value, element.type_ref, definitions)
        finally:
            state.running.discard(key)
        state.values[key] = value
        return value

    def invocable(self, definitions: Definitions, element: Element_) -> Function:
        if element.kind == "decisionService":
            parameters = tuple(
                self.find(definitions, href)[1].name for href in element.input_decisions
            ) + tuple(self.find(definitions, href)[1].name for href in element.input_data)
            return Function(
                element.name,
                parameters,
                invoke_named=lambda arguments: self.service(definitions, element, arguments),
            )
        if element.kind != "businessKnowledgeModel":
            raise DecisionError(
                f"{element.name!r} is not a business knowledge model or decision service"
            )
        names = self.scope_for(definitions, element, _State({}))
        function = self.boxed(element.expression, Scope(names), definitions, element.name)
        if not isinstance(function, Function):
            raise DecisionError(f"business knowledge model {element.name!r} is not a function")
        function.name = element.name
        return function

    def service(
        self, definitions: Definitions, element: Element_, arguments: Mapping[str, Any]
    ) -> Any:
        state = _State({})
        for href in element.input_data:
            owner, found = self.find(definitions, href)
            state.inputs[found.name] = arguments.get(found.name)
        for href in element.input_decisions:
            owner, found = self.find(definitions, href)
            state.values[(owner.namespace, found.id)] = self.coerce(
                arguments.get(found.name), found.type_ref, owner
            )
        results = {}
        for href in element.outputs:
            owner, found = self.find(definitions, href)
            results[found.name] = self.decision(owner, found, state)
        if len(results) == 1:
            value = next(iter(results.values()))
            return self.coerce(value, element.type_ref, definitions)
        return self.coerce(results, element.type_ref, definitions)

    # ----- types -----
    def type_check(self, value: Any, name: str) -> bool | None:
        """``instance of`` an item definition of the model (None: not one of its names)."""
        if self.item_definition(name, self.definitions) is None:
            return None
        self.checking_instance = True
        try:
            return self.coerce(value, name, self.definitions) is not None
        finally:
            self.checking_instance = False

    def item_definition(
        self, type_ref: str, definitions: Definitions
    ) -> tuple[ItemDefinition, Definitions] | None:
        if type_ref in definitions.item_definitions:
            return definitions.item_definitions[type_ref], definitions
        if "." in type_ref:
            prefix, rest = type_ref.split(".", 1)
            for name, namespace in definitions.imports:
                if name == prefix and namespace in self.imported:
                    return self.item_definition(rest, self.imported[namespace])
        return None

    def coerce(
        self, value: Any, type_ref: str | None, definitions: Definitions, depth: int = 0
    ) -> Any:
        """``value`` if it conforms to ``type_ref`` (after singleton-list conversion), else null."""
        if value is None or type_ref in _ANY or depth > 50:
            return value
        type_ref = type_ref.removeprefix("feel:")
        found = self.item_definition(type_ref, definitions)
        if found is not None:
            return self.coerce_item(value, found[0], found[1], depth)
        kind = _BUILTIN_TYPES.get(type_ref)
        if kind is None:
            try:
                kind = Parser(type_ref).type_spec()
            except Exception:  # noqa: BLE001 - an unknown type name checks nothing
                return value
        if self.interpreter.conforms(value, kind):
            return value
        if (
            isinstance(value, list)
            and len(value) == 1
            and self.interpreter.conforms(value[0], kind)
        ):
            return value[0]
        if kind[0] == "tlist" and self.interpreter.conforms([value], kind):
            return [value]
        self.errors.append(f"{value!r} does not conform to type {type_ref}")
        return None

    def coerce_item(
        self, value: Any, item: ItemDefinition, definitions: Definitions, depth: int
    ) -> Any:
        if item.is_collection:
            if not isinstance(value, list):
                value = [value]
            single = ItemDefinition(
                item.name, item.type_ref, item.components, item.allowed, False, item.function
            )
            result = []
            for entry in value:
                coerced = (
                    self.coerce_item(entry, single, definitions, depth + 1)
                    if entry is not None
                    else None
                )
                if entry is not None and coerced is None:
                    return None
                result.append(coerced)
            return result
        if item.function is not None:
            return value if isinstance(value, Function) else None
        if item.components:
            if isinstance(value, list) and len(value) == 1:
                value = value[0]
            if not isinstance(value, dict):
                self.errors.append(f"{item.name}: expected a context")
                return None
            result = dict(value)
            for component in item.components:
                if component.name in value and value[component.name] is not None:
                    coerced = self.coerce_item(
                        value[component.name], component, definitions, depth + 1
                    )
                    if coerced is None:
                        return None
                    result[component.name] = coerced
            return result
        if item.type_ref:
            value = self.coerce(value, item.type_ref, definitions, depth + 1)
            if value is None:
                return None
        if item.allowed is not None and not self.checking_instance:
            verdict = self.interpreter.unary_tests(item.allowed, value, Scope({}))
            if verdict is not True:
                self.errors.append(f"{value!r} is not an allowed value of {item.name}")
                return None
        return value

    # ----- boxed expressions -----
    def boxed(self, node: Any, scope: Scope, definitions: Definitions, name: str) -> Any:
        self.meter.step()
        tag = node[0]
        if tag == "feel":
            return self.interpreter.eval(node[1], scope)
        if tag == "context":
            result: dict[str, Any] = {}
            inner = scope.child(result)
            for key, expression, type_ref in node[1]:
                value = self.boxed(expression, inner, definitions, key or name)
                value = self.coerce(value, type_ref, definitions)
                if key is None:
                    return value
                result[key] = value
            return result
        if tag == "invoke":
            _, target, bindings, _type_ref = node
            function = self.boxed(target, scope, definitions, name)
            if not isinstance(function, Function):
                self.errors.append(f"{name}: the invoked value is not a function")
                return None
            arguments = {
                parameter: None
                if expression is None
                else self.boxed(expression, scope, definitions, name)
                for parameter, expression in bindings
            }
            return self.interpreter.call(function, [], arguments)
        if tag == "function":
            _, parameters, body, kind, _type_ref = node
            if kind != "FEEL":
                return Function(name, tuple(p for p, _ in parameters),
                                invoke_named=lambda arguments: self.unsupported(kind))  # fmt: skip
            types = {p: t for p, t in parameters}

            def invoke(arguments: dict[str, Any]) -> Any:
                for parameter, type_ref in types.items():
                    if arguments.get(parameter) is not None:
                        coerced = self.coerce(arguments[parameter], type_ref, definitions)
                        if coerced is None:
                            raise FeelError(
                                f"argument {parameter!r} of {name} does not conform to {type_ref}"
                            )
                        arguments[parameter] = coerced
                value = self.boxed(body, scope.child(arguments), definitions, name)
                return value

            return Function(name, tuple(p for p, _ in parameters), invoke_named=invoke)
        if tag == "table":
            return self.table(node, scope, definitions, name)
        if tag == "relation":
            _, columns, rows, _type_ref = node
            return [
                {
                    column: self.boxed(cell, scope, definitions, name)
                    for column, cell in zip(columns, row, strict=True)
                }
                for row in rows
            ]
        if tag == "list":
            return [self.boxed(item, scope, definitions, name) for item in node[1]]
        if tag == "conditional":
            condition = self.boxed(node[1], scope, definitions, name)
            if condition is not None and not isinstance(condition, bool):
                self.errors.append(f"{name}: the condition is not true or false")
                return None
            return self.boxed(node[2] if condition is True else node[3], scope, definitions, name)
        if tag == "filter":
            source = self.boxed(node[1], scope, definitions, name)
            if source is None:
                return None
            items = source if isinstance(source, list) else [source]
            result_list = []
            for item in items:
                names = dict(item) if isinstance(item, dict) else {}
                names["item"] = item
                verdict = self.boxed(node[2], scope.child(names), definitions, name)
                if verdict is not None and not isinstance(verdict, bool):
                    self.errors.append(f"{name}: the filter's match is not true or false")
                    return None
                if verdict is True:
                    result_list.append(item)
            return result_list
        if tag == "iterate":
            _, kind, variable, source_node, body, _type_ref = node
            source = self.boxed(source_node, scope, definitions, name)
            items = source if isinstance(source, list) else [source]
            values = [
                self.boxed(body, scope.child({variable: item}), definitions, name) for item in items
            ]
            if kind == "for":
                return values
            if any(value is not None and not isinstance(value, bool) for value in values):
                self.errors.append(f"{name}: '{kind}' needs true or false for each item")
                return None
            if kind == "some":
                return any(value is True for value in values)
            return all(value is True for value in values)
        raise DecisionError(f"unknown boxed expression {tag!r}")

    def unsupported(self, kind: str) -> Any:
        raise FeelError(f"{kind} functions are not supported")

    # ----- decision tables -----
    def table(self, node: Any, scope: Scope, definitions: Definitions, name: str) -> Any:
        _, inputs, outputs, rules, hit_policy, aggregation, _label, _type_ref, rule_ids = node
        interpreter = self.interpreter
        values = []
        for expression, type_ref, allowed in inputs:
            value = interpreter.eval(expression, scope)
            value = self.coerce(value, type_ref, definitions) if type_ref else value
            if (
                allowed is not None
                and value is not None
                and interpreter.unary_tests(allowed, value, scope) is not True
            ):
                self.errors.append(f"{name}: input {value!r} is not one of the input values")
                return None
            values.append(value)
        matched = []
        for index, (entries, results) in enumerate(rules):
            if all(
                entry is None
                or interpreter.unary_tests(entry, value, scope.child({"?": value})) is True
                for entry, value in zip(entries, values, strict=True)
            ):
                matched.append((index, results))
        self.matched.append(
            MatchedRules(name, tuple((index + 1, rule_ids[index]) for index, _ in matched))
        )
        single = len(outputs) == 1

        def output_of(results: tuple[Any, ...]) -> Any:
            row = {}
            for (output_name, type_ref, allowed, _default, _text), expression in zip(
                outputs, results, strict=True
            ):
                value = interpreter.eval(expression, scope)
                value = self.coerce(value, type_ref, definitions) if type_ref else value
                if (
                    allowed is not None
                    and value is not None
                    and interpreter.unary_tests(allowed, value, scope) is not True
                ):
                    raise FeelError(f"{name}: output {value!r} is not one of the output values")
                row[output_name] = value
            return next(iter(row.values())) if single else row

        try:
            if not matched:
                if any(output[3] is not None for output in outputs):
                    row = {
                        output[0]: (
                            None if output[3] is None else interpreter.eval(output[3], scope)
                        )
                        for output in outputs
                    }
                    return next(iter(row.values())) if single else row
                if hit_policy == "COLLECT" and aggregation == "COUNT":
                    return decimal.Decimal(0)
                if hit_policy in ("COLLECT", "RULE ORDER", "OUTPUT ORDER") and aggregation is None:
                    return []
                return None
            rows = [(index, output_of(results)) for index, results in matched]
        except FeelError as exc:
            self.errors.append(str(exc))
            return None
        if hit_policy == "UNIQUE":
            if len(rows) > 1:
                self.errors.append(f"{name}: {len(rows)} rules match in a UNIQUE table")
                return None
            return rows[0][1]
        if hit_policy == "FIRST":
            return rows[0][1]
        if hit_policy == "ANY":
            first = rows[0][1]
            if any(interpreter.equal(first, other) is not True for _, other in rows[1:]):
                self.errors.append(f"{name}: rules of an ANY table give different outputs")
                return None
            return first
        if hit_policy in ("PRIORITY", "OUTPUT ORDER"):
            ordered = sorted(rows, key=lambda row: self.priority(outputs, row[1], single, scope))
            if hit_policy == "PRIORITY":
                return ordered[0][1]
            return [row for _, row in ordered]
        if hit_policy == "RULE ORDER":
            return [row for _, row in rows]
        # COLLECT
        collected = [row for _, row in rows]
        if aggregation is None:
            return collected
        if aggregation == "COUNT":
            return decimal.Decimal(len(collected))
        if not single:
            self.errors.append(f"{name}: an aggregation needs a single output")
            return None
        present = [value for value in collected if value is not None]
        if aggregation == "SUM":
            if not all(isinstance(value, decimal.Decimal) for value in present):
                return None
            total = decimal.Decimal(0)
            for value in present:
                total = NUMBER_CONTEXT.add(total, value)
            return total if present else None
        best = None
        for value in present:
            if (
                best is None
                or interpreter.compare("lt" if aggregation == "MIN" else "gt", value, best) is True
            ):
                best = value
        return best

    def priority(self, outputs: Any, row: Any, single: bool, scope: Scope) -> tuple[int, ...]:
        ranks = []
        for output in outputs:
            allowed = output[2]
            value = row if single else row.get(output[0])
            if allowed is None:
                continue
            tests = allowed[1]
            rank = len(tests)
            for position, test in enumerate(tests):
                if self.interpreter.one_test(test, value, scope) is True:
                    rank = position
                    break
            ranks.append(rank)
        return tuple(ranks)


class _State:
    """One evaluation's inputs and the decisions' values computed so far."""

    def __init__(self, inputs: Mapping[str, Any]) -> None:
        self.inputs: dict[Any, Any] = dict(inputs)
        self.values: dict[tuple[str, str], Any] = {}
        self.running: set[tuple[str, str]] = set()


__all__ = ["DecisionError", "DmnError", "MatchedRules", "Runtime", "parse_expression"]
