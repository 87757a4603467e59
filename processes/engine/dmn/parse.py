"""Reading .dmn files (DMN 1.1 to 1.5) into `Definitions`, refusing bad models whole.

XML is read with defusedxml under the importer's limits (size, depth); every FEEL
text is compiled here, so a model with bad syntax is refused at import, with the
element named. Names are matched without XML namespaces, so every DMN version reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

from ..expressions.common import ExpressionSyntaxError
from ..feel import parse_expression, parse_unary_tests
from ..limits import MAX_XML_DEPTH

MAX_DMN_BYTES = 5_000_000
MAX_DMN_ELEMENTS = 200_000
# Elements whose ``name`` (or ``iteratorVariable``) may be a FEEL name with spaces.
NAMED_TAGS = frozenset(
    (
        "inputData", "decision", "businessKnowledgeModel", "decisionService", "itemComponent",
        "variable", "formalParameter", "column", "parameter", "import", "itemDefinition",
        "output", "contextEntry", "for", "some", "every",
    )
)  # fmt: skip


class DmnError(Exception):
    """The model cannot be used: the message names the element."""


@dataclass
class ItemDefinition:
    name: str
    type_ref: str | None = None
    components: list[ItemDefinition] = field(default_factory=list)
    allowed: Any = None  # unary tests node
    is_collection: bool = False
    function: tuple[tuple[str | None, ...], str | None] | None = (
        None  # (parameter types, output type)
    )


@dataclass
class Element_:
    kind: str  # decision inputData businessKnowledgeModel decisionService
    id: str
    name: str
    type_ref: str | None = None
    expression: Any = None  # boxed expression tuple
    required_decisions: list[str] = field(default_factory=list)  # hrefs
    required_inputs: list[str] = field(default_factory=list)
    required_knowledge: list[str] = field(default_factory=list)
    # decision services
    outputs: list[str] = field(default_factory=list)
    encapsulated: list[str] = field(default_factory=list)
    input_decisions: list[str] = field(default_factory=list)
    input_data: list[str] = field(default_factory=list)


@dataclass
class Definitions:
    name: str
    namespace: str
    id: str = ""
    elements: dict[str, Element_] = field(default_factory=dict)  # by id
    by_name: dict[str, Element_] = field(default_factory=dict)
    item_definitions: dict[str, ItemDefinition] = field(default_factory=dict)
    imports: list[tuple[str, str]] = field(default_factory=list)  # (name, namespace)

    def element(self, name: str) -> Element_ | None:
        return self.by_name.get(name)


def local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(node: Element, name: str) -> list[Element]:
    return [child for child in node if local(child.tag) == name]


def child(node: Element, name: str) -> Element | None:
    for item in node:
        if local(item.tag) == name:
            return item
    return None


def text_of(node: Element | None, name: str = "text") -> str | None:
    if node is None:
        return None
    found = child(node, name)
    return None if found is None else (found.text or "")


def href_id(href: str | None) -> str:
    return (href or "").split("#", 1)[-1]


def read_xml(data: bytes | str) -> Element:
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_DMN_BYTES:
        raise DmnError(f"the file is too large ({len(raw)} bytes; the limit is {MAX_DMN_BYTES})")
    try:
        root = SafeET.fromstring(raw)
    except Exception as exc:  # defusedxml raises several kinds
        raise DmnError(f"the file is not readable XML: {exc}") from None
    count = 0
    pending = [(root, 1)]
    while pending:
        node, depth = pending.pop()
        count += 1
        if depth > MAX_XML_DEPTH or count > MAX_DMN_ELEMENTS:
            raise DmnError("the file is nested too deeply or has too many elements")
        pending.extend((item, depth + 1) for item in node)
    if local(root.tag) != "definitions":
        raise DmnError(f"the root element is <{local(root.tag)}>, not <definitions>")
    return root


class _Compiler:
    def __init__(self, known: frozenset[str]) -> None:
        self.known = known

    def where(self, node: Element) -> str:
        label = node.get("name") or node.get("label") or node.get("id") or ""
        return f"<{local(node.tag)}{' ' + repr(label) if label else ''}>"

    def feel(self, text: str | None, node: Element) -> Any:
        if text is None or not text.strip():
            return ("lit", None)
        try:
            return parse_expression(text, self.known)
        except ExpressionSyntaxError as exc:
            raise DmnError(f"{self.where(node)}: {exc.message}") from None
        except RecursionError:
            raise DmnError(f"{self.where(node)}: the expression is nested too deeply") from None

    def tests(self, text: str | None, node: Element) -> Any:
        if text is None or not text.strip():
            return None
        try:
            return parse_unary_tests(text, self.known)
        except ExpressionSyntaxError as exc:
            raise DmnError(f"{self.where(node)}: {exc.message}") from None

    def boxed(self, node: Element | None) -> Any:
        """A boxed expression as a tuple the runtime evaluates."""
        if node is None:
            return ("feel", ("lit", None), None)
        tag = local(node.tag)
        type_ref = node.get("typeRef")
        if tag == "literalExpression":
            return ("feel", self.feel(text_of(node), node), type_ref)
        if tag == "context":
            entries = []
            for entry in children(node, "contextEntry"):
                variable = child(entry, "variable")
                expression = self.boxed(self.expression_child(entry))
                entries.append(
                    (None if variable is None else variable.get("name"),
                     expression, None if variable is None else variable.get("typeRef"))
                )  # fmt: skip
            return ("context", tuple(entries), type_ref)
        if tag == "invocation":
            target = self.expression_child(node)
            bindings = []
            for binding in children(node, "binding"):
                parameter = child(binding, "parameter")
                name = parameter.get("name") if parameter is not None else None
                inner = self.expression_child(binding)
                bindings.append((name, None if inner is None else self.boxed(inner)))
            return ("invoke", self.boxed(target), tuple(bindings), type_ref)
        if tag == "functionDefinition":
            parameters = tuple(
                (item.get("name") or "", item.get("typeRef"))
                for item in children(node, "formalParameter")
            )
            kind = (node.get("kind") or "FEEL").upper()
            return ("function", parameters, self.boxed(self.expression_child(node)), kind, type_ref)
        if tag == "decisionTable":
            return self.decision_table(node)
        if tag == "relation":
            columns = [column.get("name") or "" for column in children(node, "column")]
            rows = []
            for row in children(node, "row"):
                cells = [self.boxed(item) for item in row if self.is_expression(item)]
                if len(cells) != len(columns):
                    raise DmnError(
                        f"{self.where(row)}: the row has {len(cells)} cells "
                        f"for {len(columns)} columns"
                    )
                rows.append(tuple(cells))
            return ("relation", tuple(columns), tuple(rows), type_ref)
        if tag == "list":
            return (
                "list",
                tuple(self.boxed(item) for item in node if self.is_expression(item)),
                type_ref,
            )
        if tag == "conditional":
            parts = [
                self.boxed(self.expression_child(self.part(node, part)))
                for part in ("if", "then", "else")
            ]
            return ("conditional", *parts, type_ref)
        if tag == "filter":
            source = self.boxed(self.expression_child(self.part(node, "in")))
            match = self.boxed(self.expression_child(self.part(node, "match")))
            return ("filter", source, match, type_ref)
        if tag in ("for", "some", "every"):
            body_tag = "return" if tag == "for" else "satisfies"
            source = self.boxed(self.expression_child(self.part(node, "in")))
            body = self.boxed(self.expression_child(self.part(node, body_tag)))
            return ("iterate", tag, node.get("iteratorVariable") or "", source, body, type_ref)
        raise DmnError(f"{self.where(node)}: <{tag}> is not a DMN expression")

    _EXPRESSIONS = frozenset({
        "literalExpression", "context", "invocation", "functionDefinition", "decisionTable",
        "relation", "list", "conditional", "filter", "for", "some", "every",
    })  # fmt: skip

    def part(self, node: Element, name: str) -> Element:
        """The child ``name`` of a boxed expression (<if>, <in>...), else the node itself."""
        found = child(node, name)
        return node if found is None else found

    def is_expression(self, node: Element) -> bool:
        return local(node.tag) in self._EXPRESSIONS

    def expression_child(self, node: Element) -> Element | None:
        for item in node:
            if self.is_expression(item):
                return item
        return None

    def decision_table(self, node: Element) -> Any:
        inputs = []
        for item in children(node, "input"):
            expression = child(item, "inputExpression")
            values = child(item, "inputValues")
            type_ref = None if expression is None else expression.get("typeRef")
            inputs.append(
                (self.feel(text_of(expression), item), type_ref, self.tests(text_of(values), item))
            )
        outputs = []
        for item in children(node, "output"):
            values = child(item, "outputValues")
            default = child(item, "defaultOutputEntry")
            outputs.append(
                (item.get("name") or "", item.get("typeRef"), self.tests(text_of(values), item),
                 None if default is None else self.feel(text_of(default), item), text_of(values))
            )  # fmt: skip
        rules = []
        for rule in children(node, "rule"):
            entries = [self.tests(text_of(item), item) for item in children(rule, "inputEntry")]
            results = [self.feel(text_of(item), item) for item in children(rule, "outputEntry")]
            if len(entries) != len(inputs) or len(results) != len(outputs):
                raise DmnError(
                    f"{self.where(rule)}: the rule has {len(entries)} input and "
                    f"{len(results)} output entries for {len(inputs)} inputs "
                    f"and {len(outputs)} outputs"
                )
            rules.append((tuple(entries), tuple(results)))
        hit_policy = (node.get("hitPolicy") or "UNIQUE").upper().replace("_", " ")
        if hit_policy not in (
            "UNIQUE",
            "FIRST",
            "PRIORITY",
            "ANY",
            "COLLECT",
            "RULE ORDER",
            "OUTPUT ORDER",
        ):
            raise DmnError(f"{self.where(node)}: unknown hit policy {hit_policy!r}")
        aggregation = (node.get("aggregation") or "").upper() or None
        if aggregation not in (None, "SUM", "MIN", "MAX", "COUNT"):
            raise DmnError(f"{self.where(node)}: unknown aggregation {aggregation!r}")
        rule_ids = tuple(rule.get("id") or "" for rule in children(node, "rule"))
        return ("table", tuple(inputs), tuple(outputs), tuple(rules), hit_policy, aggregation,
                node.get("outputLabel"), node.get("typeRef"), rule_ids)  # fmt: skip


def _item_definition(node: Element, compiler: _Compiler) -> ItemDefinition:
    item = ItemDefinition(
        name=node.get("name") or "",
        type_ref=(node.findtext("{*}typeRef") or "").strip() or node.get("typeRef") or None,
        is_collection=(node.get("isCollection") or "").lower() == "true",
    )
    type_ref_node = child(node, "typeRef")
    if type_ref_node is not None:
        item.type_ref = (type_ref_node.text or "").strip() or None
    allowed = child(node, "allowedValues")
    if allowed is not None:
        item.allowed = compiler.tests(text_of(allowed), node)
    item.components = [_item_definition(part, compiler) for part in children(node, "itemComponent")]
    function = child(node, "functionItem")
    if function is not None:
        item.function = (
            tuple(p.get("typeRef") for p in children(function, "parameters")),
            function.get("outputTypeRef"),
        )
    return item


def _names(root: Element) -> frozenset[str]:
    names = set()
    for node in root.iter():
        tag = local(node.tag)
        if tag in NAMED_TAGS:
            for attribute in ("name", "iteratorVariable"):
                name = node.get(attribute)
                if name and (
                    " " in name or ("." not in name and not name.replace("_", "a").isalnum())
                ):
                    names.add(" ".join(name.split()))
    return frozenset(names)


def parse_dmn(data: bytes | str, extra_names: frozenset[str] = frozenset()) -> Definitions:
    """Read one .dmn file; any problem raises DmnError naming the element."""
    root = read_xml(data)
    compiler = _Compiler(_names(root) | extra_names)
    definitions = Definitions(
        name=root.get("name") or "",
        namespace=root.get("namespace") or "",
        id=root.get("id") or "",
    )
    for node in children(root, "import"):
        definitions.imports.append((node.get("name") or "", node.get("namespace") or ""))
    for node in children(root, "itemDefinition"):
        item = _item_definition(node, compiler)
        definitions.item_definitions[item.name] = item
    for node in root:
        tag = local(node.tag)
        if tag not in ("inputData", "decision", "businessKnowledgeModel", "decisionService"):
            continue
        variable = child(node, "variable")
        element = Element_(
            kind=tag,
            id=node.get("id") or "",
            name=node.get("name") or "",
            type_ref=None if variable is None else variable.get("typeRef"),
        )
        if not element.name:
            raise DmnError(f"{compiler.where(node)}: the element has no name")
        for requirement in children(node, "informationRequirement"):
            for kind, target in (
                ("requiredDecision", element.required_decisions),
                ("requiredInput", element.required_inputs),
            ):
                found = child(requirement, kind)
                if found is not None:
                    target.append(found.get("href") or "")
        for requirement in children(node, "knowledgeRequirement"):
            found = child(requirement, "requiredKnowledge")
            if found is not None:
                element.required_knowledge.append(found.get("href") or "")
        try:
            if tag == "decision":
                element.expression = compiler.boxed(compiler.expression_child(node))
            elif tag == "businessKnowledgeModel":
                logic = child(node, "encapsulatedLogic")
                if logic is None:
                    element.expression = (
                        "function", (), ("feel", ("lit", None), None), "FEEL", None
                    )  # fmt: skip
                else:
                    logic.tag = "functionDefinition"
                    element.expression = compiler.boxed(logic)
        except DmnError as error:
            # Name the decision or BKM too: its inner expressions often have no name.
            raise DmnError(f"{compiler.where(node)} {error}") from None
        if tag == "decisionService":
            for kind, target in (
                ("outputDecision", element.outputs),
                ("encapsulatedDecision", element.encapsulated),
                ("inputDecision", element.input_decisions),
                ("inputData", element.input_data),
            ):
                target.extend(found.get("href") or "" for found in children(node, kind))
        if element.id and element.id in definitions.elements:
            raise DmnError(f"{compiler.where(node)}: two elements have the id {element.id!r}")
        if element.name in definitions.by_name:
            raise DmnError(f"{compiler.where(node)}: two elements are named {element.name!r}")
        definitions.elements[element.id or f"name:{element.name}"] = element
        definitions.by_name[element.name] = element
    return definitions
