"""BPMN 2.0 import: `parse_bpmn` turns a file into immutable `ProcessGraph`s.

It refuses the whole file, naming the element, when anything in it cannot run:
malformed XML, DTDs and entity tricks, nesting past the limits, elements we do
not execute, dangling flows, gateways with no way out, expressions that do not
compile, calls to unknown processes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from xml.etree.ElementTree import Element as XmlElement
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from ..bindings import IMPLEMENTED_KINDS
from ..expressions import ExpressionError, compile_expression, compile_script, detect_language
from ..graph import (
    ACTIVITY_KINDS,
    EVENT_KINDS,
    FLOW_NODE_KINDS,
    GATEWAY_KINDS,
    SCOPE_KINDS,
    TASK_KINDS,
    CallActivity,
    Code,
    Element,
    Event,
    EventDefinition,
    Gateway,
    Lane,
    Listener,
    MultiInstance,
    ProcessGraph,
    SequenceFlow,
    ServiceOperator,
    StandardLoop,
    SubProcess,
    Task,
    VendorNote,
)
from ..limits import MAX_MULTI_INSTANCE, MAX_SUBPROCESS_DEPTH, MAX_XML_DEPTH
from ..timers import TimerError, parse_timer
from .correlation import message_correlations
from .document import BpmnDocument, BpmnImportError, NamedRef
from .namespaces import BPMN_NS, Q_BPMN, Q_CAMUNDA, Q_FLOWDESK, Q_SPIFF, Q_ZEEBE
from .vendor import VendorReading, plain_binding, read_vendor

PAGE_KINDS = frozenset({"task", "question", "edit", "auto", "email"})
RECORD_TRIGGERS = frozenset({"added", "modified", "deleted"})
# flowdesk: attributes holding an expression, compiled at import.
_EXPRESSION_EXTS = ("filter", "formula")

# BPMN children of a process / sub-process that carry no behaviour.
_IGNORED_IN_SCOPE = frozenset(
    {
        "documentation",
        "extensionElements",
        "laneSet",
        "textAnnotation",
        "group",
        "dataObject",
        "dataObjectReference",
        "dataStoreReference",
        "property",
        "ioSpecification",
        "ioBinding",
        "auditing",
        "monitoring",
        "category",
        "supportedInterfaceRef",
        "resourceRole",
        "performer",
        "potentialOwner",
        "correlationSubscription",
        "incoming",
        "outgoing",
        "multiInstanceLoopCharacteristics",
        "dataInputAssociation",
        "dataOutputAssociation",
        "dataInput",
        "dataOutput",
    }
)
_EVENT_DEFINITIONS = {
    "messageEventDefinition": "message",
    "signalEventDefinition": "signal",
    "timerEventDefinition": "timer",
    "errorEventDefinition": "error",
    "escalationEventDefinition": "escalation",
    "conditionalEventDefinition": "conditional",
    "linkEventDefinition": "link",
    "compensateEventDefinition": "compensate",
    "cancelEventDefinition": "cancel",
    "terminateEventDefinition": "terminate",
}
_ALLOWED_DEFINITIONS = {
    "startEvent": {"none", "message", "signal", "timer", "record", "conditional", "multiple"},
    "endEvent": {
        *("none", "terminate", "error", "escalation", "message", "signal"),
        *("compensate", "cancel", "multiple"),
    },
    "intermediateCatchEvent": {"message", "signal", "timer", "conditional", "link", "multiple"},
    "intermediateThrowEvent": {
        *("none", "message", "signal", "escalation", "link", "compensate", "multiple"),
    },
    "boundaryEvent": {
        *("message", "signal", "timer", "error", "escalation", "conditional"),
        *("compensate", "cancel", "multiple"),
    },
}
# The start event of an event sub-process: what can trigger it.
_EVENT_SUBPROCESS_STARTS = frozenset(
    {"message", "signal", "timer", "error", "escalation", "conditional", "multiple", "compensate"}
)
# What the definitions of a multiple event can be.
_MULTIPLE_PARTS = {
    "catch": frozenset({"message", "signal", "timer"}),
    "throw": frozenset({"message", "signal"}),
}
# Activities that something inside can throw out of (escalation, cancel).
_SCOPE_ACTIVITIES = frozenset({"subProcess", "callActivity", "transaction"})
_EVENT_SUBPROCESS_START_NEEDS = (
    "the start event of an event sub-process needs a message, signal, timer, "
    "error, escalation, conditional or compensation trigger"
)
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
_ISO_LITERAL = re.compile(r"(R\d*/)?-?P\S*|\d{4}-\d\d-\d\d\S*")


# ---------------------------------------------------------------------------
# Reading XML safely


def _to_bytes(data: bytes | str) -> bytes:
    if isinstance(data, str):
        # An encoding declaration in a str would make the parser refuse it.
        return data.encode("utf-8")
    return data


def _read_xml(data: bytes | str) -> tuple[XmlElement, dict[str, str]]:
    """Parse with entity expansion, DTDs and external references forbidden."""
    raw = _to_bytes(data)
    namespaces: dict[str, str] = {}
    root = None
    open_elements: list[XmlElement] = []
    try:
        for event, item in SafeET.iterparse(
            io.BytesIO(raw), events=("start-ns", "start", "end"), forbid_dtd=True
        ):
            if event == "start-ns":
                prefix, uri = item
                namespaces.setdefault(prefix, uri)
            elif event == "end":
                open_elements.pop()
            else:
                if len(open_elements) >= MAX_XML_DEPTH:
                    # Import and export walk the tree recursively: refuse before they do.
                    raise _too_deep(open_elements)
                open_elements.append(item)
                if root is None:
                    root = item
    except DefusedXmlException as exc:
        raise BpmnImportError(
            None, f"The file uses a DTD or entities, which are refused for safety ({exc})."
        ) from exc
    except ParseError as exc:
        raise BpmnImportError(None, f"The file is not well-formed XML: {exc}.") from exc
    if root is None or root.tag != Q_BPMN + "definitions":
        raise BpmnImportError(None, "The file is not BPMN 2.0: its root is not bpmn:definitions.")
    return root, namespaces


def _too_deep(open_elements: list[XmlElement]) -> BpmnImportError:
    """The refusal of a file nested past MAX_XML_DEPTH, naming the innermost element
    with an id that holds the too-deep content."""
    holder = next((node for node in reversed(open_elements) if node.get("id")), None)
    element_id = holder.get("id") if holder is not None else None
    kind = _local(holder.tag)[1] if holder is not None and isinstance(holder.tag, str) else ""
    return BpmnImportError(
        element_id,
        f"its content nests elements more than {MAX_XML_DEPTH} levels deep "
        "(sub-processes inside sub-processes?); flatten the model",
        kind=kind,
    )


def list_process_ids(data: bytes | str) -> list[str]:
    """The ids of the executable processes a file declares (for deploying groups)."""
    root, _ = _read_xml(data)
    return [
        p.get("id", "")
        for p in root.findall(Q_BPMN + "process")
        if p.get("isExecutable", "true").strip().lower() != "false"
    ]


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _text(node: XmlElement | None) -> str:
    if node is None:
        return ""
    return (node.text or "").strip()


# ---------------------------------------------------------------------------
# Parsing


def parse_bpmn(
    data: bytes | str,
    *,
    known_processes: Iterable[str] = (),
    form_schemas: Mapping[str, str] | None = None,
) -> BpmnDocument:
    """Parse a BPMN file into executable process graphs, or refuse it whole.

    `form_schemas` (file name -> text) are files deployed beside the model: the
    JSON-schema forms SpiffArena user tasks name (formJsonSchemaFilename)."""
    root, namespaces = _read_xml(data)
    xml_text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    messages = _named_refs(root, "message")
    signals = _named_refs(root, "signal")
    errors = _named_refs(root, "error")
    escalations = _named_refs(root, "escalation")
    process_nodes = [
        p
        for p in root.findall(Q_BPMN + "process")
        if p.get("isExecutable", "true").strip().lower() != "false"
    ]
    callable_ids = {p.get("id", "") for p in process_nodes} | set(known_processes)
    refs = _Refs(
        messages=messages,
        signals=signals,
        errors=errors,
        escalations=escalations,
        callable_ids=callable_ids,
        prefixes=frozenset(namespaces),
        form_schemas=form_schemas,
    )
    processes = [_ProcessParser(node, refs).parse() for node in process_nodes]
    correlations = _correlations(root, refs)
    if correlations:
        processes = [replace(graph, correlations=correlations) for graph in processes]
    collaborations = {}
    for collab in root.findall(Q_BPMN + "collaboration"):
        pools = tuple(
            part.get("processRef", "")
            for part in collab.findall(Q_BPMN + "participant")
            if part.get("processRef")
        )
        collaborations[collab.get("id", "")] = pools
    return BpmnDocument(
        processes=processes,
        messages=messages,
        signals=signals,
        errors=errors,
        collaborations=collaborations,
        xml=xml_text,
        namespaces=namespaces,
        root=root,
    )


def _correlations(root: XmlElement, refs: _Refs) -> dict[str, tuple[Code, ...]]:
    """The file's correlation properties, by the name of the message they key."""

    def resolve(ref: str) -> str:
        ref, named = refs.resolve(refs.messages, ref)
        return named.name if named else ref

    def compile_code(source: str, language: str | None, prop_id: str) -> Code:
        return _compile(source, language, prop_id, "correlationProperty")

    return message_correlations(root, resolve, compile_code)


def _named_refs(root: XmlElement, tag: str) -> dict[str, NamedRef]:
    found = {}
    for node in root.findall(Q_BPMN + tag):
        ref_id = node.get("id", "")
        payload = None
        variable = ""
        ext = node.find(Q_BPMN + "extensionElements")
        if ext is not None:
            source = _text(ext.find(Q_SPIFF + "payloadExpression"))
            if source:
                payload = _compile(source, None, ref_id, tag)
            variable = _text(ext.find(Q_SPIFF + "variableName"))
        found[ref_id] = NamedRef(
            id=ref_id,
            name=node.get("name") or ref_id,
            code=node.get("errorCode", "") if tag == "error" else node.get("escalationCode", ""),
            payload=payload,
            variable=variable,
        )
    return found


def _compile(source: str, language: str | None, element_id: str, kind: str) -> Code:
    try:
        compiled = compile_expression(source, language or None)
    except ExpressionError as exc:
        raise BpmnImportError(
            element_id, f"expression {source!r} does not compile: {exc}", kind=kind
        ) from exc
    return Code(source=source, language=language or None, compiled=compiled)


def _compile_script(source: str, language: str | None, element_id: str, kind: str) -> Code:
    try:
        compiled = compile_script(source, language or None)
    except ExpressionError as exc:
        raise BpmnImportError(element_id, f"script does not compile: {exc}", kind=kind) from exc
    return Code(source=source, language=language or None, compiled=compiled)


def timer_is_expression(text: str) -> bool:
    """SpiffWorkflow writes timers as expressions ('"PT5M"', a variable name),
    Camunda as literals ('PT5M', a cron line)."""
    text = text.strip()
    if not text:
        return False
    if text[0] in "\"'=" or text.startswith(("${", "#{")):
        return True
    return bool(_IDENTIFIER.fullmatch(text)) and not _ISO_LITERAL.fullmatch(text)


@dataclass
class _Refs:
    messages: dict[str, NamedRef]
    signals: dict[str, NamedRef]
    errors: dict[str, NamedRef]
    escalations: dict[str, NamedRef]
    callable_ids: set[str]
    # The namespace prefixes the file declares ('tns', 'bpmn', ...).
    prefixes: frozenset[str] = frozenset()
    # Files deployed beside the model (JSON-schema forms), by name.
    form_schemas: Mapping[str, str] | None = None

    def resolve(self, table: dict[str, NamedRef], ref: str) -> tuple[str, NamedRef | None]:
        """A messageRef / signalRef / errorRef / escalationRef as the source engines
        read it: a QName whose prefix is one the file declares names the element by
        its local part ('tns:newInvoice' is message 'newInvoice'). Returns the
        reference without a declared prefix, and the declared element (None if none)."""
        ref = ref.strip()
        if ref in table:
            return ref, table[ref]
        prefix, colon, local = ref.partition(":")
        if colon and prefix in self.prefixes and local:
            return local, table.get(local)
        return ref, None


class _ProcessParser:
    def __init__(self, node: XmlElement, refs: _Refs):
        self.node = node
        self.refs = refs
        self.process_id = node.get("id", "")
        self.elements: dict[str, Element] = {}
        self.element_scope: dict[str, str | None] = {}
        self.flows: dict[str, SequenceFlow] = {}
        self.flow_scope: dict[str, str | None] = {}
        self.lanes: list[Lane] = []
        self.lane_of: dict[str, str] = {}
        self.defaults: dict[str, str] = {}
        self.raw: dict[str, tuple[XmlElement, str | None]] = {}
        # The ids of the event sub-processes (subProcess triggeredByEvent="true").
        self.event_scopes: set[str] = set()
        # (sourceRef, targetRef) of every association (compensation handlers).
        self.associations: list[tuple[str, str]] = []
        # Every vendor extension met, in document order.
        self.notes: list[VendorNote] = []

    def fail(self, element_id: str | None, message: str, kind: str = "") -> BpmnImportError:
        """The refusal of this process's file, naming the element (or the process)."""
        return BpmnImportError(element_id or self.process_id, message, kind=kind or "process")

    def parse(self) -> ProcessGraph:
        """The process's graph, or BpmnImportError naming the first element that cannot run."""
        if not self.process_id:
            raise BpmnImportError(None, "A process has no id.")
        for note in read_vendor(self.node, self.process_id, "process").notes:
            if note.treatment == "bound":  # a process-level listener: no step runs it
                note = replace(
                    note,
                    treatment="ignored",
                    reason="process-level listeners do not run; put the work in a task",
                )
            self.notes.append(note)
        self._collect(self.node, None, depth=0)
        self._build_flows()
        elements = self._build_elements()
        scope_starts: dict[str | None, list[str]] = {None: []}
        for element in elements.values():
            if element.kind in SCOPE_KINDS:
                scope_starts.setdefault(element.id, [])
        for element in elements.values():
            if element.kind == "startEvent":
                scope_starts.setdefault(element.scope, []).append(element.id)
        for scope, starts in scope_starts.items():
            if not starts:
                raise self.fail(scope, "has no start event", "subProcess" if scope else "process")
            if scope is not None and scope not in self.event_scopes:
                for start_id in starts:
                    kind = elements[start_id].definition.kind  # type: ignore[attr-defined]
                    if kind != "none":
                        raise self.fail(
                            start_id,
                            "a sub-process starts at plain start events, not at "
                            f"{_article(kind)} {kind} start (an event sub-process, "
                            "triggeredByEvent, can)",
                            "startEvent",
                        )
        event_subprocesses = self._check_event_subprocesses(elements, scope_starts)
        links = self._links(elements)
        compensation = self._compensation(elements)
        graph = ProcessGraph(
            id=self.process_id,
            name=self.node.get("name", "").strip(),
            is_executable=self.node.get("isExecutable", "true").strip().lower() != "false",
            elements=elements,
            flows=self.flows,
            lanes=tuple(self.lanes),
            scope_starts={k: tuple(v) for k, v in scope_starts.items()},
            event_subprocesses=event_subprocesses,
            links=links,
            compensation=compensation,
            vendor_notes=tuple(self.notes),
            has_conditions=any(
                getattr(e, "definition", None) is not None and e.definition.kind == "conditional"
                for e in elements.values()
            ),
            predecessors=_predecessors(elements, self.flows),
        )
        return graph

    def _check_event_subprocesses(
        self, elements: dict[str, Element], scope_starts: dict[str | None, list[str]]
    ) -> dict[str | None, tuple[str, ...]]:
        """Each scope's event sub-processes; each has no flows and one start event
        with a trigger (an error start interrupts, as BPMN requires)."""
        found: dict[str | None, list[str]] = {}
        for esp_id in sorted(self.event_scopes, key=list(elements).index):
            esp = elements[esp_id]
            if esp.incoming or esp.outgoing:
                raise self.fail(
                    esp_id, "an event sub-process cannot have sequence flows", "subProcess"
                )
            if esp.boundaries:
                raise self.fail(
                    esp_id, "an event sub-process cannot have boundary events", "subProcess"
                )
            starts = scope_starts.get(esp_id, [])
            if len(starts) != 1:
                raise self.fail(
                    esp_id, "an event sub-process needs exactly one start event", "subProcess"
                )
            start = elements[starts[0]]
            assert isinstance(start, Event)
            if start.definition.kind not in _EVENT_SUBPROCESS_STARTS:
                raise self.fail(start.id, _EVENT_SUBPROCESS_START_NEEDS, "startEvent")
            if start.definition.kind == "error" and not start.is_interrupting:
                raise self.fail(start.id, "an error start event must be interrupting", "startEvent")
            if start.definition.kind == "compensate":
                continue  # the handler of its sub-process (see _compensation)
            found.setdefault(esp.scope, []).append(esp_id)
        return {scope: tuple(ids) for scope, ids in found.items()}

    def _links(self, elements: dict[str, Element]) -> dict[str | None, dict[str, str]]:
        """Each scope's catching link events by link name; every throwing link needs
        exactly one catching link of its name in its scope."""
        links: dict[str | None, dict[str, str]] = {}
        for element in elements.values():
            if element.kind == "intermediateCatchEvent" and element.definition.kind == "link":  # type: ignore[attr-defined]
                name = element.definition.name  # type: ignore[attr-defined]
                scope_links = links.setdefault(element.scope, {})
                if name in scope_links:
                    raise self.fail(
                        element.id,
                        f"link {name!r} is caught twice in the same scope",
                        element.kind,
                    )
                if element.incoming:
                    raise self.fail(
                        element.id, "a catching link event cannot have incoming flows", element.kind
                    )
                scope_links[name] = element.id
        for element in elements.values():
            if element.kind == "intermediateThrowEvent" and element.definition.kind == "link":  # type: ignore[attr-defined]
                name = element.definition.name  # type: ignore[attr-defined]
                if name not in links.get(element.scope, {}):
                    raise self.fail(
                        element.id,
                        f"no catching link event named {name!r} in the same scope",
                        element.kind,
                    )
                if element.outgoing:
                    raise self.fail(
                        element.id, "a throwing link event cannot have outgoing flows", element.kind
                    )
        return links

    def _compensation(self, elements: dict[str, Element]) -> dict[str, tuple[str, str]]:
        """Each compensable activity's compensation boundary and handler (the
        activity with isForCompensation="true" the boundary is associated with);
        compensation throws name activities of their own scope; cancel end events
        sit in transactions and cancel boundaries on them."""
        targets: dict[str, list[str]] = {}
        for source, target in self.associations:
            targets.setdefault(source, []).append(target)
        found: dict[str, tuple[str, str]] = {}
        for element in elements.values():
            definition = getattr(element, "definition", None)
            if definition is None:
                continue
            if definition.kind == "compensate" and element.kind == "boundaryEvent":
                handlers = [t for t in targets.get(element.id, ()) if t in elements]
                if len(handlers) != 1:
                    raise self.fail(
                        element.id,
                        "a compensation boundary event needs one association to its "
                        "compensation handler",
                        element.kind,
                    )
                handler = elements[handlers[0]]
                node, _ = self.raw[handler.id]
                if (
                    handler.kind not in ACTIVITY_KINDS
                    or node.get("isForCompensation", "false").strip().lower() != "true"
                ):
                    raise self.fail(
                        element.id,
                        f"its handler {handler.id!r} is not an activity with "
                        'isForCompensation="true"',
                        element.kind,
                    )
                if handler.incoming or handler.outgoing:
                    raise self.fail(
                        handler.id,
                        "a compensation handler cannot have sequence flows",
                        handler.kind,
                    )
                if element.outgoing:
                    raise self.fail(
                        element.id,
                        "a compensation boundary event cannot have outgoing flows",
                        element.kind,
                    )
                if element.attached_to in found:  # type: ignore[attr-defined]
                    raise self.fail(
                        element.id,
                        f"{element.attached_to!r} already has a compensation handler",  # type: ignore[attr-defined]
                        element.kind,
                    )
                found[element.attached_to] = (element.id, handler.id)  # type: ignore[attr-defined]
            elif definition.kind == "compensate" and element.kind == "startEvent":
                self._compensation_subprocess(element, elements, found)
            elif definition.kind == "compensate" and definition.activity:
                target = elements.get(definition.activity)
                if target is None or target.kind not in ACTIVITY_KINDS:
                    raise self.fail(
                        element.id,
                        f"its activityRef {definition.activity!r} is not an activity",
                        element.kind,
                    )
                scopes = {element.scope}
                if element.scope in self.event_scopes:
                    # A throw in an event sub-process: its own scope or the one around it.
                    scopes.add(elements[element.scope].scope)
                if target.scope not in scopes:
                    raise self.fail(
                        element.id,
                        f"its activityRef {definition.activity!r} is not in the scope the "
                        "event compensates",
                        element.kind,
                    )
            elif definition.kind == "cancel":
                self._check_cancel(element, elements)
        return found

    def _compensation_subprocess(
        self, start: Element, elements: dict[str, Element], found: dict[str, tuple[str, str]]
    ) -> None:
        """A compensation start event: its event sub-process is the handler of the
        sub-process it is in."""
        esp = elements[start.scope or ""]
        node, _ = self.raw[start.id]
        definition_node = next(
            child for child in node if _local(child.tag)[1] == "compensateEventDefinition"
        )
        if esp.scope is None:
            raise self.fail(
                esp.id,
                "a compensation event sub-process belongs in a sub-process, not at process level",
                esp.kind,
            )
        if (
            definition_node.get("activityRef")
            or definition_node.get("waitForCompletion", "true").strip().lower() != "true"
        ):
            raise self.fail(
                start.id,
                "a compensation start event takes no activityRef and always waits for completion",
                start.kind,
            )
        if esp.scope in found:
            raise self.fail(
                esp.id,
                f"sub-process {esp.scope!r} already has a compensation handler "
                "(a boundary event or another compensation event sub-process)",
                esp.kind,
            )
        found[esp.scope] = (start.id, esp.id)

    def _check_cancel(self, element: Element, elements: dict[str, Element]) -> None:
        if element.kind == "endEvent":
            scope = elements.get(element.scope) if element.scope else None
            if scope is None or scope.kind != "transaction":
                raise self.fail(
                    element.id, "a cancel end event belongs inside a transaction", element.kind
                )
        else:
            attached = elements.get(element.attached_to or "")  # type: ignore[attr-defined]
            if attached is None or attached.kind != "transaction":
                raise self.fail(
                    element.id, "a cancel boundary event belongs on a transaction", element.kind
                )

    # -- first pass: every node, flow and lane, with its scope

    def _collect(self, container: XmlElement, scope: str | None, *, depth: int) -> None:
        for child in container:
            ns, tag = _local(child.tag)
            if not isinstance(child.tag, str):
                continue
            element_id = child.get("id", "")
            if ns != BPMN_NS:
                raise self.fail(
                    element_id or scope, f"unknown element <{tag}> ({ns or 'no namespace'})"
                )
            if tag in FLOW_NODE_KINDS:
                if not element_id:
                    raise self.fail(scope, f"a <{tag}> has no id")
                if element_id in self.raw or element_id in self.flow_scope:
                    raise self.fail(element_id, "the id is used twice", tag)
                self.raw[element_id] = (child, scope)
                self.element_scope[element_id] = scope
                if tag in SCOPE_KINDS:
                    if child.get("triggeredByEvent", "false").strip().lower() == "true":
                        self.event_scopes.add(element_id)
                    if depth >= MAX_SUBPROCESS_DEPTH:
                        raise self.fail(
                            element_id,
                            f"sub-processes are nested more than {MAX_SUBPROCESS_DEPTH} deep; "
                            "flatten the model or use call activities",
                            tag,
                        )
                    self._collect(child, element_id, depth=depth + 1)
            elif tag == "sequenceFlow":
                if not element_id:
                    # Old Camunda test files leave flow ids out; name them by their ends.
                    base = f"{child.get('sourceRef', '')}->{child.get('targetRef', '')}"
                    element_id, n = base, 1
                    while element_id in self.flow_scope or element_id in self.raw:
                        n += 1
                        element_id = f"{base}#{n}"
                self.flow_scope[element_id] = scope
                self.raw[element_id] = (child, scope)
            elif tag == "association":
                self.associations.append((child.get("sourceRef", ""), child.get("targetRef", "")))
            elif tag == "laneSet":
                self._collect_lanes(child)
            elif tag in _IGNORED_IN_SCOPE:
                continue
            else:
                raise self.fail(element_id or scope, f"<{tag}> is not supported", tag)

    def _collect_lanes(self, lane_set: XmlElement) -> None:
        for lane in lane_set.findall(Q_BPMN + "lane"):
            name = lane.get("name") or lane.get("id", "")
            refs = tuple(_text(ref) for ref in lane.findall(Q_BPMN + "flowNodeRef"))
            self.lanes.append(Lane(id=lane.get("id", ""), name=name, elements=refs))
            for ref in refs:
                # Child lanes are read after their parent, so the innermost lane wins.
                self.lane_of[ref] = name
            for child_set in lane.findall(Q_BPMN + "childLaneSet"):
                self._collect_lanes(child_set)

    # -- flows

    def _build_flows(self) -> None:
        for flow_id, scope in self.flow_scope.items():
            node, _ = self.raw[flow_id]
            source = node.get("sourceRef", "")
            target = node.get("targetRef", "")
            for end, ref in (("source", source), ("target", target)):
                if not ref or ref not in self.element_scope:
                    raise self.fail(
                        flow_id,
                        f"its {end} {ref!r} is not an element of this process",
                        "sequenceFlow",
                    )
                if self.element_scope[ref] != scope:
                    raise self.fail(
                        flow_id, f"its {end} {ref!r} is in another (sub-)process", "sequenceFlow"
                    )
            condition = None
            cond_node = node.find(Q_BPMN + "conditionExpression")
            if cond_node is not None and _text(cond_node):
                condition = _compile(
                    _text(cond_node), cond_node.get("language"), flow_id, "sequenceFlow"
                )
            source_node, _ = self.raw[source]
            self.flows[flow_id] = SequenceFlow(
                id=flow_id,
                source=source,
                target=target,
                name=(node.get("name") or "").strip(),
                condition=condition,
                is_default=source_node.get("default") == flow_id,
            )

    # -- elements

    def _build_elements(self) -> dict[str, Element]:
        incoming: dict[str, list[str]] = {eid: [] for eid in self.element_scope}
        outgoing: dict[str, list[str]] = {eid: [] for eid in self.element_scope}
        for flow in self.flows.values():
            outgoing[flow.source].append(flow.id)
            incoming[flow.target].append(flow.id)
        boundaries: dict[str, list[str]] = {}
        for element_id, (node, _) in self.raw.items():
            if _local(node.tag)[1] == "boundaryEvent":
                attached = node.get("attachedToRef", "")
                boundaries.setdefault(attached, []).append(element_id)
        elements: dict[str, Element] = {}
        for element_id, scope in self.element_scope.items():
            node, _ = self.raw[element_id]
            kind = _local(node.tag)[1]
            lane = self.lane_of.get(element_id, "")
            if not lane:
                parent = scope
                while parent and not lane:
                    lane = self.lane_of.get(parent, "")
                    parent = self.element_scope.get(parent)
            reading = read_vendor(node, element_id, kind, form_schemas=self.refs.form_schemas)
            self.notes.extend(reading.notes)
            common = dict(
                id=element_id,
                kind=kind,
                name=(node.get("name") or "").strip(),
                scope=scope,
                incoming=tuple(incoming[element_id]),
                outgoing=tuple(outgoing[element_id]),
                boundaries=tuple(boundaries.get(element_id, ())),
                lane=lane,
                ext=self._ext(node, element_id, kind),
                vendor=reading.ext,
                documentation=_text(node.find(Q_BPMN + "documentation")),
                loop=self._loop(node, element_id, kind),
                standard_loop=self._standard_loop(node, element_id, kind),
                listeners=self._listeners(reading, element_id, kind),
                io_inputs=self._io_mappings(reading.io_inputs, element_id, kind),
                io_outputs=self._io_mappings(reading.io_outputs, element_id, kind),
            )
            default = node.get("default") or None
            if default is not None and default not in outgoing[element_id]:
                raise self.fail(
                    element_id,
                    f"its default flow {default!r} is not one of its outgoing flows",
                    kind,
                )
            if kind in EVENT_KINDS:
                element = self._event(node, common)
            elif kind in GATEWAY_KINDS:
                element = Gateway(default=default, **common)
                self._check_gateway(element)
            elif kind in SCOPE_KINDS:
                element = SubProcess(
                    default=default, triggered_by_event=element_id in self.event_scopes, **common
                )
            elif kind == "callActivity":
                element = self._call_activity(node, common, default)
            elif kind in TASK_KINDS:
                element = self._task(node, common, default, reading)
            else:  # pragma: no cover - FLOW_NODE_KINDS is exhaustive
                raise self.fail(element_id, "is not supported", kind)
            elements[element_id] = element
        for element in elements.values():
            if element.kind == "eventBasedGateway":
                for flow_id in element.outgoing:
                    target = elements[self.flows[flow_id].target]
                    if target.kind not in ("intermediateCatchEvent", "receiveTask"):
                        raise self.fail(
                            element.id,
                            f"an event-based gateway must lead to catch events, "
                            f"not to {target.kind} {target.id!r}",
                            element.kind,
                        )
        return elements

    def _ext(self, node: XmlElement, element_id: str, kind: str) -> dict[str, str]:
        ext = {}
        for key, value in node.attrib.items():
            if key.startswith(Q_FLOWDESK):
                ext[key[len(Q_FLOWDESK) :]] = value
        if "page" in ext and ext["page"] not in PAGE_KINDS:
            raise self.fail(
                element_id,
                f"flowdesk:page must be one of {', '.join(sorted(PAGE_KINDS))}, "
                f"not {ext['page']!r}",
                kind,
            )
        for flag in ("background", "createActivity", "multiple"):
            if flag in ext and ext[flag] not in ("true", "false"):
                raise self.fail(
                    element_id,
                    f"flowdesk:{flag} must be 'true' or 'false', not {ext[flag]!r}",
                    kind,
                )
        if "trigger" in ext:
            if kind != "startEvent":
                raise self.fail(element_id, "flowdesk:trigger belongs on a start event", kind)
            if ext["trigger"] not in RECORD_TRIGGERS:
                raise self.fail(
                    element_id,
                    f"flowdesk:trigger must be added, modified or deleted, not {ext['trigger']!r}",
                    kind,
                )
            if not ext.get("model"):
                raise self.fail(element_id, "a record trigger needs flowdesk:model", kind)
        for key in _EXPRESSION_EXTS:
            if ext.get(key):
                _compile(ext[key], None, element_id, kind)
        return ext

    def _standard_loop(self, node: XmlElement, element_id: str, kind: str) -> StandardLoop | None:
        loop = node.find(Q_BPMN + "standardLoopCharacteristics")
        if loop is None:
            return None
        if kind not in ACTIVITY_KINDS:
            raise self.fail(element_id, "only activities can loop", kind)
        if node.find(Q_BPMN + "multiInstanceLoopCharacteristics") is not None:
            raise self.fail(element_id, "an activity cannot be a loop and multi-instance", kind)
        condition_node = loop.find(Q_BPMN + "loopCondition")
        condition = None
        if _text(condition_node):
            condition = _compile(
                _text(condition_node), condition_node.get("language"), element_id, kind
            )
        maximum_text = (loop.get("loopMaximum") or "").strip()
        maximum = None
        if maximum_text:
            if not maximum_text.isdigit():
                raise self.fail(
                    element_id, f"loopMaximum {maximum_text!r} is not a whole number", kind
                )
            maximum = min(int(maximum_text), MAX_MULTI_INSTANCE)
        if condition is None and maximum is None:
            raise self.fail(
                element_id, "a standard loop needs a loopCondition or a loopMaximum", kind
            )
        return StandardLoop(
            condition=condition,
            test_before=loop.get("testBefore", "false").strip().lower() == "true",
            maximum=maximum,
        )

    def _loop(self, node: XmlElement, element_id: str, kind: str) -> MultiInstance | None:
        mi = node.find(Q_BPMN + "multiInstanceLoopCharacteristics")
        if mi is None:
            return None
        if kind not in ACTIVITY_KINDS:
            raise self.fail(element_id, "only activities can be multi-instance", kind)
        cardinality = None
        if _text(mi.find(Q_BPMN + "loopCardinality")):
            cardinality = _compile(
                _text(mi.find(Q_BPMN + "loopCardinality")), None, element_id, kind
            )
        input_collection = _text(mi.find(Q_BPMN + "loopDataInputRef")) or _plain_name(
            mi.get(Q_CAMUNDA + "collection", "")
        )
        condition = None
        if _text(mi.find(Q_BPMN + "completionCondition")):
            condition = _compile(
                _text(mi.find(Q_BPMN + "completionCondition")), None, element_id, kind
            )
        if cardinality is None and not input_collection:
            raise self.fail(
                element_id,
                "a multi-instance activity needs loopCardinality or loopDataInputRef",
                kind,
            )
        return MultiInstance(
            is_sequential=mi.get("isSequential", "false").strip().lower() == "true",
            cardinality=cardinality,
            input_collection=input_collection,
            input_item=_item_name(mi.find(Q_BPMN + "inputDataItem"))
            or mi.get(Q_CAMUNDA + "elementVariable", ""),
            output_collection=_text(mi.find(Q_BPMN + "loopDataOutputRef")),
            output_item=_item_name(mi.find(Q_BPMN + "outputDataItem")),
            completion_condition=condition,
        )

    def _event(self, node: XmlElement, common: dict) -> Event:
        element_id, kind = common["id"], common["kind"]
        definitions = [
            child
            for child in node
            if isinstance(child.tag, str) and _local(child.tag)[1].endswith("EventDefinition")
        ]
        definition = EventDefinition(kind="none")
        if len(definitions) > 1:
            definition = self._multiple(node, definitions, element_id, kind)
        elif definitions:
            definition = self._definition(definitions[0], element_id, kind)
        if definition.kind in ("message", "signal") and not definition.name and common["name"]:
            # Signavio leaves messageRef out and names the event instead.
            definition = replace(definition, name=common["name"])
        if common["ext"].get("trigger"):
            if definition.kind != "none":
                raise self.fail(element_id, "a record trigger cannot also wait for an event", kind)
            definition = EventDefinition(kind="record", trigger=common["ext"]["trigger"])
        in_event_subprocess = kind == "startEvent" and common["scope"] in self.event_scopes
        allowed = _EVENT_SUBPROCESS_STARTS if in_event_subprocess else _ALLOWED_DEFINITIONS[kind]
        if definition.kind not in allowed:
            if in_event_subprocess:
                raise self.fail(element_id, _EVENT_SUBPROCESS_START_NEEDS, kind)
            raise self.fail(
                element_id,
                f"{_article(definition.kind)} {definition.kind} {kind} is not supported",
                kind,
            )
        attached_to = None
        if kind == "boundaryEvent":
            attached_to = node.get("attachedToRef", "")
            target = self.element_scope.get(attached_to, "!")
            attached_node = self.raw.get(attached_to)
            if (
                target == "!"
                or attached_node is None
                or _local(attached_node[0].tag)[1] not in ACTIVITY_KINDS
            ):
                raise self.fail(
                    element_id, f"it is attached to {attached_to!r}, which is not an activity", kind
                )
            attached_kind = _local(attached_node[0].tag)[1]
            if definition.kind == "escalation" and attached_kind not in _SCOPE_ACTIVITIES:
                raise self.fail(
                    element_id,
                    "an escalation boundary event belongs on a sub-process or a call activity "
                    f"(nothing inside {attached_kind} {attached_to!r} can throw one)",
                    kind,
                )
        if kind == "endEvent" and common["outgoing"]:
            raise self.fail(element_id, "an end event cannot have outgoing flows", kind)
        if kind == "startEvent" and common["incoming"]:
            raise self.fail(element_id, "a start event cannot have incoming flows", kind)
        return Event(
            definition=definition,
            attached_to=attached_to,
            cancel_activity=node.get("cancelActivity", "true").strip().lower() != "false",
            is_interrupting=node.get("isInterrupting", "true").strip().lower() != "false",
            **common,
        )

    def _definition(self, node: XmlElement, element_id: str, kind: str) -> EventDefinition:
        tag = _local(node.tag)[1]
        def_kind = _EVENT_DEFINITIONS.get(tag)
        if def_kind is None:
            raise self.fail(element_id, f"<{tag}> is not supported", kind)
        def_id = node.get("id", "")
        if def_kind == "message":
            ref, named = self.refs.resolve(self.refs.messages, node.get("messageRef", ""))
            payload = None
            if node.get(Q_CAMUNDA + "expression"):
                payload = _compile(node.get(Q_CAMUNDA + "expression"), None, element_id, kind)
            return EventDefinition(
                kind="message",
                id=def_id,
                ref=ref,
                name=named.name if named else ref,
                payload=payload or (named.payload if named else None),
                variable=node.get(Q_CAMUNDA + "resultVariable", "")
                or (named.variable if named else ""),
            )
        if def_kind == "signal":
            ref, named = self.refs.resolve(self.refs.signals, node.get("signalRef", ""))
            return EventDefinition(
                kind="signal",
                id=def_id,
                ref=ref,
                name=named.name if named else ref,
                payload=named.payload if named else None,
                variable=named.variable if named else "",
            )
        if def_kind in ("error", "escalation"):
            # An errorRef / escalationRef naming nothing declared is the code itself
            # (Camunda's reading); a declared one without a code catches by name.
            table = self.refs.errors if def_kind == "error" else self.refs.escalations
            ref, named = self.refs.resolve(table, node.get(f"{def_kind}Ref", ""))
            return EventDefinition(
                kind=def_kind,
                id=def_id,
                ref=ref,
                name=named.name if named else ref,
                error_code=named.code if named else ref,
                payload=named.payload if named else None,
                variable=named.variable if named else "",
            )
        if def_kind == "conditional":
            return self._conditional(node, def_id, element_id, kind)
        if def_kind == "compensate":
            return EventDefinition(
                kind="compensate", id=def_id, activity=(node.get("activityRef") or "").strip()
            )
        if def_kind == "link":
            name = (node.get("name") or "").strip()
            if not name:
                raise self.fail(element_id, "a link event needs a name", kind)
            return EventDefinition(kind="link", id=def_id, name=name)
        if def_kind == "timer":
            for timer_kind in ("timeDate", "timeDuration", "timeCycle"):
                timer_node = node.find(Q_BPMN + timer_kind)
                if timer_node is None:
                    continue
                source = _text(timer_node)
                if not source:
                    break
                if timer_is_expression(source):
                    code = _compile(source, timer_node.get("language"), element_id, kind)
                else:
                    try:
                        parse_timer(timer_kind, source)
                    except (TimerError, ValueError) as exc:
                        raise self.fail(
                            element_id, f"{timer_kind} {source!r} is not valid: {exc}", kind
                        ) from exc
                    code = Code(source=source, language="literal")
                return EventDefinition(kind="timer", id=def_id, timer_kind=timer_kind, timer=code)
            raise self.fail(element_id, "a timer needs a timeDate, timeDuration or timeCycle", kind)
        return EventDefinition(kind=def_kind, id=def_id)

    def _multiple(
        self, node: XmlElement, definitions: list[XmlElement], element_id: str, kind: str
    ) -> EventDefinition:
        """A multiple event (several definitions): a catch waits for the first of
        them (parallelMultiple: for all), a throw throws every one."""
        parts = tuple(self._definition(d, element_id, kind) for d in definitions)
        allowed = _MULTIPLE_PARTS[
            "throw" if kind in ("endEvent", "intermediateThrowEvent") else "catch"
        ]
        for part in parts:
            if part.kind not in allowed:
                raise self.fail(
                    element_id,
                    f"a multiple {kind} can combine {', '.join(sorted(allowed))} definitions, "
                    f"not {part.kind}",
                    kind,
                )
        parallel = node.get("parallelMultiple", "false").strip().lower() == "true"
        if parallel and kind != "intermediateCatchEvent":
            raise self.fail(
                element_id,
                "parallel-multiple events are supported as intermediate catch events only",
                kind,
            )
        return EventDefinition(kind="multiple", parts=parts, parallel=parallel)

    def _conditional(
        self, node: XmlElement, def_id: str, element_id: str, kind: str
    ) -> EventDefinition:
        condition_node = node.find(Q_BPMN + "condition")
        source = _text(condition_node)
        if condition_node is None or not source:
            raise self.fail(element_id, "a conditional event needs a condition", kind)
        code = _compile(source, condition_node.get("language"), element_id, kind)
        return EventDefinition(kind="conditional", id=def_id, condition=code)

    def _check_gateway(self, gateway: Gateway) -> None:
        # A parallel or inclusive gateway with no way out is an implicit end (Camunda).
        if not gateway.outgoing and gateway.kind not in ("parallelGateway", "inclusiveGateway"):
            raise self.fail(gateway.id, "has no outgoing flow", gateway.kind)
        if not gateway.incoming:
            raise self.fail(gateway.id, "has no incoming flow", gateway.kind)

    def _task(
        self, node: XmlElement, common: dict, default: str | None, reading: VendorReading
    ) -> Task:
        element_id, kind = common["id"], common["kind"]
        ext = common["ext"]
        if kind == "businessRuleTask":
            ext.update(decision_reference(node))
        script = None
        action = ext.get("action", "")
        operator = None
        foreign = ""
        if kind == "scriptTask" and not action:
            source = (node.findtext(Q_BPMN + "script") or "").strip("\n")
            foreign = _foreign_script(node, source)
            if source.strip() and not foreign:
                script = _compile_script(source, node.get("scriptFormat"), element_id, kind)
        if kind == "serviceTask" and not action:
            operator_node = None
            ext_node = node.find(Q_BPMN + "extensionElements")
            if ext_node is not None:
                operator_node = ext_node.find(Q_SPIFF + "serviceTaskOperator")
            if operator_node is not None:
                params = []
                params_node = operator_node.find(Q_SPIFF + "parameters")
                found = (
                    params_node.findall(Q_SPIFF + "parameter") if params_node is not None else ()
                )
                for param in found:
                    value = _compile(param.get("value", ""), None, element_id, kind)
                    params.append((param.get("id", ""), value))
                operator = ServiceOperator(
                    name=operator_node.get("id", ""),
                    parameters=tuple(params),
                    result_variable=operator_node.get("resultVariable", ""),
                )
        message = ""
        if kind in ("sendTask", "receiveTask") and node.get("messageRef"):
            ref, named = self.refs.resolve(self.refs.messages, node.get("messageRef", ""))
            message = named.name if named else ref
        implementation = binding = topic = ""
        if (
            kind in IMPLEMENTED_KINDS
            and not action
            and operator is None
            and not ext.get("decision")
        ):
            implementation, binding, topic = reading.implementation, reading.binding, reading.topic
        expression = None
        if implementation == "camunda:expression":
            try:
                expression = _compile(
                    node.get(Q_CAMUNDA + "expression", ""), None, element_id, kind
                )
            except BpmnImportError:
                expression = None  # a bean call: bound by name like camunda:class
        if foreign:
            # A script Flowdesk cannot run (Groovy, JavaScript, an external resource)
            # is bound like a service task: to the action named process-id.task-id.
            implementation, binding = foreign, f"{self.process_id}.{element_id}"
        return Task(
            script=script,
            action=action,
            operator=operator,
            message=message,
            result_variable=node.get(Q_CAMUNDA + "resultVariable", ""),
            default=default,
            implementation=implementation,
            binding=binding,
            topic=topic,
            expression=expression,
            pre_script=self._vendor_script(reading.pre_script, element_id, kind),
            post_script=self._vendor_script(reading.post_script, element_id, kind),
            params=self._params(reading, element_id, kind) if binding else (),
            **common,
        )

    def _listeners(self, reading: VendorReading, element_id: str, kind: str):
        """Camunda listeners: what Flowdesk runs itself (JUEL expressions, Python
        scripts) is compiled; the rest is bound by name (a Groovy or external script
        by `process-id.element-id.event`)."""
        found = []
        for event, implementation, source, language in reading.listeners:
            code, binding, is_script = None, "", False
            if language is None:
                if implementation.endswith(":expression"):
                    try:
                        code = _compile(source, None, element_id, kind)
                    except BpmnImportError:
                        code = None
                if code is None:
                    binding = plain_binding(source)
            elif language == "python" and source.strip():
                code, is_script = _compile_script(source, "python", element_id, kind), True
            else:
                binding = f"{self.process_id}.{element_id}.{event}"
            found.append(
                Listener(
                    event=event,
                    implementation=implementation,
                    binding=binding,
                    code=code,
                    is_script=is_script,
                )
            )
        return tuple(found)

    def _io_mappings(self, pairs, element_id: str, kind: str):
        """Zeebe input / output mappings: a `=...` source is FEEL, any other text the
        string it says; a target is a variable name or a dotted path into one."""
        found = []
        for target, source in pairs:
            if not target or not all(part.isidentifier() for part in target.split(".")):
                raise self.fail(
                    element_id,
                    f"zeebe:ioMapping target {target!r} is not a variable name "
                    "(or a dotted path such as order.id)",
                    kind,
                )
            if source.strip().startswith("="):
                found.append((target, _compile(source.strip(), "feel", element_id, kind)))
            else:
                found.append((target, Code(source=source, language="literal")))
        return tuple(found)

    def _vendor_script(self, source: str, element_id: str, kind: str) -> Code | None:
        """A SpiffArena pre- or post-script, compiled in the safe Python subset."""
        if not source.strip():
            return None
        return _compile_script(source, "python", element_id, kind)

    def _params(self, reading: VendorReading, element_id: str, kind: str):
        """Camunda field injections and input parameters for a bound action: a
        `${...}` text is an expression, any other text the string it says."""
        params = []
        for name, source in reading.params:
            if not name:
                continue
            if "${" not in source and "#{" not in source:
                params.append((name, Code(source=source, language="literal")))
                continue
            try:
                params.append((name, _compile(source, None, element_id, kind)))
            except BpmnImportError as exc:
                self.notes.append(
                    VendorNote(
                        element_id=element_id,
                        kind=kind,
                        extension="camunda:inputParameter",
                        value=name,
                        treatment="ignored",
                        reason=f"not passed to the action: {exc.message}",
                    )
                )
        return tuple(params)

    def _call_activity(self, node: XmlElement, common: dict, default: str | None) -> CallActivity:
        element_id, kind = common["id"], common["kind"]
        called = (node.get("calledElement") or "").strip()
        if not called and node.get(Q_CAMUNDA + "caseRef"):
            raise self.fail(
                element_id,
                f"calls CMMN case {node.get(Q_CAMUNDA + 'caseRef')!r} (camunda:caseRef); "
                "Flowdesk runs BPMN processes only, not CMMN cases",
                kind,
            )
        if not called:
            raise self.fail(element_id, "has no calledElement", kind)
        if called not in self.refs.callable_ids:
            raise self.fail(
                element_id,
                f"calls process {called!r}, which is neither in this file nor deployed",
                kind,
            )
        ins: list[tuple[str, str]] = []
        outs: list[tuple[str, str]] = []
        ext_node = node.find(Q_BPMN + "extensionElements")
        if ext_node is not None:
            for tag, into in (("in", ins), ("out", outs)):
                for mapping in ext_node.findall(Q_CAMUNDA + tag):
                    if mapping.get("variables") == "all":
                        into.append(("*", "*"))
                    elif mapping.get("source"):
                        into.append((mapping.get("source", ""), mapping.get("target") or ""))
        return CallActivity(
            called_element=called,
            in_mappings=tuple(ins),
            out_mappings=tuple(outs),
            default=default,
            **common,
        )


def decision_reference(node: XmlElement) -> dict[str, str]:
    """The decision a business-rule task calls, whichever dialect names it.

    camunda:decisionRef (+ camunda:resultVariable, camunda:mapDecisionResult),
    zeebe:calledDecision (decisionId, resultVariable), SpiffWorkflow's
    spiffworkflow:calledDecisionId, or flowdesk:decision. The keys returned are
    ``decision``, ``decisionResultVariable`` and ``mapDecisionResult`` (absent when
    the task names no decision).
    """
    found: dict[str, str] = {}
    ext_node = node.find(Q_BPMN + "extensionElements")
    if node.get(Q_CAMUNDA + "decisionRef"):
        found["decision"] = node.get(Q_CAMUNDA + "decisionRef", "").strip()
        found["decisionResultVariable"] = node.get(Q_CAMUNDA + "resultVariable", "")
        found["mapDecisionResult"] = node.get(Q_CAMUNDA + "mapDecisionResult", "resultList")
    elif ext_node is not None and ext_node.find(Q_ZEEBE + "calledDecision") is not None:
        called = ext_node.find(Q_ZEEBE + "calledDecision")
        found["decision"] = (called.get("decisionId") or "").strip().lstrip("=").strip()
        found["decisionResultVariable"] = called.get("resultVariable", "")
        found["mapDecisionResult"] = "value"
    elif ext_node is not None and ext_node.find(Q_SPIFF + "calledDecisionId") is not None:
        found["decision"] = _text(ext_node.find(Q_SPIFF + "calledDecisionId"))
        found["mapDecisionResult"] = "value"
    elif node.get(Q_FLOWDESK + "decision"):
        found["decision"] = node.get(Q_FLOWDESK + "decision", "").strip()
        found["decisionResultVariable"] = node.get(Q_FLOWDESK + "resultVariable", "")
        found["mapDecisionResult"] = "value"
    return {key: value for key, value in found.items() if value}


def _foreign_script(node: XmlElement, source: str) -> str:
    """'script:groovy' when a script task's script is in a language Flowdesk does not
    run, 'camunda:resource' when it lives outside the file; '' for a Python script."""
    if node.get(Q_CAMUNDA + "resource"):
        return "camunda:resource"
    script_format = node.get("scriptFormat")
    if not source.strip():
        return ""
    try:
        language = detect_language(source, script_format)
    except ExpressionError:
        return f"script:{(script_format or '').strip().lower()}"
    return "" if language == "python" else f"script:{language}"


def _article(word: str) -> str:
    """'a' or 'an' before a word, for messages."""
    return "an" if word[:1] in "aeiou" else "a"


def _plain_name(text: str) -> str:
    text = text.strip()
    if text.startswith(("${", "#{")) and text.endswith("}"):
        text = text[2:-1].strip()
    return text if _IDENTIFIER.fullmatch(text) else ""


def _item_name(node: XmlElement | None) -> str:
    if node is None:
        return ""
    name = (node.get("name") or "").strip()
    if _IDENTIFIER.fullmatch(name):
        return name
    return node.get("id", "")


def _predecessors(
    elements: dict[str, Element], flows: dict[str, SequenceFlow]
) -> dict[str, tuple[str, ...]]:
    """Each element's predecessors: the sources of its incoming flows, and for a
    boundary event its activity (a boundary event is a way out of its activity)."""
    found: dict[str, list[str]] = {eid: [] for eid in elements}
    for flow in flows.values():
        found[flow.target].append(flow.source)
    for element in elements.values():
        if isinstance(element, Event) and element.attached_to:
            found[element.id].append(element.attached_to)
    return {eid: tuple(sources) for eid, sources in found.items()}
