"""BPMN correlation: `correlationProperty` retrieval expressions, per message.

A `correlationProperty` holds one `correlationPropertyRetrievalExpression` per
message it is read from, whose `messagePath` is an expression (SpiffWorkflow
writes Python, Camunda models FEEL or JUEL). A message's key is the values of
every property retrieved from it, in document order. `correlationKey` elements
only group properties into conversations; the key of a message does not depend
on them, so they are read for nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from xml.etree.ElementTree import Element as XmlElement

from ..graph import Code
from .namespaces import Q_BPMN


def message_correlations(
    root: XmlElement,
    resolve_message: Callable[[str], str],
    compile_code: Callable[[str, str | None, str], Code],
) -> dict[str, tuple[Code, ...]]:
    """Message name -> the retrieval expressions of its correlation properties.

    `resolve_message` turns a messageRef into the message's name (through the
    file's prefixes); `compile_code(source, language, property_id)` compiles an
    expression or refuses the file naming the property.
    """
    found: dict[str, list[Code]] = {}
    for prop in root.iter(Q_BPMN + "correlationProperty"):
        prop_id = prop.get("id", "")
        for retrieval in prop.findall(Q_BPMN + "correlationPropertyRetrievalExpression"):
            path = retrieval.find(Q_BPMN + "messagePath")
            source = (path.text or "").strip() if path is not None else ""
            if not source:
                continue
            name = resolve_message(retrieval.get("messageRef", ""))
            if not name:
                continue
            language = path.get("language") if path is not None else None
            found.setdefault(name, []).append(compile_code(source, language, prop_id))
    return {name: tuple(codes) for name, codes in found.items()}
