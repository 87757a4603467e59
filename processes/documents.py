"""Parsed process versions: the parse cache the engine and the persistence layer read.

A version's BPMN is parsed once per process and kept (versions never
change); `resolver_for` gives the engine the graphs of that version's file,
falling back to the newest version of a called process.
"""

from __future__ import annotations

from functools import lru_cache

from processes.engine.bpmn import parse_bpmn
from processes.models import ProcessDefinition, ProcessVersion


@lru_cache(maxsize=512)
def _document(version_id: int, checksum: str):
    version = ProcessVersion.objects.only("bpmn_xml").get(pk=version_id)
    # A call activity may name a process of another file: import checked it was deployed.
    known = ProcessDefinition.objects.values_list("code", flat=True)
    return parse_bpmn(version.bpmn_xml.encode(), known_processes=set(known))


def document_for(version):
    return _document(version.pk, version.checksum)


def resolver_for(version):
    """A function process_id -> ProcessGraph for instances of `version`."""
    graphs = {graph.id: graph for graph in document_for(version).processes}

    def resolve(process_id: str):
        graph = graphs.get(process_id)
        if graph is not None:
            return graph
        newest = (
            ProcessVersion.objects.filter(definition__code=process_id)
            .order_by("-number")
            .only("pk", "checksum")
            .first()
        )
        if newest is None:
            raise KeyError(process_id)
        for graph in document_for(newest).processes:
            if graph.id == process_id:
                return graph
        raise KeyError(process_id)

    return resolve


def graph_for(version):
    return resolver_for(version)(version.definition.code)


def element_of(step):
    """The BPMN element a step row visits (None if the version no longer has it)."""
    instance = step.instance
    try:
        graph = resolver_for(instance.version)(instance.definition.code)
    except KeyError:
        return None
    return graph.elements.get(step.element_id)
