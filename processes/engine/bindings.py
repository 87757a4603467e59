"""Which service, send and business-rule tasks of a process have nothing to run.

A task is bound when it names a decision, an external-task topic, a Flowdesk
action (flowdesk:action, a SpiffWorkflow operator) that is registered, or a
vendor implementation (camunda:class, camunda:delegateExpression,
camunda:expression, a connector; a script task's Groovy or JavaScript script,
by `process-id.task-id`) whose name a registered action carries. A send task
without an implementation sends its message. Anything else would run
as a silent no-op, so a process with an unbound task imports but cannot be
activated; `unbound_tasks` lists what is missing. Camunda listeners Flowdesk
cannot evaluate itself are bound the same way, by their class or bean name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .actions import is_registered
from .graph import ProcessGraph, Task

IMPLEMENTED_KINDS = frozenset({"serviceTask", "sendTask", "businessRuleTask"})


@dataclass(frozen=True, slots=True)
class Unbound:
    """A task (or a listener) with nothing to run: which element, and which
    implementation it names."""

    element_id: str
    kind: str
    name: str
    implementation: str
    binding: str = ""

    def describe(self) -> str:
        """'serviceTask 'charge' (Charge card): camunda:class=com.acme.Charge'."""
        label = f" ({self.name})" if self.name else ""
        what = self.implementation + (f"={self.binding}" if self.binding else "")
        return f"{self.kind} {self.element_id!r}{label}: {what}"


def unbound_tasks(
    graph: ProcessGraph, actions: Mapping[str, Callable] | None = None
) -> list[Unbound]:
    """The process's tasks that have nothing to run, in document order."""

    def registered(name: str) -> bool:
        return (actions is not None and name in actions) or is_registered(name)

    found = []
    for element in graph.elements.values():
        for listener in element.listeners:
            if listener.code is None and not registered(listener.binding):
                found.append(
                    Unbound(
                        element.id,
                        element.kind,
                        element.name,
                        f"{listener.implementation} at {listener.event}",
                        listener.binding,
                    )
                )
        if not isinstance(element, Task):
            continue
        if element.kind not in IMPLEMENTED_KINDS and not element.binding:
            continue
        missing = _missing(element, registered)
        if missing is not None:
            implementation, binding = missing
            found.append(Unbound(element.id, element.kind, element.name, implementation, binding))
    return found


def _missing(element: Task, registered: Callable[[str], bool]) -> tuple[str, str] | None:
    if element.ext.get("decision"):
        return None
    if element.action:
        return None if registered(element.action) else ("flowdesk:action", element.action)
    if element.operator is not None:
        name = element.operator.name
        return None if registered(name) else ("spiffworkflow:serviceTaskOperator", name)
    if element.topic:
        return None
    if element.expression is not None:
        return None
    if element.binding:
        return None if registered(element.binding) else (element.implementation, element.binding)
    if element.implementation:
        # camunda:type="external" without a topic
        return (element.implementation, "no topic")
    if element.kind == "sendTask":
        return None
    if element.kind == "businessRuleTask":
        return ("no decision or implementation", "")
    return ("no implementation", "")
