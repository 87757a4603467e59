"""BPMN 2.0 export: the original document back, diagram included, with our
`flowdesk:` attributes taken from the graphs, so import -> export -> import is
lossless."""

from __future__ import annotations

import copy
from xml.etree.ElementTree import Element as XmlElement

from .document import BpmnDocument
from .namespaces import BPMN_NS, CAMUNDA_NS, FLOWDESK_NS, Q_FLOWDESK, SPIFF_NS, XSI_NS

_KNOWN_PREFIXES = {
    BPMN_NS: "bpmn",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi",
    "http://www.omg.org/spec/DD/20100524/DC": "dc",
    "http://www.omg.org/spec/DD/20100524/DI": "di",
    FLOWDESK_NS: "flowdesk",
    CAMUNDA_NS: "camunda",
    SPIFF_NS: "spiffworkflow",
    XSI_NS: "xsi",
}


def export_bpmn(document: BpmnDocument) -> str:
    """BPMN 2.0 XML for the document, with the `flowdesk:` attributes of its graphs."""
    if document.root is None:
        raise ValueError("This document was not parsed from XML and has no diagram to export.")
    root = copy.deepcopy(document.root)
    ext_by_id: dict[str, dict[str, str]] = {}
    for graph in document.processes:
        for element in graph.elements.values():
            ext_by_id[element.id] = element.ext
    for node in root.iter():
        element_id = node.get("id")
        if element_id is None or element_id not in ext_by_id:
            continue
        for key in [k for k in node.attrib if k.startswith(Q_FLOWDESK)]:
            del node.attrib[key]
        for key, value in ext_by_id[element_id].items():
            node.set(Q_FLOWDESK + key, value)
    return _Writer(document.namespaces).write(root)


class _Writer:
    """A small XML writer that keeps the file's own namespace prefixes."""

    def __init__(self, namespaces: dict[str, str]):
        self.prefix_of: dict[str, str] = {}
        self.declared: dict[str, str] = {}
        for prefix, uri in namespaces.items():
            if uri not in self.prefix_of or (self.prefix_of[uri] == "" and prefix):
                self.prefix_of[uri] = prefix
            self.declared[prefix] = uri
        self.attr_prefix_of: dict[str, str] = {}

    def _prefix(self, uri: str, *, attribute: bool = False) -> str:
        table = self.attr_prefix_of if attribute else self.prefix_of
        if uri in table:
            return table[uri]
        prefix = self.prefix_of.get(uri)
        if prefix is None or (attribute and prefix == ""):
            base = _KNOWN_PREFIXES.get(uri, "ns")
            prefix, n = base, 0
            while prefix in self.declared and self.declared[prefix] != uri:
                n += 1
                prefix = f"{base}{n}"
            self.declared[prefix] = uri
            if uri not in self.prefix_of:
                self.prefix_of[uri] = prefix
        table[uri] = prefix
        return prefix

    def _name(self, tag: str, *, attribute: bool = False) -> str:
        if not tag.startswith("{"):
            return tag
        uri, _, local = tag[1:].partition("}")
        if uri == "http://www.w3.org/XML/1998/namespace":
            return f"xml:{local}"
        prefix = self._prefix(uri, attribute=attribute)
        return f"{prefix}:{local}" if prefix else local

    def write(self, root: XmlElement) -> str:
        # Register every prefix in use first: declarations all go on the root.
        """The XML text of `root`, every namespace declared on the root element."""
        for node in root.iter():
            if isinstance(node.tag, str):
                self._name(node.tag)
                for key in node.attrib:
                    self._name(key, attribute=True)
        decls = "".join(
            f' xmlns:{prefix}="{_attr(uri)}"' if prefix else f' xmlns="{_attr(uri)}"'
            for prefix, uri in self.declared.items()
        )
        body: list[str] = []
        self._element(root, body, decls)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(body) + "\n"

    def _element(self, node: XmlElement, out: list[str], decls: str = "") -> None:
        if not isinstance(node.tag, str):
            return
        parts = ["<" + self._name(node.tag) + decls]
        for key, value in node.attrib.items():
            parts.append(f' {self._name(key, attribute=True)}="{_attr(value)}"')
        children = list(node)
        if not children and not node.text:
            parts.append("/>")
            out.append("".join(parts))
        else:
            parts.append(">")
            out.append("".join(parts))
            if node.text:
                out.append(_escape(node.text))
            for child in children:
                self._element(child, out)
            out.append("</" + self._name(node.tag) + ">")
        if node.tail:
            out.append(_escape(node.tail))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(text: str) -> str:
    return (
        _escape(text)
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )
