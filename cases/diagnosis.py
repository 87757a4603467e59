"""The built-in diagnosis process: an incident's assignee gets a diagnosis task, which
closes the way the case moves (solved, canceled, waiting, escalated)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.contrib.contenttypes.models import ContentType

from cases.models import Case
from processes.models import ProcessDefinition, Step
from processes.services import (
    ProcessError,
    instance_cancel,
    instance_start,
    process_import,
    step_complete,
)

logger = logging.getLogger(__name__)

DIAGNOSIS_PROCESS = "case_diagnosis"
DIAGNOSIS_BPMN = Path(__file__).parent / "bpmn" / "case_diagnosis.bpmn"
INCIDENT_CATEGORY = "incident"

RESULT_SOLVED = "Solution found"
RESULT_CANCELED = "Canceled"
RESULT_WAITING = "Additional information required"
RESULT_ESCALATED = "Escalation required"


def diagnosis_definition(*, user=None):
    """The built-in diagnosis process, imported from cases/bpmn on first use."""
    definition = ProcessDefinition.objects.filter(code=DIAGNOSIS_PROCESS).first()
    if definition is None:
        process_import(data=DIAGNOSIS_BPMN.read_bytes(), user=user)
        definition = ProcessDefinition.objects.get(code=DIAGNOSIS_PROCESS)
        ProcessDefinition.objects.filter(pk=definition.pk).update(is_system=True)
        definition.is_system = True
    return definition


def diagnosis_step(case):
    """The case's open diagnosis task (a waiting user step), if any."""
    return (
        Step.objects.filter(
            instance__definition__code=DIAGNOSIS_PROCESS,
            instance__record_type=ContentType.objects.get_for_model(Case),
            instance__record_id=str(case.pk),
            instance__status="running",
            status="waiting",
            is_user_step=True,
        )
        .select_related("owner", "instance")
        .order_by("-instance_id", "-number")
        .first()
    )


def _closing_result(case, step, *, assignment_changed) -> str:
    status = case.status
    if status.is_resolved:
        return RESULT_SOLVED
    if status.is_canceled:
        return RESULT_CANCELED
    if status.is_paused:
        return RESULT_WAITING
    if assignment_changed or (step is not None and step.owner_id != case.assignee_id):
        return RESULT_ESCALATED
    return ""


def diagnosis_sync(case, actor, *, assignment_changed=False) -> None:
    """Close the diagnosis task the way the case moved; start one for its assignee when
    an incident is active and assigned."""
    step = diagnosis_step(case)
    result = _closing_result(case, step, assignment_changed=assignment_changed)
    if step is not None and result == RESULT_CANCELED:
        # The case was canceled: so is its task (not completed with a "Canceled" result).
        instance_cancel(instance_id=step.instance_id, user=actor)
        step = None
    elif step is not None and result:
        step_complete(
            instance_id=step.instance_id, step_number=step.number, user=actor, result=result
        )
        step = None
    is_incident = case.category_id is not None and case.category.code == INCIDENT_CATEGORY
    if step is None and is_incident and case.status.is_active and case.assignee_id:
        definition = diagnosis_definition(user=actor)
        if not definition.is_active:
            return
        try:
            instance_start(
                definition=definition,
                variables={
                    "case_id": case.pk,
                    "case_number": case.number or "",
                    "assignee": case.assignee.get_username(),
                },
                user=actor,
                record=case,
                run_now=True,
            )
        except ProcessError:
            logger.exception("could not start the diagnosis process for case %s", case.pk)
