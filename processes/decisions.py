"""Decisions in the product: import DMN models as versions, and the provider over them.

A .dmn file imports alone or beside BPMN in the Process library; re-importing a
model (same <definitions> id, or namespace when it has none) makes version N+1.
Business-rule tasks call the newest version's decisions, by decision id or name,
through `deployed_decisions()`, which the engine receives as its ``decisions``.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from processes.engine.dmn import (
    DecisionError,
    DecisionOutcome,
    Definitions,
    DmnError,
    evaluate,
    find_decision,
    parse_dmn,
)
from processes.models import DecisionDefinition, DecisionVersion

# Parsed models by checksum: versions never change, so a parse is reused by every run.
PARSED_CACHE_SIZE = 64
_parsed: OrderedDict[str, Definitions] = OrderedDict()
_parsed_lock = threading.Lock()


def looks_like_dmn(name: str, data: bytes) -> bool:
    """Whether an uploaded file is a DMN model (by its name, else its XML namespace)."""
    if name.lower().endswith(".dmn"):
        return True
    head = data[:4096].decode("utf-8", errors="replace")
    return "/spec/DMN/" in head and "/spec/BPMN/" not in head


def model_code(model: Definitions) -> str:
    return (model.id or model.namespace or model.name)[:200]


def decision_import(*, data: bytes | str, user=None) -> DecisionVersion:
    """Import a DMN file as a new version of its model.

    The whole file is refused (DmnError naming the element) when any part cannot be
    read or compiled, or it holds no decision; nothing is written then.
    """
    raw = data.encode() if isinstance(data, str) else data
    model = parse_dmn(raw)
    decisions = [
        {"id": element.id, "name": element.name}
        for element in model.elements.values()
        if element.kind == "decision"
    ]
    if not decisions:
        raise DmnError(_("the file holds no decision"))
    code = model_code(model)
    if not code:
        raise DmnError(_("<definitions> has no id, namespace or name"))
    checksum = hashlib.sha256(raw).hexdigest()
    with transaction.atomic():
        definition, created = DecisionDefinition.objects.select_for_update().get_or_create(
            code=code, defaults={"name": (model.name or code)[:200]}
        )
        if not created and model.name and definition.name != model.name:
            definition.name = model.name[:200]
            definition.save(update_fields=["name", "modified_at"])
        last = definition.versions.aggregate(n=Max("number"))["n"] or 0
        return DecisionVersion.objects.create(
            definition=definition,
            number=last + 1,
            namespace=model.namespace[:500],
            dmn_xml=raw.decode("utf-8", errors="replace"),
            checksum=checksum,
            decisions=decisions,
            created_by=user,
        )


def parsed_model(version: DecisionVersion) -> Definitions:
    """The compiled model of a version (cached by checksum)."""
    with _parsed_lock:
        model = _parsed.get(version.checksum)
        if model is not None:
            _parsed.move_to_end(version.checksum)
            return model
    model = parse_dmn(version.dmn_xml.encode())
    with _parsed_lock:
        _parsed[version.checksum] = model
        while len(_parsed) > PARSED_CACHE_SIZE:
            _parsed.popitem(last=False)
    return model


def newest_versions():
    """The newest version of every decision model."""
    newest = (
        DecisionVersion.objects.filter(definition=OuterRef("definition"))
        .order_by("-number")
        .values("number")[:1]
    )
    return DecisionVersion.objects.filter(number=Subquery(newest))


# dmn-js reads DMN 1.3 (and migrates 1.1 and 1.2 itself); the 1.4 and 1.5 namespaces
# name the same elements for everything its table and diagram views draw.
_VIEWER_NAMESPACES = {
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "https://www.omg.org/spec/DMN/20211108/DMNDI/": "https://www.omg.org/spec/DMN/20191111/DMNDI/",
    "https://www.omg.org/spec/DMN/20230324/DMNDI/": "https://www.omg.org/spec/DMN/20191111/DMNDI/",
}


def viewer_xml(version: DecisionVersion) -> str:
    """The version's DMN as the table viewer reads it (DMN 1.4/1.5 namespaces as 1.3)."""
    xml = version.dmn_xml
    for newer, older in _VIEWER_NAMESPACES.items():
        xml = xml.replace(f'"{newer}"', f'"{older}"')
    return xml


def evaluate_version(
    version: DecisionVersion, decision: str, variables: Mapping[str, Any]
) -> DecisionOutcome:
    """Evaluate one decision of ``version``; the newest versions of the models it
    imports (by namespace) are available to it."""
    model = parsed_model(version)
    imported = {}
    namespaces = [namespace for _name, namespace in model.imports if namespace]
    if namespaces:
        for other in newest_versions().filter(namespace__in=namespaces):
            imported[other.namespace] = parsed_model(other)
    return evaluate(model, decision, variables, imported)


def deployed_decisions(decision: str, variables: Mapping[str, Any]) -> DecisionOutcome:
    """The engine's decision provider over the deployed decisions.

    Finds the newest version of a model holding a decision with that id (or else
    that name), and evaluates it. Raises DecisionError when none is deployed or the
    decision fails, which puts the business-rule step in Error with the reason.
    """
    # Few models are deployed: their decision lists are read and matched here, which
    # also works on the embedded SQLite database (no JSON containment there).
    # The XML is deferred: it loads only when the parsed model is not cached yet.
    catalogue = list(newest_versions().defer("dmn_xml").order_by("pk"))
    version = next(
        (item for item in catalogue if any(d["id"] == decision for d in item.decisions)), None
    ) or next(
        (item for item in catalogue if any(d["name"] == decision for d in item.decisions)), None
    )
    if version is None:
        raise DecisionError(
            _("no deployed decision has the id or name %(decision)s") % {"decision": decision}
        )
    return evaluate_version(version, decision, variables)


def decision_inputs(model: Definitions, decision: str) -> list[tuple[str, str]]:
    """The input data a decision needs, directly or through the decisions it requires,
    as (name, FEEL base type) pairs in the order the model declares them."""
    start = find_decision(model, decision)
    if start is None:
        return []
    needed: set[str] = set()
    pending, seen = [start], set()
    while pending:
        element = pending.pop()
        if element.id in seen:
            continue
        seen.add(element.id)
        needed.update(href.rsplit("#", 1)[-1] for href in element.required_inputs)
        for href in element.required_decisions:
            required = model.elements.get(href.rsplit("#", 1)[-1])
            if required is not None:
                pending.append(required)
    inputs = []
    for element in model.elements.values():
        if element.kind == "inputData" and element.id in needed:
            inputs.append((element.name, base_type(model, element.type_ref)))
    return inputs


def base_type(model: Definitions, type_ref: str | None) -> str:
    """The built-in FEEL type behind a typeRef (following item definitions), or ''."""
    seen = set()
    while type_ref and type_ref in model.item_definitions and type_ref not in seen:
        seen.add(type_ref)
        item = model.item_definitions[type_ref]
        if item.components or item.is_collection:
            return ""
        type_ref = item.type_ref
    return {"dateTime": "date and time", "integer": "number", "decimal": "number"}.get(
        type_ref or "", type_ref or ""
    )
