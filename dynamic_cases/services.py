"""Writes on dynamic cases: save versions, start a record's case, move it, change it,
complete and skip its steps. One transaction each; process instances are started
and canceled through processes.services, whose announcements go out after commit.

Each step of a stage runs as a small generated process (see definition.bpmn_for)
connected to the record, so the user-steps machinery shows it to its owner.
"""

from __future__ import annotations

import json
import logging

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from dynamic_cases import definition as spec
from dynamic_cases import selectors
from dynamic_cases.models import DynamicCase, DynamicCaseVersion, RecordCase, RecordCaseStep
from processes.models import ProcessDefinition
from processes.registry import is_registered, record_values
from processes.services import (
    ProcessError,
    instance_cancel,
    instance_start,
    process_import,
    step_complete,
)

logger = logging.getLogger(__name__)


class DynamicCaseError(Exception):
    """A refused operation, with a message for the person who asked."""


# -- definitions ---------------------------------------------------------------


def dynamic_case_save(*, data: dict, user=None) -> DynamicCaseVersion:
    """Save a case definition as its next version and import the processes of its steps.

    Raises DefinitionInvalid listing every problem; nothing is written then.
    Records already running keep their version; new records take this one.
    """
    definition = spec.normalize(data)
    known = set(ProcessDefinition.objects.values_list("code", flat=True))
    errors = spec.validate(definition, known_processes=known)
    if errors:
        raise spec.DefinitionInvalid(errors)
    with transaction.atomic():
        case, created = DynamicCase.objects.select_for_update().get_or_create(
            code=definition["code"],
            defaults=_header(definition),
        )
        if not created:
            for name, value in _header(definition).items():
                setattr(case, name, value)
            case.save()
        number = (case.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = DynamicCaseVersion.objects.create(
            case=case, number=number, definition=definition, created_by=user
        )
        codes = [version.process_code(s["key"]) for st in definition["stages"] for s in st["steps"]]
        if codes:
            process_import(data=spec.bpmn_for(definition, version.process_code), user=user)
            # Generated processes belong to the case: the library tells them apart.
            ProcessDefinition.objects.filter(code__in=codes).update(is_system=True, is_active=True)
    return version


def _header(definition):
    return {
        "name": definition["name"],
        "section": definition["section"],
        "choice_field": definition["choice_field"],
        "choice_value": definition["choice_value"] if definition["choice_field"] else "",
        "is_active": definition["active"],
    }


def dynamic_case_import(*, data: bytes | str, user=None) -> DynamicCaseVersion:
    """Import a case from its JSON file (a new version when the code is known)."""
    try:
        parsed = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        where = ""
        if isinstance(exc, json.JSONDecodeError):
            where = _(" (line %(line)s, column %(col)s)") % {"line": exc.lineno, "col": exc.colno}
        raise spec.DefinitionInvalid(
            [_("The file is not valid JSON%(where)s.") % {"where": where}]
        ) from None
    return dynamic_case_save(data=parsed, user=user)


def dynamic_case_set_active(*, case: DynamicCase, active: bool) -> DynamicCase:
    """Activate or deactivate a case: inactive cases are not chosen for new records."""
    with transaction.atomic():
        DynamicCase.objects.filter(pk=case.pk).update(is_active=active, modified_at=timezone.now())
    case.is_active = active
    return case


# -- a record's case -------------------------------------------------------------


def record_case_start(*, record, user=None, case: DynamicCase | None = None):
    """Start the case chosen for `record` (or `case`) at the record's stage when the case
    has it, else at its first stage. Returns the RecordCase, or None when no case fits.
    A record that already runs a case keeps it."""
    case = case or selectors.case_for(record)
    if case is None:
        return None
    version = selectors.newest_version(case)
    if version is None:
        return None
    record_type = selectors.record_type_of(record)
    with transaction.atomic():
        existing = selectors.record_cases_of(record).first()
        if existing is not None:
            return existing
        stage = _start_stage(version, record)
        record_case = RecordCase.objects.create(
            record_type=record_type,
            record_id=str(record.pk),
            version=version,
            stage=stage["value"],
            stage_entered_at=timezone.now(),
            visited=[stage["value"]],
        )
        _set_record_stage(record, version, stage["value"])
        _enter_stage(record_case, record, stage, user)
    return record_case


def _start_stage(version, record):
    current = spec.record_value(record, version.stage_field)
    return version.stage(current) if current and version.stage(current) else version.stages[0]


def record_case_move(*, record, stage: str, user=None) -> RecordCase:
    """Move `record` to `stage` on its workflow bar.

    Allowed when `stage` is a next stage of the current one and every required
    step of the current stage is done; the final unsuccessful stage is reachable
    from any stage, whatever is left undone. Open steps of the stage left are
    canceled, and the new stage's steps start.
    """
    with transaction.atomic():
        record_case = _locked_case(record)
        version = record_case.version
        target = version.stage(stage)
        if target is None:
            raise DynamicCaseError(
                _("“%(stage)s” is not a stage of the case “%(case)s”.")
                % {"stage": stage, "case": version.case.name}
            )
        if target["value"] == record_case.stage:
            raise DynamicCaseError(_("The record is already at “%(stage)s”.") % {"stage": stage})
        allowed = version.next_stages(record_case.stage)
        if target["value"] not in allowed:
            raise DynamicCaseError(
                _(
                    "You cannot move from “%(current)s” to “%(stage)s”. Possible next stages: "
                    "%(allowed)s."
                )
                % {
                    "current": record_case.stage,
                    "stage": target["value"],
                    "allowed": ", ".join(allowed) or _("none, this stage is final"),
                }
            )
        if not target.get("unsuccessful"):
            missing = [
                s.name
                for s in selectors.current_steps(record_case)
                if s.required and s.status != RecordCaseStep.Status.DONE
            ]
            if missing:
                raise DynamicCaseError(
                    _("Complete the required steps of “%(current)s” first: %(steps)s.")
                    % {"current": record_case.stage, "steps": ", ".join(missing)}
                )
        _leave_stage(record_case, user)
        _move_to(record_case, record, target, user)
    return record_case


def record_case_change(*, record, user=None) -> RecordCase:
    """Switch `record` to the case its choosing column now picks: cancel the open steps
    of the old case and start the new one at the same stage when it has it, else at
    its first stage."""
    with transaction.atomic():
        record_case = _locked_case(record)
        case = selectors.case_for(record)
        if case is None or case.pk == record_case.version.case_id:
            raise DynamicCaseError(_("No other case fits this record."))
        version = selectors.newest_version(case)
        if version is None:
            raise DynamicCaseError(_("The case “%(case)s” has no version.") % {"case": case})
        _leave_stage(record_case, user)
        record_case.version = version
        record_case.visited = []
        stage = version.stage(record_case.stage) or version.stages[0]
        _move_to(record_case, record, stage, user)
    return record_case


def _locked_case(record) -> RecordCase:
    record_case = (
        selectors.record_cases_of(record)
        .select_for_update(of=("self",))
        .select_related("version__case")
        .first()
    )
    if record_case is None:
        raise DynamicCaseError(_("This record runs no case."))
    return record_case


def _move_to(record_case, record, stage, user):
    record_case.stage = stage["value"]
    record_case.round += 1
    record_case.stage_entered_at = timezone.now()
    record_case.visited = [*record_case.visited, stage["value"]]
    record_case.save(update_fields=["version", "stage", "round", "stage_entered_at", "visited"])
    _set_record_stage(record, record_case.version, stage["value"])
    _enter_stage(record_case, record, stage, user)


def _set_record_stage(record, version, value):
    row = spec.lookup_row(type(record), version.stage_field, value)
    field = type(record)._meta.get_field(version.stage_field)
    if row is not None and getattr(record, field.attname) != row.pk:
        setattr(record, version.stage_field, row)
        fields = [version.stage_field]
        if any(f.name == "modified_at" for f in record._meta.concrete_fields):
            fields.append("modified_at")
        record.save(update_fields=fields)


def _enter_stage(record_case, record, stage, user):
    rows = [
        RecordCaseStep(
            record_case=record_case,
            round=record_case.round,
            stage=stage["value"],
            key=step["key"],
            name=step["name"],
            position=position,
            required=step["required"],
        )
        for position, step in enumerate(stage.get("steps", []))
    ]
    RecordCaseStep.objects.bulk_create(rows)
    for row, step in zip(rows, stage.get("steps", []), strict=True):
        if not step["start"]:
            _start_step(row, record_case, record, user)


def _start_step(row, record_case, record, user):
    variables = {"record_id": record.pk, "case_stage": record_case.stage}
    if is_registered(type(record)):
        variables["record"] = record_values(record)
    instance = instance_start(
        code=record_case.version.process_code(row.key),
        variables=variables,
        user=user,
        record=record,
        as_called=True,
        run_now=True,
    )
    row.instance = instance
    row.status = RecordCaseStep.Status.RUNNING
    row.started_at = timezone.now()
    row.save(update_fields=["instance", "status", "started_at"])
    if instance.status == "completed":
        # A step with nothing to wait for (a sub-process of system tasks) is done at once.
        _finish(row, record_case, record, user, RecordCaseStep.Status.DONE)


def _leave_stage(record_case, user):
    for row in selectors.current_steps(record_case):
        if not row.is_open:
            continue
        if row.instance_id and row.status == RecordCaseStep.Status.RUNNING:
            try:
                instance_cancel(instance_id=row.instance_id, user=user)
            except ProcessError:
                logger.info("step instance %s had already finished", row.instance_id)
        row.status = RecordCaseStep.Status.CANCELED
        row.finished_at = timezone.now()
        row.save(update_fields=["status", "finished_at"])


# -- steps -------------------------------------------------------------------------


def step_skip(*, step: RecordCaseStep, user) -> RecordCaseStep:
    """Skip an optional step of the current stage: its instance is canceled and the
    steps that follow it start. Only its owner (or a member of its role), a supervisor
    or staff may."""
    with transaction.atomic():
        record_case = RecordCase.objects.select_for_update().get(pk=step.record_case_id)
        step = RecordCaseStep.objects.select_for_update().get(pk=step.pk)
        if step.required:
            raise DynamicCaseError(
                _("“%(step)s” is required: it cannot be skipped.") % {"step": step.name}
            )
        if step.round != record_case.round or not step.is_open:
            raise DynamicCaseError(_("“%(step)s” is already closed.") % {"step": step.name})
        record = selectors.record_of(record_case)
        if not selectors.may_skip(step, user, record):
            raise DynamicCaseError(
                _("“%(step)s” is %(owner)s's step: only they or a supervisor can skip it.")
                % {
                    "step": step.name,
                    "owner": selectors.step_owner_name(step, record) or _("someone else"),
                }
            )
        if step.instance_id and step.status == RecordCaseStep.Status.RUNNING:
            try:
                instance_cancel(instance_id=step.instance_id, user=user)
            except ProcessError:
                logger.info("skipped step's instance %s had already finished", step.instance_id)
        _finish(step, record_case, record, user, RecordCaseStep.Status.SKIPPED, move=False)
    return step


def step_perform(*, step: RecordCaseStep, user, answer: str = "") -> RecordCaseStep:
    """Complete the waiting user step of `step`'s process from the record's action panel
    (Done, or the answer to a question). Only its owner or a member of its role may."""
    waiting = selectors.waiting_user_step(step)
    if waiting is None:
        raise DynamicCaseError(_("“%(step)s” has nothing waiting for you.") % {"step": step.name})
    if not selectors.may_perform(waiting, user):
        owner = waiting.owner.get_full_name() if waiting.owner else str(waiting.owner_role)
        raise DynamicCaseError(
            _("“%(step)s” is %(owner)s's step: only they can complete it.")
            % {"step": step.name, "owner": owner or _("someone else")}
        )
    answers = selectors.step_answers(step)
    if answers and answer not in answers:
        raise DynamicCaseError(
            _("Choose one of the answers: %(answers)s.") % {"answers": ", ".join(answers)}
        )
    variables = {"answer": answer} if answer else {}
    step_complete(
        instance_id=waiting.instance_id,
        step_number=waiting.number,
        user=user,
        variables=variables,
        result=answer,
    )
    step.refresh_from_db()
    return step


def record_step_finished(*, instance) -> RecordCaseStep | None:
    """A step's process completed (engine signal, after commit): mark it done, start the
    steps that follow it, and move the record on when the step says so."""
    with transaction.atomic():
        row = (
            RecordCaseStep.objects.select_for_update()
            .filter(instance_id=instance.pk, status=RecordCaseStep.Status.RUNNING)
            .first()
        )
        if row is None:
            return None
        record_case = (
            RecordCase.objects.select_for_update()
            .select_related("version__case")
            .get(pk=row.record_case_id)
        )
        record = selectors.record_of(record_case)
        _finish(row, record_case, record, instance.started_by, RecordCaseStep.Status.DONE)
    return row


def _finish(row, record_case, record, user, status, *, move=True):
    row.status = status
    row.finished_at = timezone.now()
    row.finished_by = user if user is not None and getattr(user, "pk", None) else None
    row.save(update_fields=["status", "finished_at", "finished_by"])
    if row.round != record_case.round or record is None:
        return
    version = record_case.version
    for follower in RecordCaseStep.objects.filter(
        record_case=record_case, round=row.round, status=RecordCaseStep.Status.PENDING
    ):
        step = version.step(row.stage, follower.key)
        if step and step["start"] == row.key:
            _start_step(follower, record_case, record, user)
    step = version.step(row.stage, row.key)
    if move and status == RecordCaseStep.Status.DONE and step and step["move_when_done"]:
        _move_on(record_case, record, user)


def _move_on(record_case, record, user):
    """ "Move to the next stage when done": to the first next stage, once every required
    step of the stage is done (a required step still open keeps the record where it is)."""
    record_case.refresh_from_db()
    if any(
        s.required and s.status != RecordCaseStep.Status.DONE
        for s in selectors.current_steps(record_case)
    ):
        return
    stage = record_case.version.stage(record_case.stage)
    target = next(iter(stage.get("next", [])), None) if stage else None
    if target is None:
        return
    _leave_stage(record_case, user)
    _move_to(record_case, record, record_case.version.stage(target), user)
