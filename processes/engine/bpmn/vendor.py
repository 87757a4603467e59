"""Camunda 7, Zeebe and SpiffArena extensions: what Flowdesk does with each one.

`read_vendor` reads one element's vendor attributes and extension elements and
returns (a) what the engine runs for them (a task's binding name, its external
topic, pre- and post-scripts, parameters), (b) the flowdesk: attributes they map
onto (owner, role, hint, auto-generated page fields), and (c) one `VendorNote`
per extension met, saying whether it is honoured, mapped, bound, or ignored and
why. Nothing vendor-specific is dropped without a note. docs/vendor-extensions.md
is the table of the same decisions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element as XmlElement

from ..bindings import IMPLEMENTED_KINDS
from ..graph import VendorNote
from .namespaces import CAMUNDA_NS, Q_BPMN, Q_CAMUNDA, Q_ZEEBE, SPIFF_NS, ZEEBE_NS

_PREFIX = {CAMUNDA_NS: "camunda", ZEEBE_NS: "zeebe", SPIFF_NS: "spiffworkflow"}
_IMPLEMENTATIONS = ("class", "delegateExpression", "expression")

# (prefix, local name) -> (treatment, reason) for extensions whose handling
# does not depend on their value.
_FIXED: dict[tuple[str, str], tuple[str, str]] = {
    ("camunda", "resultVariable"): ("honoured", "the result is stored in this variable"),
    ("camunda", "decisionRef"): ("honoured", "the deployed decision is evaluated"),
    ("camunda", "mapDecisionResult"): ("honoured", "the decision result is shaped as in Camunda"),
    ("camunda", "decisionRefBinding"): ("ignored", "the latest deployed decision is used"),
    ("camunda", "decisionRefVersion"): ("ignored", "the latest deployed decision is used"),
    ("camunda", "decisionRefTenantId"): ("ignored", "Flowdesk has no tenants"),
    ("camunda", "asyncBefore"): (
        "honoured",
        "accepted: every step is committed on its own, and a failure stops at the step",
    ),
    ("camunda", "asyncAfter"): (
        "honoured",
        "accepted: every step is committed on its own, and a failure stops at the step",
    ),
    ("camunda", "async"): ("honoured", "accepted: every step is committed on its own"),
    ("camunda", "exclusive"): ("honoured", "accepted: one instance runs one step at a time"),
    ("camunda", "jobPriority"): ("ignored", "Flowdesk's workers take steps in order"),
    ("camunda", "taskPriority"): ("ignored", "Flowdesk's workers take steps in order"),
    ("camunda", "priority"): ("ignored", "user steps have no priority"),
    ("camunda", "failedJobRetryTimeCycle"): (
        "ignored",
        "a failed step stops in Error and an administrator retries it",
    ),
    ("camunda", "collection"): ("honoured", "the multi-instance collection"),
    ("camunda", "elementVariable"): ("honoured", "the multi-instance item variable"),
    ("camunda", "in"): ("honoured", "variables passed to the called process"),
    ("camunda", "out"): ("honoured", "variables passed back from the called process"),
    ("camunda", "calledElementBinding"): ("ignored", "the latest active version is called"),
    ("camunda", "calledElementVersion"): ("ignored", "the latest active version is called"),
    ("camunda", "calledElementVersionTag"): ("ignored", "the latest active version is called"),
    ("camunda", "calledElementTenantId"): ("ignored", "Flowdesk has no tenants"),
    ("camunda", "variableMappingClass"): ("ignored", "Java classes do not run in Flowdesk"),
    ("camunda", "variableMappingDelegateExpression"): (
        "ignored",
        "Java beans do not run in Flowdesk",
    ),
    ("camunda", "formKey"): ("mapped", "kept and shown on the step's page"),
    ("camunda", "formRef"): ("mapped", "kept and shown on the step's page"),
    ("camunda", "formRefBinding"): ("ignored", "the form reference is only shown"),
    ("camunda", "formRefVersion"): ("ignored", "the form reference is only shown"),
    ("camunda", "dueDate"): ("mapped", "kept and shown on the step; not enforced"),
    ("camunda", "followUpDate"): ("mapped", "kept and shown on the step; not enforced"),
    ("camunda", "assignee"): ("mapped", "the step's owner (a username or an expression)"),
    ("camunda", "candidateUsers"): ("mapped", "the first candidate user owns the step"),
    ("camunda", "candidateGroups"): ("mapped", "the first candidate group is the owner role"),
    ("camunda", "formData"): ("mapped", "auto-generated page fields"),
    ("camunda", "initiator"): ("ignored", "the starter is the instance's started-by user"),
    ("camunda", "versionTag"): ("ignored", "Flowdesk numbers versions itself"),
    ("camunda", "historyTimeToLive"): ("ignored", "the Process log keeps every instance"),
    ("camunda", "isStartableInTasklist"): ("ignored", "start rights are Flowdesk's roles"),
    ("camunda", "candidateStarterGroups"): ("ignored", "start rights are Flowdesk's roles"),
    ("camunda", "candidateStarterUsers"): ("ignored", "start rights are Flowdesk's roles"),
    ("camunda", "potentialStarter"): ("ignored", "start rights are Flowdesk's roles"),
    ("camunda", "properties"): ("mapped", "kept with the element"),
    ("camunda", "errorCodeVariable"): ("ignored", "the error's payload is its variable"),
    ("camunda", "errorMessageVariable"): ("ignored", "the error's payload is its variable"),
    ("camunda", "variableName"): ("ignored", "conditions are re-evaluated on every change"),
    ("camunda", "variableEvents"): ("ignored", "conditions are re-evaluated on every change"),
    ("camunda", "expression"): ("honoured", "the message payload expression"),
    ("camunda", "executionListener"): ("bound", "runs the action registered under its name"),
    ("camunda", "taskListener"): ("bound", "runs the action registered under its name"),
    ("camunda", "resource"): (
        "bound",
        "an external script: runs the action registered as process-id.task-id",
    ),
    ("camunda", "formProperty"): ("ignored", "the old form properties; use formData"),
    ("camunda", "field"): ("mapped", "passed to the bound action as a parameter"),
    ("camunda", "inputOutput"): (
        "mapped",
        "input parameters are passed to the bound action; output parameters are ignored",
    ),
    ("camunda", "topic"): ("mapped", "the external-task topic the step waits on"),
    ("camunda", "type"): ("mapped", "the step waits for an external worker"),
    ("camunda", "connector"): ("bound", "runs the action registered under the connector id"),
    ("camunda", "errorEventDefinition"): ("ignored", "external-task error mapping"),
    ("zeebe", "taskDefinition"): ("mapped", "its type is the external-task topic"),
    ("zeebe", "taskHeaders"): ("mapped", "kept with the element for the external worker"),
    ("zeebe", "ioMapping"): ("ignored", "Zeebe input/output mappings are not applied"),
    ("zeebe", "calledElement"): ("honoured", "the process called"),
    ("zeebe", "calledDecision"): ("honoured", "the deployed decision is evaluated"),
    ("zeebe", "assignmentDefinition"): ("mapped", "the step's owner / owner role"),
    ("zeebe", "userTask"): ("honoured", "accepted: every user task is a Flowdesk user step"),
    ("zeebe", "formDefinition"): ("mapped", "its form key is kept and shown"),
    ("zeebe", "properties"): ("mapped", "kept with the element"),
    ("zeebe", "subscription"): ("ignored", "message correlation keys are read elsewhere"),
    ("spiffworkflow", "preScript"): ("honoured", "run (safe Python) before the task starts"),
    ("spiffworkflow", "postScript"): ("honoured", "run (safe Python) as the task completes"),
    ("spiffworkflow", "instructionsForEndUser"): ("mapped", "the step's hint"),
    ("spiffworkflow", "properties"): ("mapped", "kept with the element"),
    ("spiffworkflow", "serviceTaskOperator"): ("bound", "runs the registered action of its id"),
    ("spiffworkflow", "calledDecisionId"): ("honoured", "the deployed decision is evaluated"),
    ("spiffworkflow", "messagePayload"): ("honoured", "the message payload"),
    ("spiffworkflow", "messageVariable"): ("honoured", "the message payload's variable"),
    ("spiffworkflow", "payloadExpression"): ("honoured", "the message payload"),
    ("spiffworkflow", "variableName"): ("honoured", "the payload's variable"),
    ("spiffworkflow", "unitTests"): ("ignored", "SpiffArena's editor tests do not run"),
    ("spiffworkflow", "allowGuest"): ("ignored", "guests use the customer portal"),
    ("spiffworkflow", "guestConfirmation"): ("ignored", "guests use the customer portal"),
}


@dataclass
class VendorReading:
    """What `read_vendor` found on one element."""

    implementation: str = ""
    binding: str = ""
    topic: str = ""
    pre_script: str = ""
    post_script: str = ""
    params: list[tuple[str, str]] = field(default_factory=list)
    # (event, implementation, name or source, script language or None for an expression)
    listeners: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    ext: dict[str, str] = field(default_factory=dict)
    notes: list[VendorNote] = field(default_factory=list)


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _text(node: XmlElement | None) -> str:
    return "" if node is None else (node.text or "").strip()


def plain_binding(text: str) -> str:
    """The name a vendor implementation is bound by: `${myDelegate}` -> 'myDelegate',
    a Java class name as it is."""
    text = text.strip()
    if text.startswith(("${", "#{")) and text.endswith("}"):
        text = text[2:-1].strip()
    return text


def _field_safe(text: str) -> str:
    """Auto-page field definitions are 'name:kind:Label' lists: keep separators out."""
    return " ".join(text.replace(":", " ").replace(",", " ").replace(";", " ").split())


def read_vendor(node: XmlElement, element_id: str, kind: str) -> VendorReading:
    """Read one element's Camunda / Zeebe / Spiff extensions (see the module doc)."""
    found = VendorReading()

    def note(extension: str, value: str = "", treatment: str = "", reason: str = "") -> None:
        prefix, _, local = extension.partition(":")
        fixed = _FIXED.get((prefix, local), ("ignored", "Flowdesk does not read it"))
        found.notes.append(
            VendorNote(
                element_id=element_id,
                kind=kind,
                extension=extension,
                value=value[:200],
                treatment=treatment or fixed[0],
                reason=reason or fixed[1],
            )
        )

    # -- attributes
    for key, value in node.attrib.items():
        ns, local = _local(key)
        prefix = _PREFIX.get(ns)
        if prefix is None:
            continue
        if prefix == "camunda" and local in _IMPLEMENTATIONS:
            if kind in IMPLEMENTED_KINDS:
                found.implementation = f"camunda:{local}"
                found.binding = plain_binding(value)
                note(
                    f"camunda:{local}",
                    value,
                    "bound",
                    "runs the action registered under this name"
                    + (", else Flowdesk evaluates the expression" if local == "expression" else ""),
                )
            elif local == "expression" and kind.endswith("EventDefinition"):
                note("camunda:expression", value)
            else:
                note(f"camunda:{local}", value, "ignored", "Java code does not run in Flowdesk")
            continue
        if prefix == "camunda" and local == "type":
            if value.strip() == "external":
                found.implementation = "camunda:type=external"
                found.topic = node.get(Q_CAMUNDA + "topic", "").strip()
                note("camunda:type", value)
            else:
                note(
                    "camunda:type",
                    value,
                    "bound",
                    "runs the action registered under this type name",
                )
                found.implementation = f"camunda:type={value}"
                found.binding = value.strip()
            continue
        note(f"{prefix}:{local}", value)
    if found.implementation == "camunda:type=external" and not found.topic:
        found.binding = ""

    # -- Camunda user-step attributes onto flowdesk: ones (flowdesk: wins when both)
    assignee = node.get(Q_CAMUNDA + "assignee", "").strip()
    users = [u.strip() for u in node.get(Q_CAMUNDA + "candidateUsers", "").split(",") if u.strip()]
    groups = [
        g.strip() for g in node.get(Q_CAMUNDA + "candidateGroups", "").split(",") if g.strip()
    ]
    if assignee:
        found.ext["owner"] = assignee
    elif users:
        found.ext["owner"] = users[0]
    if groups:
        found.ext["ownerRole"] = groups[0]
    for key in ("formKey", "dueDate", "followUpDate"):
        if node.get(Q_CAMUNDA + key):
            found.ext[key] = node.get(Q_CAMUNDA + key, "").strip()

    # -- extension elements
    ext_node = node.find(Q_BPMN + "extensionElements")
    if ext_node is not None:
        for child in ext_node:
            if not isinstance(child.tag, str):
                continue
            ns, local = _local(child.tag)
            prefix = _PREFIX.get(ns)
            if prefix is None:
                continue
            _read_child(found, prefix, local, child, kind, note)
    return found


def _read_child(found: VendorReading, prefix: str, local: str, child, kind: str, note) -> None:
    name = f"{prefix}:{local}"
    if name == "camunda:field":
        value = child.get("stringValue") or _text(child.find(Q_CAMUNDA + "string"))
        expression = child.get("expression") or _text(child.find(Q_CAMUNDA + "expression"))
        if expression:
            found.params.append((child.get("name", ""), expression))
        else:
            found.params.append((child.get("name", ""), value or ""))
        note(name, child.get("name", ""))
    elif name in ("camunda:executionListener", "camunda:taskListener"):
        _read_listener(found, local, child, note)
    elif name == "camunda:inputOutput":
        for param in child.findall(Q_CAMUNDA + "inputParameter"):
            text = _text(param)
            if len(param):  # a list, map or script: not a plain value
                note(
                    name,
                    param.get("name", ""),
                    "ignored",
                    "only plain input parameters are passed",
                )
                continue
            found.params.append((param.get("name", ""), text))
        note(name, ", ".join(p.get("name", "") for p in child))
    elif name == "camunda:connector":
        connector = _text(child.find(Q_CAMUNDA + "connectorId"))
        if kind in IMPLEMENTED_KINDS and connector:
            found.implementation = "camunda:connector"
            found.binding = connector
        note(name, connector)
    elif name == "camunda:formData":
        fields = []
        for form_field in child.findall(Q_CAMUNDA + "formField"):
            field_id = form_field.get("id", "").strip()
            if not field_id.isidentifier():
                continue
            ftype = {
                "long": "number",
                "double": "number",
                "integer": "number",
                "date": "date",
                "boolean": "bool",
            }.get(form_field.get("type", "string"), "text")
            label = _field_safe(form_field.get("label") or "") or field_id
            required = any(
                c.get("name") == "required" for c in form_field.iter(Q_CAMUNDA + "constraint")
            )
            fields.append(f"{field_id}:{ftype}:{label}" + (":required" if required else ""))
        if fields:
            found.ext.setdefault("page", "auto")
            found.ext.setdefault("fields", "; ".join(fields))
        note(name, ", ".join(f.split(":")[0] for f in fields))
    elif name == "zeebe:taskDefinition":
        topic = (child.get("type") or "").strip()
        if kind in IMPLEMENTED_KINDS:
            found.implementation = "zeebe:taskDefinition"
            found.topic = topic
            found.binding = ""
        note(name, topic)
    elif name == "zeebe:assignmentDefinition":
        if child.get("assignee"):
            found.ext["owner"] = child.get("assignee", "").strip()
        groups = [g for g in (child.get("candidateGroups") or "").split(",") if g.strip()]
        if groups:
            found.ext["ownerRole"] = groups[0].strip()
        note(name, child.get("assignee") or child.get("candidateGroups") or "")
    elif name == "zeebe:formDefinition":
        key = child.get("formKey") or child.get("formId") or ""
        if key:
            found.ext["formKey"] = key
        note(name, key)
    elif name == "zeebe:taskHeaders":
        headers = {h.get("key", ""): h.get("value", "") for h in child.findall(Q_ZEEBE + "header")}
        if headers:
            found.ext["taskHeaders"] = json.dumps(headers)
        note(name, ", ".join(headers))
    elif name in ("spiffworkflow:preScript", "spiffworkflow:postScript"):
        script = (child.text or "").strip("\n")
        if script.strip():
            if local == "preScript":
                found.pre_script = script
            else:
                found.post_script = script
        note(name, script.strip()[:80])
    elif name == "spiffworkflow:instructionsForEndUser":
        if _text(child):
            found.ext.setdefault("hint", _text(child))
        note(name, _text(child)[:80])
    elif name in ("camunda:properties", "zeebe:properties", "spiffworkflow:properties"):
        for prop in child:
            key = (prop.get("name") or "").strip()
            if key and f"property.{key}" not in found.ext:
                found.ext[f"property.{key}"] = prop.get("value", "")
        note(name, ", ".join(p.get("name", "") for p in child))
    elif name == "spiffworkflow:serviceTaskOperator":
        note(name, child.get("id", ""))
    elif name == "camunda:in" or name == "camunda:out":
        note(
            name,
            child.get("source") or child.get("variables") or child.get("sourceExpression") or "",
        )
    elif prefix == "spiffworkflow" and local in ("calledDecisionId",):
        note(name, _text(child))
    else:
        note(name, child.get("name") or child.get("id") or _text(child)[:80])


# Listener events Flowdesk runs: execution start/end, task create/complete.
_LISTENER_EVENTS = {
    ("executionListener", "start"): "start",
    ("executionListener", "end"): "end",
    ("taskListener", "create"): "start",
    ("taskListener", "complete"): "end",
}


def _read_listener(found: VendorReading, local: str, child, note) -> None:
    name = f"camunda:{local}"
    event = (child.get("event") or ("start" if local == "executionListener" else "create")).strip()
    runs_at = _LISTENER_EVENTS.get((local, event))
    script = child.find(Q_CAMUNDA + "script")
    for attr in ("class", "delegateExpression", "expression"):
        if child.get(attr):
            implementation, source, language = f"{name}:{attr}", child.get(attr, ""), None
            break
    else:
        if script is None:
            note(name, event, "ignored", "the listener names nothing to run")
            return
        implementation = f"{name}:script"
        source = "" if script.get("resource") else (script.text or "")
        language = (script.get("scriptFormat") or "").strip().lower() or "python"
    if runs_at is None:
        note(
            name,
            f"{event}: {source.strip()[:60]}",
            "ignored",
            f"Flowdesk runs listeners at start, end, create and complete, not at {event}",
        )
        return
    found.listeners.append((runs_at, implementation, source, language))
    note(
        name,
        f"{event}: {source.strip()[:60]}",
        "bound",
        "runs at " + event + " (an expression or Python script Flowdesk evaluates itself, "
        "else the action registered under its name)",
    )
