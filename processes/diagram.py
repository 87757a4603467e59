"""The process diagram: the BPMN that bpmn-js draws, with a generated left-to-right
layout for any process its file did not lay out, and the states that colour it."""

from __future__ import annotations

import re

from processes import documents

_SIZES = {"event": (36, 36), "gateway": (50, 50), "task": (110, 80)}


def _family(kind: str) -> str:
    if kind.endswith("Event"):
        return "event"
    if kind.endswith("Gateway"):
        return "gateway"
    return "task"


def diagram_xml(version) -> str:
    """The version's BPMN, with a generated layout for any process the file did not lay out.

    Files from a modeller carry their own diagram interchange (DI); hand-written
    files often do not, and bpmn-js draws nothing without it.
    """
    xml = version.bpmn_xml
    try:
        document = documents.document_for(version)
    except Exception:  # noqa: BLE001 - the stored XML imported once; show it as it is
        return xml
    laid_out = set(re.findall(r'BPMNPlane[^>]*bpmnElement="([^"]+)"', xml))
    extra = [_layout(graph) for graph in document.processes if graph.id not in laid_out]
    if not extra:
        return xml
    match = re.search(r"</([A-Za-z_][\w.-]*:)?definitions>\s*$", xml)
    if match is None:
        return xml
    return xml[: match.start()] + "".join(extra) + xml[match.start() :]


def _layout(graph) -> str:
    elements = {
        element_id: element
        for element_id, element in graph.elements.items()
        if element.scope is None and element.kind != "boundaryEvent"
    }
    flows = [
        flow for flow in graph.flows.values() if flow.source in elements and flow.target in elements
    ]
    outgoing: dict[str, list[str]] = {element_id: [] for element_id in elements}
    for flow in flows:
        outgoing[flow.source].append(flow.target)
    rank: dict[str, int] = {}
    starts = (
        [e for e in graph.start_events if e in elements]
        or [e for e in elements if not any(f.target == e for f in flows)]
        or list(elements)[:1]
    )
    # Longest path from the starts, ignoring back edges (loops).
    on_path: set[str] = set()

    def visit(element_id: str, depth: int) -> None:
        if element_id in on_path or rank.get(element_id, -1) >= depth:
            return
        rank[element_id] = depth
        on_path.add(element_id)
        for target in outgoing[element_id]:
            visit(target, depth + 1)
        on_path.discard(element_id)

    for start in starts:
        visit(start, 0)
    next_rank = max(rank.values(), default=-1) + 1
    for element_id in elements:
        if element_id not in rank:
            rank[element_id] = next_rank
    rows: dict[int, int] = {}
    bounds: dict[str, tuple[int, int, int, int]] = {}
    for element_id in elements:
        column = rank[element_id]
        row = rows.get(column, 0)
        rows[column] = row + 1
        width, height = _SIZES[_family(elements[element_id].kind)]
        center_x = 80 + column * 170
        center_y = 120 + row * 130
        bounds[element_id] = (center_x - width // 2, center_y - height // 2, width, height)

    parts = [
        f'<bpmndi:BPMNDiagram xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        f'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        f'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" id="auto_diagram_{graph.id}">'
        f'<bpmndi:BPMNPlane id="auto_plane_{graph.id}" bpmnElement="{graph.id}">'
    ]
    for element_id, (x, y, width, height) in bounds.items():
        expanded = ' isExpanded="false"' if elements[element_id].kind == "subProcess" else ""
        marker = (
            ' isMarkerVisible="true"' if elements[element_id].kind == "exclusiveGateway" else ""
        )
        parts.append(
            f'<bpmndi:BPMNShape id="auto_{element_id}_di" bpmnElement="{element_id}"'
            f"{expanded}{marker}>"
            f'<dc:Bounds x="{x}" y="{y}" width="{width}" height="{height}"/>'
            f"</bpmndi:BPMNShape>"
        )
    for element_id, element in graph.elements.items():
        host = getattr(element, "attached_to", None)
        if element.kind != "boundaryEvent" or host not in bounds:
            continue
        x, y, width, height = bounds[host]
        parts.append(
            f'<bpmndi:BPMNShape id="auto_{element_id}_di" bpmnElement="{element_id}">'
            f'<dc:Bounds x="{x + width - 30}" y="{y + height - 18}" width="36" height="36"/>'
            f"</bpmndi:BPMNShape>"
        )
        bounds[element_id] = (x + width - 30, y + height - 18, 36, 36)
    for flow in graph.flows.values():
        if flow.source not in bounds or flow.target not in bounds:
            continue
        sx, sy, sw, sh = bounds[flow.source]
        tx, ty, tw, th = bounds[flow.target]
        start = (sx + sw, sy + sh // 2)
        end = (tx, ty + th // 2)
        if graph.elements[flow.source].kind == "boundaryEvent":
            start = (sx + sw // 2, sy + sh)
            points = [start, (start[0], end[1]), end]
        elif start[1] == end[1]:
            points = [start, end]
        else:
            middle = start[0] + max(20, (end[0] - start[0]) // 2)
            points = [start, (middle, start[1]), (middle, end[1]), end]
        waypoints = "".join(f'<di:waypoint x="{x}" y="{y}"/>' for x, y in points)
        parts.append(
            f'<bpmndi:BPMNEdge id="auto_{flow.id}_di" bpmnElement="{flow.id}">{waypoints}'
            f"</bpmndi:BPMNEdge>"
        )
    parts.append("</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>")
    return "".join(parts)


def element_states(steps) -> dict[str, str]:
    """element id -> active | error | completed, for highlighting the diagram.

    An element's open step wins over its finished visits, and an error over all.
    """
    rank = {"completed": 1, "canceled": 1, "active": 2, "waiting": 2, "error": 3}
    label = {
        "completed": "completed",
        "canceled": "completed",
        "active": "active",
        "waiting": "active",
        "error": "error",
    }
    states: dict[str, str] = {}
    best: dict[str, int] = {}
    for step in steps:
        level = rank.get(step.status, 0)
        if level > best.get(step.element_id, 0):
            best[step.element_id] = level
            states[step.element_id] = label[step.status]
    return states
