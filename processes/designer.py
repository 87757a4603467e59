"""The process designer's writes and checks: drafts, the importer in check mode,
publishing a draft as version N+1, reverting to a version.

A draft is work in progress: it saves whatever the modeller drew (bounded in size)
and reports what the importer thinks of it. Publishing runs the real importer
(`definitions.process_import`); a model it refuses is never published, and the
refusal is the importer's own message, naming the element.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from xml.sax.saxutils import quoteattr

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from processes import definitions, instances, registry
from processes.engine.actions import registered_names
from processes.engine.bindings import unbound_tasks
from processes.engine.bpmn import BpmnImportError
from processes.engine.graph import USER_TASK_KINDS
from processes.forms import MAX_BPMN_BYTES
from processes.models import (
    DecisionVersion,
    ProcessDefinition,
    ProcessDraft,
    ProcessInstance,
    ProcessVersion,
)
from processes.user_steps.checks import user_step_warnings

CODE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,99}$")
MAX_CHOICES = 500


class DraftRefused(Exception):
    """The draft cannot be saved or published: the message, and the problems by element."""

    def __init__(self, message: str, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.problems = problems or []


@dataclass(frozen=True)
class Problem:
    """What the importer says of one element: `refused` (it will not import), `blocked`
    (it imports but cannot be activated) or `warning` (it works, probably not as meant)."""

    element: str
    message: str
    kind: str

    @property
    def level(self) -> str:
        return "error" if self.kind == "refused" else "warning"

    def as_json(self) -> dict:
        return {**asdict(self), "level": self.level}

    def describe(self) -> str:
        if self.element:
            return _("Element '%(element)s': %(message)s") % {
                "element": self.element,
                "message": self.message,
            }
        return self.message


def _bounded(xml: str) -> str:
    if not xml.strip():
        raise DraftRefused(_("The model is empty."))
    if len(xml.encode()) > MAX_BPMN_BYTES:
        raise DraftRefused(
            _("The model is %(size)s MB; a model may be at most 2 MB.")
            % {"size": f"{len(xml.encode()) / 1024 / 1024:.1f}"}
        )
    return xml


def check(xml: str) -> list[Problem]:
    """The importer's verdict on a model, writing nothing: its refusal (import stops at
    the first), else the tasks that block activation and the warnings, by element."""
    try:
        document = definitions.process_check(data=_bounded(xml))
    except DraftRefused as error:
        return [Problem("", error.message, "refused")]
    except BpmnImportError as error:
        return [Problem(error.element_id or "", error.message, "refused")]
    problems = []
    for graph in document.processes:
        for unbound in unbound_tasks(graph):
            problems.append(
                Problem(
                    unbound.element_id,
                    _(
                        "has nothing to run (%(what)s): the process can be published but not "
                        "activated until an action is registered under that name"
                    )
                    % {
                        "what": unbound.implementation
                        + (f"={unbound.binding}" if unbound.binding else "")
                    },
                    "blocked",
                )
            )
        for element in graph.elements.values():
            if element.kind in USER_TASK_KINDS:
                for warning in user_step_warnings(element):
                    problems.append(Problem(element.id, warning, "warning"))
    return problems


def choices() -> dict:
    """What the properties panel offers: active users, roles, registered models and
    actions, deployed decisions (each list bounded)."""
    users = get_user_model().objects.filter(is_active=True).order_by("username")[:MAX_CHOICES]
    decisions, seen = [], set()
    for version in DecisionVersion.objects.order_by("definition_id", "-number"):
        if version.definition_id in seen:
            continue
        seen.add(version.definition_id)
        for item in version.decisions:
            key = item.get("id") or item.get("name")
            if key:
                decisions.append({"value": key, "label": item.get("name") or key})
        if len(decisions) >= MAX_CHOICES:
            break
    return {
        "users": [
            {"value": u.get_username(), "label": u.get_full_name() or u.get_username()}
            for u in users
        ],
        "roles": [
            {"value": name, "label": name}
            for name in Group.objects.order_by("name").values_list("name", flat=True)[:MAX_CHOICES]
        ],
        "models": [{"value": m.label, "label": m.label} for m in registry.registered()],
        "actions": registered_names()[:MAX_CHOICES],
        "decisions": decisions[:MAX_CHOICES],
    }


def starter_xml(*, code: str, name: str) -> str:
    """A new process: one start event, laid out, executable, in Flowdesk's namespace."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
  xmlns:flowdesk="https://flowdesk.dev/bpmn"
  id="Definitions_{code}" targetNamespace="https://flowdesk.dev/bpmn/processes">
  <bpmn:process id={quoteattr(code)} name={quoteattr(name)} isExecutable="true">
    <bpmn:startEvent id="start" name={quoteattr(_("Start"))}/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="diagram_{code}">
    <bpmndi:BPMNPlane id="plane_{code}" bpmnElement={quoteattr(code)}>
      <bpmndi:BPMNShape id="start_di" bpmnElement="start">
        <dc:Bounds x="180" y="160" width="36" height="36"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""


def draft_new(*, name: str, code: str, user) -> ProcessDraft:
    """A draft of a new process; the code must be free and usable as a BPMN id."""
    name, code = name.strip(), code.strip()
    if not name:
        raise DraftRefused(_("Give the process a name."))
    if not CODE_PATTERN.match(code):
        raise DraftRefused(
            _(
                "The code “%(code)s” cannot be a process id: use letters, digits, _ . or -, "
                "starting with a letter (at most 100 characters)."
            )
            % {"code": code[:100]}
        )
    if ProcessDefinition.objects.filter(code=code).exists():
        raise DraftRefused(
            _("A process with the code “%(code)s” exists already: open it and edit it as a draft.")
            % {"code": code}
        )
    return ProcessDraft.objects.create(
        name=name, bpmn_xml=starter_xml(code=code, name=name), created_by=user
    )


def draft_from_version(*, version: ProcessVersion, user) -> ProcessDraft:
    """A draft that starts as the given version of a process (any version)."""
    return ProcessDraft.objects.create(
        definition=version.definition,
        based_on=version,
        name=version.name,
        bpmn_xml=version.bpmn_xml,
        created_by=user,
    )


def draft_save(*, draft: ProcessDraft, xml: str) -> list[Problem]:
    """Store the draft as drawn; returns what the importer would say of it."""
    draft.bpmn_xml = _bounded(xml)
    draft.save(update_fields=["bpmn_xml", "modified_at"])
    return check(xml)


def draft_publish(*, draft: ProcessDraft, xml: str, user) -> ProcessVersion:
    """Publish the draft as the process's next version and delete the draft.

    Refused (DraftRefused, the importer's message naming the element) when the
    importer refuses the model, or when its process id is not the draft's process
    (a draft of a process publishes that process; a new one takes a free code).
    Running instances keep their version; a new process is active unless a task
    has nothing to run.
    """
    xml = _bounded(xml)
    codes = _importable_codes(draft=draft, xml=xml)
    if draft.definition_id is None:
        taken = ProcessDefinition.objects.filter(code__in=codes).values_list("code", flat=True)
        for code in taken:
            raise DraftRefused(
                _(
                    "A process with the id “%(code)s” exists already: change the process id, "
                    "or edit that process as a draft."
                )
                % {"code": code}
            )
    with transaction.atomic():
        try:
            versions = definitions.process_import(
                data=xml, user=user, activate=draft.definition_id is None
            )
        except BpmnImportError as error:
            raise DraftRefused(
                _("This model cannot be published: %(reason)s") % {"reason": str(error)},
                [Problem(error.element_id or "", error.message, "refused")],
            ) from error
        draft.delete()
    wanted = draft.definition.code if draft.definition_id else codes[0]
    return next(v for v in versions if v.definition.code == wanted)


def _importable_codes(*, draft: ProcessDraft, xml: str) -> list[str]:
    """The process ids of a model the importer takes (publishing's and a test run's checks):
    DraftRefused with the importer's message, naming the element, when it would not, or
    when a draft of a process no longer has that process's id (a refused model is saved)."""
    refused = [p for p in check(xml) if p.kind == "refused"]
    if refused:
        draft_save(draft=draft, xml=xml)
        raise DraftRefused(
            _("This model cannot be published: %(reason)s") % {"reason": refused[0].describe()},
            refused,
        )
    codes = [graph.id for graph in definitions.process_check(data=xml).processes]
    if draft.definition_id is not None and draft.definition.code not in codes:
        raise DraftRefused(
            _("The process id must stay “%(code)s” to publish a version of “%(name)s”.")
            % {"code": draft.definition.code, "name": draft.definition.name}
        )
    return codes


def draft_test_run(*, draft: ProcessDraft, xml: str, variables: dict, user) -> ProcessInstance:
    """Save the draft and start an instance of it as it is drawn, without publishing it.

    The importer's checks refuse what publishing refuses, with the same messages. The
    model becomes a test-run version of the process (numbered 0, `is_test_run`): no
    "newest version" lookup (starts, messages, timer starts, calls, the library) ever
    takes it, and its timer start events are not armed. The instance runs at once,
    started by `user`, whatever the process's active flag; its user steps reach their
    owners as usual. A new process's draft cannot run before its first publication:
    it has no process yet to hold the test run.
    """
    xml = _bounded(xml)
    if draft.definition_id is None:
        draft_save(draft=draft, xml=xml)
        raise DraftRefused(
            _(
                "A new process can be test-run once it is published: publish it (it can stay "
                "inactive), then edit it as a draft."
            )
        )
    _importable_codes(draft=draft, xml=xml)
    draft_save(draft=draft, xml=xml)
    graph = next(
        g for g in definitions.process_check(data=xml).processes if g.id == draft.definition.code
    )
    with transaction.atomic():
        version = ProcessVersion.objects.create(
            definition=draft.definition,
            number=0,
            is_test_run=True,
            name=graph.name or graph.id,
            bpmn_xml=xml,
            checksum=hashlib.sha256(xml.encode()).hexdigest(),
            created_by=user,
        )
        version.definition = draft.definition
        # as_called: a test run starts whether or not the process is active yet.
        return instances._start(
            version,
            variables=variables,
            user=user,
            record=None,
            start_event_id=None,
            as_called=True,
            run_now=True,
            business_key="",
            guard=None,
        )


def version_revert(*, version: ProcessVersion, user) -> ProcessVersion:
    """Make the given version's model the newest again, as version N+1."""
    try:
        versions = definitions.process_import(data=version.bpmn_xml, user=user, activate=False)
    except BpmnImportError as error:
        raise DraftRefused(
            _("Version %(number)s cannot be imported again: %(reason)s")
            % {"number": version.number, "reason": str(error)}
        ) from error
    return next(v for v in versions if v.definition_id == version.definition_id)


def strings() -> dict[str, str]:
    """The designer's words for the browser (static/designer/src/strings.js)."""
    return {
        "none": _("— none —"),
        "role_prefix": _("Role:"),
        "owner": _("Owner"),
        "owner_default": _("The lane's role, else who started it"),
        "owner_help": _("A user, or any member of a role."),
        "owner_expression": _("Owner expression"),
        "owner_role": _("Owner role"),
        "page": _("Page"),
        "page_task": _("Perform task"),
        "page_question": _("Question"),
        "page_edit": _("Open edit page"),
        "page_auto": _("Auto-generated page"),
        "page_email": _("Send email"),
        "background": _("In the background"),
        "background_help": _("Waits in the Business process tasks tab instead of opening at once."),
        "hint": _("Hint"),
        "create_activity": _("Create an activity"),
        "results": _("Results"),
        "answers": _("Answers"),
        "answers_help": _("Separated by ; or ,"),
        "multiple": _("Several answers may be chosen"),
        "variable": _("Variable"),
        "model": _("Model"),
        "record": _("Record (expression)"),
        "result_variable": _("Result variable"),
        "fields": _("Fields"),
        "edit_fields_help": _("a,b*,c — * marks a required field"),
        "auto_fields_help": _(
            "name:kind:Label[:required]; … kinds: text, number, date, bool, lookup:app.Model"
        ),
        "edit_condition": _("Completes when"),
        "buttons": _("Buttons"),
        "email_to": _("To"),
        "email_subject": _("Subject"),
        "email_body": _("Message"),
        "topic": _("External-task topic"),
        "topic_help": _("The step waits for a worker on this topic."),
        "action": _("Action"),
        "action_help": _("A registered Python action."),
        "decision": _("Decision"),
        "decision_result_placeholder": _("<decision>_result"),
        "start_model": _("Record model"),
        "start_model_help": _("Run from this model's record pages."),
        "trigger": _("Start when a record is"),
        "trigger_added": _("added"),
        "trigger_modified": _("modified"),
        "trigger_deleted": _("deleted"),
        "filter": _("Filter"),
        "condition": _("Condition"),
        "condition_help": _("An expression over the variables, e.g. answer == 'Yes'."),
        "language": _("Expression language"),
        "language_help": _("Without one: ${…} is JUEL, a leading = is FEEL, else Python."),
        "lang_detect": _("From the expression"),
        "lang_python": _("Python"),
        "lang_feel": _("FEEL"),
        "lang_juel": _("JUEL"),
        "group_step": _("Flowdesk step"),
        "group_decision": _("Decision"),
        "group_runs": _("Runs"),
        "group_start": _("Flowdesk start"),
        "group_condition": _("Condition"),
        "lint_no_answers": _("The question has no answers (flowdesk:answers)."),
        "lint_no_model": _("The edit page has no model (flowdesk:model)."),
        "lint_bad_field": _("The field “%s” does not read name:kind:Label."),
        "lint_bad_page": _("“%s” is not a page kind."),
        "lint_no_decision": _("The business-rule task calls no decision."),
        "lint_unbound": _("The task runs nothing: choose an action or a topic."),
        "lint_unsupported": _("%s is not supported by Flowdesk."),
        "lint_not_executable": _("The process is not executable."),
        "server_error": _("The server did not answer as expected."),
        "load_failed": _("The model could not be loaded."),
        "whole_model": _("The model"),
        "saving": _("Saving…"),
        "save_failed": _("The draft could not be saved."),
        "publishing": _("Publishing…"),
        "publish_blocked": _("Cannot publish: fix the errors first."),
        "publish_failed": _("The model was not published."),
        "test_running": _("Starting a test run…"),
        "test_failed": _("The test run did not start."),
        "test_started": _("Test run started: instance #%s."),
        "diff_added": _("added"),
        "diff_removed": _("removed"),
        "diff_changed": _("changed"),
        "diff_moved": _("moved"),
    }
