"""Start events of active processes (message, signal, record, timer, "Run process"), cached.

Each list is kept with the library stamp it was read at and read again when
any process is imported, activated or deactivated, in any process of the
deployment (web or worker), so no cache outlives a change.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from django.db.models import Max

from processes import documents
from processes.engine import start_events
from processes.engine.expressions import compile_expression
from processes.engine.timers import TimerError, parse_timer
from processes.models import ProcessDefinition, ProcessVersion

_lock = threading.Lock()

# Start events of active processes, per kind, with the library stamp they were read at.
_cache: dict[str, tuple[tuple, list]] = {}


def forget() -> None:
    """Drop every cached list (after an import or an activation in this process)."""
    with _lock:
        _cache.clear()


def _library_stamp() -> tuple:
    """Changes whenever any process is imported, activated or deactivated."""
    return (
        ProcessDefinition.objects.aggregate(m=Max("modified_at"))["m"],
        ProcessVersion.objects.aggregate(v=Max("pk"))["v"],
    )


def _cached(key: str):
    """(stamp, found list or None) for a cache key."""
    stamp = _library_stamp()
    with _lock:
        entry = _cache.get(key)
    if entry is not None and entry[0] == stamp:
        return stamp, entry[1]
    return stamp, None


def _remember(key: str, stamp: tuple, found: list) -> list:
    with _lock:
        _cache[key] = (stamp, found)
    return found


def _starts(kind: str):
    stamp, cached = _cached(kind)
    if cached is not None:
        return cached
    found = []
    for definition in ProcessDefinition.objects.filter(is_active=True):
        version = definition.versions.order_by("-number").first()
        if version is None:
            continue
        try:
            graph = documents.graph_for(version)
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
    for found_id, spec in timer_starts(documents.graph_for(version)):
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
    found = []
    for definition in ProcessDefinition.objects.filter(is_active=True, is_system=False):
        version = definition.versions.order_by("-number").only("pk", "checksum").first()
        if version is None:
            continue
        try:
            graph = documents.resolver_for(version)(definition.code)
        except KeyError:
            continue
        for element_id in graph.start_events:
            ext = graph.elements[element_id].ext or {}
            if ext.get("model", "").lower() == model_label.lower() and not ext.get("trigger"):
                found.append(definition)
                break
    return _remember(key, stamp, found)
