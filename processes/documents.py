"""Parsed process versions and what the persistence layer reads from them.

A version's BPMN is parsed once per process and kept (versions never
change); `resolver_for` gives the engine the graphs of that version's file,
falling back to the newest version of a called process.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from processes.engine import start_events
from processes.engine.bpmn import parse_bpmn
from processes.engine.expressions import compile_expression
from processes.engine.graph import USER_TASK_KINDS, Element, Event
from processes.engine.timers import TimerError, parse_timer

_lock = threading.Lock()


@lru_cache(maxsize=512)
def _document(version_id: int, checksum: str):
    from processes.models import ProcessDefinition, ProcessVersion

    version = ProcessVersion.objects.only("bpmn_xml").get(pk=version_id)
    # A call activity may name a process of another file: import checked it was deployed.
    known = ProcessDefinition.objects.values_list("code", flat=True)
    return parse_bpmn(version.bpmn_xml.encode(), known_processes=set(known))


def document_for(version):
    return _document(version.pk, version.checksum)


def resolver_for(version):
    """A function process_id -> ProcessGraph for instances of `version`."""
    graphs = {graph.id: graph for graph in document_for(version).processes}

    def resolve(process_id: str):
        graph = graphs.get(process_id)
        if graph is not None:
            return graph
        from processes.models import ProcessVersion

        newest = (
            ProcessVersion.objects.filter(definition__code=process_id)
            .order_by("-number")
            .only("pk", "checksum")
            .first()
        )
        if newest is None:
            raise KeyError(process_id)
        for graph in document_for(newest).processes:
            if graph.id == process_id:
                return graph
        raise KeyError(process_id)

    return resolve


def graph_for(version):
    return resolver_for(version)(version.definition.code)


def expression_functions(instance):
    from processes import registry

    return registry.functions()


def is_user_step(element: Element | None) -> bool:
    return element is not None and element.kind in USER_TASK_KINDS


def event_key(element: Element | None, step) -> str:
    """The key a waiting step is found by when a message or signal arrives."""
    if element is None:
        return ""
    data = step.data or {}
    if "message" in data:
        return f"message:{data['message']}"
    if "signal" in data:
        return f"signal:{data['signal']}"
    if isinstance(element, Event) and element.definition.kind in {"message", "signal"}:
        return f"{element.definition.kind}:{element.definition.name}"
    if element.kind == "receiveTask" and getattr(element, "message", ""):
        return f"message:{element.message}"
    return ""


def assign_owner(row, element: Element, instance) -> None:
    """Set a new user step's owner: flowdesk:owner (a username, or "role:Group name"),
    flowdesk:ownerRole (a group name), the lane's group, or else whoever started the
    instance.

    An owner or role written as an expression (FEEL "=assignee" or JUEL
    "${assignee}") is evaluated over the instance's variables plus `record`, the
    registered fields of the instance's connected record, so a step can go to
    whoever a variable or the record names (`=record.assignee` gives the user's
    id). An expression that fails or names nobody falls through to the next rule.
    """
    ext = element.ext or {}
    owner_text = (ext.get("owner") or "").strip()
    role_text = (ext.get("ownerRole") or "").strip()
    scope = expression_scope(instance) if _is_expression(owner_text + role_text) else None
    owner = _owner_value(owner_text, instance, scope)
    role = _owner_value(role_text, instance, scope)
    if owner.lower().startswith("role:"):
        role = role or owner[5:].strip()
        owner = ""
    User = get_user_model()
    if owner:
        if owner.isdigit():
            row.owner = User.objects.filter(pk=int(owner), is_active=True).first()
        else:
            row.owner = User.objects.filter(username=owner).first()
    if role:
        row.owner_role = Group.objects.filter(name=role).first()
    if row.owner is None and row.owner_role is None and element.lane:
        row.owner_role = Group.objects.filter(name=element.lane).first()
    if row.owner is None and row.owner_role is None:
        row.owner_id = instance.started_by_id


def _is_expression(text: str) -> bool:
    return "=" in text[:1] or "${" in text


def expression_scope(instance) -> dict:
    """The instance's variables plus `record`: its connected record's registered fields."""
    scope = dict(instance.variables or {})
    if instance.record_type_id and instance.record_id and "record" not in scope:
        from processes import registry
        from processes.triggers import record_values

        model = instance.record_type.model_class()
        if model is not None and registry.is_registered(model):
            record = model._default_manager.filter(pk=instance.record_id).first()
            if record is not None:
                scope["record"] = record_values(record)
    return scope


def _owner_value(text: str, instance, scope=None) -> str:
    """A username or group name as written, or the value of an owner expression."""
    if not (text.startswith("=") or text.startswith("${")):
        return text
    from processes.engine.expressions import ExpressionError

    try:
        value = compile_expression(text).evaluate(
            scope if scope is not None else instance.variables, expression_functions(instance)
        )
    except ExpressionError:
        return ""
    if isinstance(value, bool) or value in (None, ""):
        return ""
    return str(value).strip()


def element_of(step):
    """The BPMN element a step row visits (None if the version no longer has it)."""
    instance = step.instance
    try:
        graph = resolver_for(instance.version)(instance.definition.code)
    except KeyError:
        return None
    return graph.elements.get(step.element_id)


# -- start events found across active processes ------------------------------

# Start events of active processes, per kind, with the library stamp they were read at.
_trigger_cache: dict[str, tuple[tuple, list]] = {}


def forget_triggers() -> None:
    with _lock:
        _trigger_cache.clear()


def _library_stamp() -> tuple:
    """Changes whenever any process is imported, activated or deactivated, in any
    process of the deployment (web or worker), so no cache outlives a change."""
    from django.db.models import Max

    from processes.models import ProcessDefinition, ProcessVersion

    return (
        ProcessDefinition.objects.aggregate(m=Max("modified_at"))["m"],
        ProcessVersion.objects.aggregate(v=Max("pk"))["v"],
    )


def _cached(key: str):
    """(stamp, found list or None) for a trigger cache key."""
    stamp = _library_stamp()
    with _lock:
        entry = _trigger_cache.get(key)
    if entry is not None and entry[0] == stamp:
        return stamp, entry[1]
    return stamp, None


def _remember(key: str, stamp: tuple, found: list) -> list:
    with _lock:
        _trigger_cache[key] = (stamp, found)
    return found


def _starts(kind: str):
    stamp, cached = _cached(kind)
    if cached is not None:
        return cached
    from processes.models import ProcessDefinition

    found = []
    for definition in ProcessDefinition.objects.filter(is_active=True):
        version = definition.versions.order_by("-number").first()
        if version is None:
            continue
        try:
            graph = graph_for(version)
        except KeyError:
            continue
        for start in start_events(graph):
            if start.kind == kind:
                found.append((definition, start))
    return _remember(kind, stamp, found)


def message_starts(name: str):
    return [(d, s.element_id) for d, s in _starts("message") if s.message == name]


def signal_starts(name: str):
    return [(d, s.element_id) for d, s in _starts("signal") if s.signal == name]


@dataclass(frozen=True)
class RecordStart:
    element_id: str
    filter: object  # a compiled expression, or None


def record_starts(model_label: str, trigger: str):
    """(definition, RecordStart) for active processes started by this model's change."""
    found = []
    for definition, start in _starts("record"):
        if start.model.lower() == model_label.lower() and start.trigger == trigger:
            condition = compile_expression(start.filter) if start.filter else None
            found.append((definition, RecordStart(start.element_id, condition)))
    return found


def timer_starts(graph):
    """(element_id, TimerSpec) for each timer start event of a process."""
    found = []
    for start in start_events(graph):
        if start.kind == "timer" and start.timer_value:
            try:
                found.append((start.element_id, parse_timer(start.timer_kind, start.timer_value)))
            except TimerError:
                continue
    return found


def timer_start_spec(version, element_id: str):
    for found_id, spec in timer_starts(graph_for(version)):
        if found_id == element_id:
            return spec
    return None


def runnable_for(model_label: str):
    """Active processes a user may run from a record of this model: those whose
    plain start event names the model (flowdesk:model without flowdesk:trigger)."""
    key = f"run:{model_label.lower()}"
    stamp, cached = _cached(key)
    if cached is not None:
        return cached
    from processes.models import ProcessDefinition

    found = []
    for definition in ProcessDefinition.objects.filter(is_active=True, is_system=False):
        version = definition.versions.order_by("-number").only("pk", "checksum").first()
        if version is None:
            continue
        try:
            graph = resolver_for(version)(definition.code)
        except KeyError:
            continue
        for element_id in graph.start_events:
            ext = graph.elements[element_id].ext or {}
            if ext.get("model", "").lower() == model_label.lower() and not ext.get("trigger"):
                found.append(definition)
                break
    return _remember(key, stamp, found)
