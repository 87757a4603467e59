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

import datetime as dt
import json
from dataclasses import dataclass, field
from urllib.parse import quote
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
    ("camunda", "formData"): (
        "mapped",
        "auto-generated page fields with their types, labels, defaults, values and constraints",
    ),
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
    ("zeebe", "ioMapping"): (
        "honoured",
        "inputs are the step's local variables as it starts; outputs are written to the "
        "enclosing scope as it completes",
    ),
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
    # Zeebe ioMapping: (target, source) pairs, in the model's order.
    io_inputs: list[tuple[str, str]] = field(default_factory=list)
    io_outputs: list[tuple[str, str]] = field(default_factory=list)
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


def auto_field_text(name: str, kind: str, label: str, *, flags=(), options=None) -> str:
    """One field of an auto page's definition (flowdesk:fields), as
    processes.user_steps.forms.parse_auto_fields reads it: `name:kind:Label`, then
    flags (`required`, `readonly`) and `key=value` options, values percent-encoded,
    choices as `id=Label` pairs joined by `|`."""
    parts = [name, kind, _field_safe(label) or name, *flags]
    for key, value in (options or {}).items():
        if key == "choices":
            value = "|".join(f"{quote(i, safe='')}={quote(t, safe='')}" for i, t in value)
        else:
            value = quote(str(value), safe="")
        parts.append(f"{key}={value}")
    return ":".join(parts)


_FORM_KINDS = {
    "long": "number",
    "double": "number",
    "integer": "number",
    "date": "date",
    "boolean": "bool",
    "enum": "choice",
}
_CONSTRAINT_OPTIONS = ("minlength", "maxlength", "min", "max")


def _camunda_default(value: str, kind: str) -> str:
    """A formField defaultValue as the page's default: Camunda dates are dd/MM/yyyy."""
    if kind == "date" and "/" in value:
        try:
            return dt.datetime.strptime(value.strip(), "%d/%m/%Y").date().isoformat()
        except ValueError:
            return value
    return value


def _form_field(form_field) -> tuple[str, list[str]]:
    """One camunda:formField as an auto page field, with what of it was not honoured."""
    field_id = form_field.get("id", "").strip()
    kind = _FORM_KINDS.get(form_field.get("type", "string"), "text")
    label = form_field.get("label") or field_id
    flags, options, skipped = [], {}, []
    if kind == "choice":
        options["choices"] = [
            (v.get("id", ""), v.get("name") or v.get("id", ""))
            for v in form_field.findall(Q_CAMUNDA + "value")
            if v.get("id")
        ]
    default = form_field.get("defaultValue")
    if default is not None and default.strip():
        if default.strip().startswith(("${", "#{")):
            skipped.append(f"{field_id}: default {default.strip()} (an expression)")
        else:
            options["default"] = _camunda_default(default, kind)
    for constraint in form_field.iter(Q_CAMUNDA + "constraint"):
        name = (constraint.get("name") or "").strip()
        config = (constraint.get("config") or "").strip()
        if name == "required":
            flags.append("required")
        elif name == "readonly":
            flags.append("readonly")
        elif name in _CONSTRAINT_OPTIONS and config:
            applies = name.endswith("length") if kind == "text" else kind == "number"
            if applies and config.lstrip("-").replace(".", "", 1).isdigit():
                options[name] = config
            else:
                skipped.append(f"{field_id}: {name}={config}")
        elif name:
            skipped.append(f"{field_id}: {name}" + (f"={config}" if config else ""))
    return auto_field_text(field_id, kind, label, flags=flags, options=options), skipped


# JSON-schema forms (SpiffArena): the largest schema read, and its deepest nesting.
MAX_FORM_SCHEMA_BYTES = 256 * 1024
_SCHEMA_KINDS = {"integer": "number", "number": "number", "boolean": "bool", "string": "text"}


def _schema_form(schema_text: str, source: str) -> tuple[list[str], list[str]]:
    """A JSON-schema form's top-level properties as auto page fields, with what of it
    the page does not show (nested objects, arrays, unknown types)."""
    if len(schema_text) > MAX_FORM_SCHEMA_BYTES:
        raise ValueError(f"{source} is larger than {MAX_FORM_SCHEMA_BYTES // 1024} KB")
    try:
        schema = json.loads(schema_text)
    except (ValueError, RecursionError) as exc:
        raise ValueError(f"{source} is not JSON: {exc}") from None
    properties = schema.get("properties") if isinstance(schema, dict) else None
    if not isinstance(properties, dict):
        raise ValueError(f"{source} has no properties to show as fields")
    required = (
        set(schema.get("required") or ()) if isinstance(schema.get("required"), list) else set()
    )
    fields, skipped = [], []
    for name, prop in properties.items():
        if not isinstance(prop, dict) or not str(name).isidentifier():
            skipped.append(f"{name}: not a variable name or not a field")
            continue
        kind = _SCHEMA_KINDS.get(prop.get("type"))
        options: dict = {}
        choices = _schema_choices(prop)
        if choices:
            kind, options["choices"] = "choice", choices
        elif kind == "text" and prop.get("format") == "date":
            kind = "date"
        if kind is None:
            skipped.append(f"{name}: {prop.get('type') or 'no'} type")
            continue
        flags = ["required"] if name in required else []
        if prop.get("readOnly"):
            flags.append("readonly")
        for key, option in (
            ("minLength", "minlength"),
            ("maxLength", "maxlength"),
            ("minimum", "min"),
            ("maximum", "max"),
        ):
            value = prop.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                options[option] = value
        default = prop.get("default")
        if isinstance(default, bool):
            options["default"] = "true" if default else "false"
        elif isinstance(default, str | int | float):
            options["default"] = default
        label = str(prop.get("title") or name)
        fields.append(auto_field_text(name, kind, label, flags=flags, options=options))
    return fields, skipped


def _schema_choices(prop: dict) -> list[tuple[str, str]]:
    """enum (+ enumNames) or oneOf [{const, title}] as (value, label) pairs."""
    if isinstance(prop.get("enum"), list):
        names = prop.get("enumNames") if isinstance(prop.get("enumNames"), list) else []
        return [
            (str(v), str(names[i]) if i < len(names) else str(v))
            for i, v in enumerate(prop["enum"])
        ]
    if isinstance(prop.get("oneOf"), list):
        return [
            (str(o["const"]), str(o.get("title") or o["const"]))
            for o in prop["oneOf"]
            if isinstance(o, dict) and "const" in o
        ]
    return []


def _read_schema_form(found: VendorReading, kind: str, form_schemas, note) -> None:
    """A SpiffArena user task's JSON-schema form: embedded (the property
    formJsonSchema holds the schema) or deployed beside the model (`form_schemas`,
    file name -> text); mapped onto auto page fields, or reported when absent."""
    filename = found.ext.get("property.formJsonSchemaFilename", "").strip()
    inline = found.ext.get("property.formJsonSchema", "").strip()
    if not (filename or inline) or kind not in ("userTask", "manualTask"):
        return
    text = inline
    if not text and form_schemas is not None:
        text = form_schemas.get(filename) or ""
    if not text:
        note(
            "spiffworkflow:formJsonSchemaFilename",
            filename,
            "ignored",
            f"the JSON-schema form {filename} was not deployed with the model, so the step "
            "shows the plain task page without its fields (put the schema beside the model "
            "or embed it in the property formJsonSchema)",
        )
        return
    try:
        fields, skipped = _schema_form(text, filename or "the embedded formJsonSchema")
    except ValueError as exc:
        note("spiffworkflow:formJsonSchemaFilename", filename, "ignored", str(exc))
        return
    if fields:
        found.ext.setdefault("page", "auto")
        found.ext.setdefault("fields", "; ".join(fields))
    note(
        "spiffworkflow:formJsonSchemaFilename",
        ", ".join(f.split(":")[0] for f in fields),
        "mapped",
        "the JSON-schema form's fields are the step's auto-generated page",
    )
    if skipped:
        note(
            "spiffworkflow:formJsonSchemaFilename",
            "; ".join(skipped),
            "ignored",
            "the page shows top-level text, number, date, yes/no and choice fields only",
        )


def read_vendor(
    node: XmlElement, element_id: str, kind: str, *, form_schemas=None
) -> VendorReading:
    """Read one element's Camunda / Zeebe / Spiff extensions (see the module doc).

    `form_schemas` (file name -> text) are the JSON-schema forms deployed beside the
    model, for SpiffArena user tasks that name one."""
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
    _read_schema_form(found, kind, form_schemas, note)
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
        fields, skipped = [], []
        for form_field in child.findall(Q_CAMUNDA + "formField"):
            if not form_field.get("id", "").strip().isidentifier():
                skipped.append(f"{form_field.get('id', '')}: not a variable name")
                continue
            text, left = _form_field(form_field)
            fields.append(text)
            skipped.extend(left)
        if fields:
            found.ext.setdefault("page", "auto")
            found.ext.setdefault("fields", "; ".join(fields))
        note(name, ", ".join(f.split(":")[0] for f in fields))
        if skipped:
            note(
                "camunda:formField",
                "; ".join(skipped),
                "ignored",
                "Flowdesk applies required, readonly, minlength, maxlength, min and max, "
                "and literal defaults; these are not applied",
            )
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
    elif name == "zeebe:ioMapping":
        for mapping in child:
            if not isinstance(mapping.tag, str):
                continue
            pair = ((mapping.get("target") or "").strip(), mapping.get("source") or "")
            if _local(mapping.tag)[1] == "input":
                found.io_inputs.append(pair)
            elif _local(mapping.tag)[1] == "output":
                found.io_outputs.append(pair)
        note(name, ", ".join(target for target, _source in found.io_inputs + found.io_outputs))
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
