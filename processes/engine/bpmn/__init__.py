"""BPMN 2.0 import (`parse`) and export (`export`).

`parse_bpmn` turns a file into immutable `ProcessGraph`s and refuses the whole
file, naming the element, when anything in it cannot run. `export_bpmn` writes
the original document back (diagram included) with our `flowdesk:` attributes
taken from the graphs, so import -> export -> import is lossless. What both
share is in `namespaces` and `document`.
"""

from __future__ import annotations

from .document import BpmnDocument, BpmnImportError, NamedRef
from .export import export_bpmn
from .namespaces import BPMN_NS, CAMUNDA_NS, FLOWDESK_NS, SPIFF_NS, XSI_NS
from .parse import PAGE_KINDS, RECORD_TRIGGERS, list_process_ids, parse_bpmn, timer_is_expression

__all__ = [
    "BPMN_NS",
    "CAMUNDA_NS",
    "FLOWDESK_NS",
    "PAGE_KINDS",
    "RECORD_TRIGGERS",
    "SPIFF_NS",
    "XSI_NS",
    "BpmnDocument",
    "BpmnImportError",
    "NamedRef",
    "export_bpmn",
    "list_process_ids",
    "parse_bpmn",
    "timer_is_expression",
]
