"""Writes on process definitions: import BPMN (and DMN) files, activate or deactivate a process."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from processes import (
    call_chains,
    clock,
    decisions,
    documents,
    registry,
    selectors,
    start_event_cache,
)
from processes.engine.bindings import Unbound, unbound_tasks
from processes.engine.bpmn import BpmnImportError, parse_bpmn
from processes.engine.dmn import DmnError
from processes.engine.graph import USER_TASK_KINDS, VendorNote, split_list
from processes.engine.timers import first_due
from processes.engine.variable_reads import unset_reads
from processes.errors import ProcessError
from processes.instances import instance_cancel
from processes.models import (
    DecisionVersion,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    TimerStart,
)
from processes.user_steps.checks import user_step_problems, user_step_warnings


class LibraryImportError(Exception):
    """A file of an upload cannot import: which file, and the reason naming the element."""

    def __init__(self, filename: str, reason: str):
        super().__init__(f"{filename}: {reason}")
        self.filename = filename
        self.reason = reason


def library_import(
    *, files: list[tuple[str, bytes]], user=None
) -> tuple[list[ProcessVersion], list[DecisionVersion]]:
    """Import BPMN and DMN files together, as the Process library's upload does.

    DMN files (by their name or namespace) become decision versions, the others
    process versions, imported inactive. One file that cannot import refuses the
    whole upload (LibraryImportError) and nothing is written.
    """
    processes, decision_versions = [], []
    with transaction.atomic():
        for name, data in files:
            try:
                if decisions.looks_like_dmn(name, data):
                    decision_versions.append(decisions.decision_import(data=data, user=user))
                else:
                    processes.extend(process_import(data=data, user=user, activate=False))
            except (BpmnImportError, DmnError) as error:
                raise LibraryImportError(name, str(error)) from error
    return processes, decision_versions


def process_import(*, data: bytes | str, user=None, activate: bool = True) -> list[ProcessVersion]:
    """Import every executable process of a BPMN 2.0 file as a new version.

    Re-importing a process id makes version N+1; running instances keep
    theirs. Each version returned carries `import_warnings`: what works but
    probably not as meant (an owner naming no user or role yet). The whole
    file is refused (BpmnImportError naming the element) when any part cannot
    import, and nothing is written. A process with a service, send or
    business-rule task that has nothing to run (see `engine.bindings`) imports
    inactive, and a re-import deactivates it, until every such task is bound.
    """
    raw = data.encode() if isinstance(data, str) else data
    document = process_check(data=raw)
    xml = raw.decode("utf-8", errors="replace")
    checksum = hashlib.sha256(raw).hexdigest()
    versions = []
    with transaction.atomic():
        for graph in document.processes:
            blocked = bool(unbound_tasks(graph))
            definition, created = ProcessDefinition.objects.select_for_update().get_or_create(
                code=graph.id,
                defaults={"name": graph.name or graph.id, "is_active": activate and not blocked},
            )
            changed = []
            if not created and graph.name and definition.name != graph.name:
                definition.name = graph.name
                changed.append("name")
            if not created and blocked and definition.is_active:
                definition.is_active = False
                changed.append("is_active")
            if changed:
                definition.save(update_fields=[*changed, "modified_at"])
            last = definition.versions.aggregate(n=Max("number"))["n"] or 0
            version = ProcessVersion.objects.create(
                definition=definition,
                number=last + 1,
                name=graph.name or graph.id,
                bpmn_xml=xml,
                checksum=checksum,
                created_by=user,
            )
            # Only the newest version's timer start events keep firing.
            TimerStart.objects.filter(version__definition=definition).delete()
            _arm_timer_starts(version, graph)
            version.import_warnings = [
                *user_step_warnings_of(graph),
                *unset_variable_warnings(graph, selectors.start_inputs(version, graph.id)),
            ]
            versions.append(version)
    start_event_cache.forget()
    return versions


def process_check(*, data: bytes | str):
    """Everything `process_import` checks before it writes, and nothing written: the
    parsed document, or BpmnImportError naming the element (the designer's check mode)."""
    raw = data.encode() if isinstance(data, str) else data
    known = set(ProcessDefinition.objects.values_list("code", flat=True))
    document = parse_bpmn(raw, known_processes=known)
    if not document.processes:
        raise BpmnImportError(None, _("the file holds no executable process"))
    circle = call_chains.circle_in_file(document)
    if circle is not None:
        element_id, problem = circle
        raise BpmnImportError(
            element_id,
            _("%(problem)s: a process may not call itself, directly or through others")
            % {"problem": problem},
            kind="callActivity",
        )
    refuse_user_step_mistakes(document)
    return document


def refuse_user_step_mistakes(document) -> None:
    """Refuse a file whose user steps describe a page that cannot be built or an owner
    expression that does not compile (BpmnImportError naming the first such element)."""
    for graph in document.processes:
        for element in graph.elements.values():
            if element.kind not in USER_TASK_KINDS:
                continue
            problems = user_step_problems(element)
            if problems:
                raise BpmnImportError(element.id, "; ".join(problems), kind=element.kind)


def user_step_warnings_of(graph) -> list[str]:
    """What the import of a process warns about its user steps, each naming its element."""
    warnings = []
    for element in graph.elements.values():
        if element.kind in USER_TASK_KINDS:
            for warning in user_step_warnings(element):
                warnings.append(
                    _("Element '%(element)s': %(warning)s")
                    % {"element": element.id, "warning": warning}
                )
    return warnings


def unset_variable_warnings(graph, declared) -> list[str]:
    """Warnings for variables an expression reads that no path can set (see
    processes.engine.variable_reads for the rule): only for a process that declares
    its inputs, with flowdesk:inputs or a start event's form fields."""
    inputs = None if declared is None else {item.name for item in declared}
    for element_id in graph.start_events:
        fields = graph.elements[element_id].settings.get("fields")
        if fields:
            inputs = (inputs or set()) | {item.split(":")[0].strip() for item in split_list(fields)}
    found = unset_reads(graph, inputs, functions=registry.functions())
    return [
        _(
            "Element '%(element)s' reads the variable “%(name)s”, which no declared input "
            "and no step of the process sets (a typo?)"
        )
        % {"element": element_id, "name": name}
        for element_id, name in found or ()
    ]


def _arm_timer_starts(version: ProcessVersion, graph) -> None:
    now = clock.now()
    for element_id, spec in start_event_cache.timer_starts(graph):
        TimerStart.objects.create(
            version=version, element_id=element_id, next_due=first_due(spec, now)
        )


def unbound_of(version: ProcessVersion | None) -> list[Unbound]:
    """The tasks of a version's process that have nothing to run (empty: it can be activated)."""
    return vendor_report(version).unbound


@dataclass(frozen=True)
class VendorReport:
    """What a version needs before it can be activated, and what Flowdesk does with
    each vendor extension it uses (the Process library shows both)."""

    unbound: list[Unbound]
    notes: tuple[VendorNote, ...]

    def __bool__(self) -> bool:
        return bool(self.unbound or self.notes)


def vendor_report(version: ProcessVersion | None) -> VendorReport:
    """The report of the version's process (empty when there is no version)."""
    if version is None:
        return VendorReport([], ())
    try:
        graph = documents.graph_for(version)
    except (BpmnImportError, KeyError):
        return VendorReport([], ())
    return VendorReport(unbound_tasks(graph), graph.vendor_notes)


def process_set_active(
    *, definition: ProcessDefinition, active: bool, cancel_running: bool = False
):
    """Activate or deactivate a process; deactivating may cancel its running instances.

    Activation is refused (ProcessError) when a task of the newest version has
    nothing to run, naming each, or when the process's calls come back to a
    process on the way. Once deactivated (nothing starts it by hand or trigger any
    more), each running instance is canceled with its called instances, each in a
    transaction of its own, so no transaction holds the locks of a whole library.
    """
    with transaction.atomic():
        definition = ProcessDefinition.objects.select_for_update().get(pk=definition.pk)
        if definition.is_active == active:
            return definition, 0
        if active:
            unbound = unbound_of(definition.versions.order_by("-number").first())
            if unbound:
                raise ProcessError(
                    _(
                        "“%(name)s” cannot be activated: these tasks have nothing to run. "
                        "Register an action under the name they give, or change the model: "
                        "%(tasks)s."
                    )
                    % {"name": definition.name, "tasks": "; ".join(u.describe() for u in unbound)}
                )
            problem = call_chains.circle_from(definition)
            if problem is not None:
                raise ProcessError(
                    _(
                        "“%(name)s” cannot be activated: %(problem)s. A process may not call "
                        "itself, directly or through others."
                    )
                    % {"name": definition.name, "problem": problem}
                )
        definition.is_active = active
        definition.save(update_fields=["is_active", "modified_at"])
    start_event_cache.forget()
    canceled = 0
    if not active and cancel_running:
        for instance_id in definition.instances.filter(
            status__in=[ProcessInstance.Status.RUNNING, ProcessInstance.Status.ERROR],
            parent__isnull=True,
        ).values_list("pk", flat=True):
            try:
                instance_cancel(instance_id=instance_id)
            except ProcessError:
                continue  # it finished meanwhile
            canceled += 1
    return definition, canceled
