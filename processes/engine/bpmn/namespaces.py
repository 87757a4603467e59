"""The XML namespaces Flowdesk reads and writes in BPMN files."""

from __future__ import annotations

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
FLOWDESK_NS = "https://flowdesk.dev/bpmn"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# "{namespace}" prefixes of qualified tag and attribute names, as ElementTree writes them.

Q_BPMN = f"{{{BPMN_NS}}}"
Q_FLOWDESK = f"{{{FLOWDESK_NS}}}"
Q_CAMUNDA = f"{{{CAMUNDA_NS}}}"
Q_SPIFF = f"{{{SPIFF_NS}}}"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
Q_ZEEBE = f"{{{ZEEBE_NS}}}"
