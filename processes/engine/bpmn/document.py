"""What a parsed BPMN file is, and the error that refuses one."""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.etree.ElementTree import Element as XmlElement

from ..graph import Code, ProcessGraph


class BpmnImportError(ValueError):
    """A BPMN file we refuse, with the element at fault."""

    def __init__(self, element_id: str | None, message: str, *, kind: str = ""):
        self.element_id = element_id
        self.kind = kind
        self.message = message
        if element_id:
            where = f"Element '{element_id}'" + (f" ({kind})" if kind else "")
            text = f"{where}: {message}"
        else:
            text = message
        super().__init__(text)


@dataclass(frozen=True, slots=True, kw_only=True)
class NamedRef:
    """A `bpmn:message`, `bpmn:signal` or `bpmn:error` declared in the file."""

    id: str
    name: str
    code: str = ""
    payload: Code | None = None
    variable: str = ""


@dataclass(kw_only=True)
class BpmnDocument:
    """A parsed BPMN file: its executable processes, declared refs and original XML."""

    processes: list[ProcessGraph]
    messages: dict[str, NamedRef] = field(default_factory=dict)
    signals: dict[str, NamedRef] = field(default_factory=dict)
    errors: dict[str, NamedRef] = field(default_factory=dict)
    # collaboration id -> process ids of its pools, in document order
    collaborations: dict[str, tuple[str, ...]] = field(default_factory=dict)
    xml: str = ""
    namespaces: dict[str, str] = field(default_factory=dict, repr=False)
    root: XmlElement | None = field(default=None, repr=False, compare=False)

    def process(self, process_id: str) -> ProcessGraph:
        """The process graph with this id (KeyError when the file has none)."""
        for graph in self.processes:
            if graph.id == process_id:
                return graph
        raise KeyError(process_id)
