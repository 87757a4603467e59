"""Processes that call processes: refuse a chain that comes back to where it began.

A process that calls itself (A calls A, or A calls B calls A) would start
instances without end. Import refuses a file that closes such a circle with
the processes already deployed, activation refuses a process whose calls do,
and at run time a call deeper than MAX_CALL_DEPTH fails its call activity.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from processes import documents
from processes.models import ProcessDefinition, ProcessInstance, ProcessVersion

MAX_CALL_DEPTH = 25

Calls = dict[str, list[tuple[str, str]]]  # process id -> [(call activity id, called id)]


def calls_of(graph) -> list[tuple[str, str]]:
    """(call activity id, called process id) for every call activity of a process."""
    return [
        (element.id, element.called_element)
        for element in graph.elements.values()
        if element.kind == "callActivity" and getattr(element, "called_element", "")
    ]


def deployed_calls(*, except_codes=()) -> Calls:
    """The calls of the newest version of every deployed process."""
    calls: Calls = {}
    versions = (
        ProcessVersion.objects.order_by("definition_id", "-number")
        .select_related("definition")
        .only("pk", "checksum", "definition__code")
    )
    for version in versions:
        code = version.definition.code
        if code in except_codes or code in calls:
            continue  # an older version of a process already read
        try:
            calls[code] = calls_of(documents.graph_for(version))
        except KeyError:
            calls[code] = []
    return calls


def find_circle(start: str, calls: Calls) -> tuple[list[str], str] | None:
    """A call chain from `start` that comes back to a process already on it, as
    (process ids from the first to the repeated one, the call activity closing it)."""
    path: list[str] = [start]
    on_path = {start}
    done: set[str] = set()
    pending = [iter(calls.get(start, ()))]
    while pending:
        step = next(pending[-1], None)
        if step is None:
            pending.pop()
            finished = path.pop()
            on_path.discard(finished)
            done.add(finished)
            continue
        element_id, called = step
        if called in on_path:
            return [*path[path.index(called) :], called], element_id
        if called in done:
            continue
        path.append(called)
        on_path.add(called)
        pending.append(iter(calls.get(called, ())))
    return None


def describe(chain: list[str]) -> str:
    if len(chain) == 2:
        return _("'%(process)s' calls itself") % {"process": chain[0]}
    return _("the calls %(chain)s come back to '%(process)s'") % {
        "chain": " → ".join(f"'{code}'" for code in chain),
        "process": chain[0],
    }


def circle_in_file(document) -> tuple[str, str] | None:
    """(call activity id, what is wrong) when a process of this file would call itself,
    directly or through processes of the file or deployed ones; None when none does."""
    in_file = {graph.id: calls_of(graph) for graph in document.processes}
    calls = {**deployed_calls(except_codes=set(in_file)), **in_file}
    for process_id in in_file:
        found = find_circle(process_id, calls)
        if found is not None:
            chain, element_id = found
            return element_id, describe(chain)
    return None


def circle_from(definition: ProcessDefinition) -> str | None:
    """What is wrong when `definition`'s calls come back to a process on the way."""
    found = find_circle(definition.code, deployed_calls())
    return describe(found[0]) if found is not None else None


def call_depth(instance: ProcessInstance) -> int:
    """How many callers stand above `instance` (0 for a top-level instance), counted up
    to MAX_CALL_DEPTH + 1 at most."""
    depth, parent_id = 0, instance.parent_id
    while parent_id is not None and depth <= MAX_CALL_DEPTH:
        parent_id = (
            ProcessInstance.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        )
        depth += 1
    return depth
