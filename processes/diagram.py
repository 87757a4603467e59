"""The process diagram: the BPMN that bpmn-js draws (laid out in the browser by
bpmn-auto-layout when the file has no layout) and the states that colour it."""

from __future__ import annotations


def diagram_xml(version) -> str:
    """The version's BPMN as it was imported.

    Files from a modeller carry their own diagram interchange (DI); hand-written
    files often do not, and the browser lays those out with bpmn-auto-layout
    (static/js/process-diagram.js) before bpmn-js draws them.
    """
    return version.bpmn_xml


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
