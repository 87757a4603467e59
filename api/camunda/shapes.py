"""Flowdesk's rows in Camunda 7's JSON shapes, and Camunda's ids back to rows.

Ids are strings Camunda clients take as they are:

    process definition   "<process code>:<version number>:<version id>"  (as Camunda's)
    deployment           "<version id>" of the first version a deployment made
    process instance     "<instance id>"
    task                 "<step id>" (a user step)

Times go out as Camunda writes them, `2026-12-01T11:20:00.000+0000`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.models import ProcessInstance, ProcessVersion, Step

MAX_RESULTS = 1000  # one page of a list, however many a client asks for


def camunda_time(moment) -> str | None:
    if moment is None:
        return None
    local = timezone.localtime(moment)
    return (
        local.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{local.microsecond // 1000:03d}"
        + (local.strftime("%z"))
    )


def staff_only(request) -> None:
    """Definitions, deployments, instances, messages and signals are for administrators,
    as in the Process library, the Process log and Flowdesk's own API."""
    if not request.user.is_staff:
        raise PermissionDenied(_("Only administrators may do this."))


def page(queryset, first_result: int, max_results: int | None):
    first = max(first_result or 0, 0)
    size = MAX_RESULTS if max_results is None else min(max(max_results, 0), MAX_RESULTS)
    return queryset[first : first + size]


# ---------------------------------------------------------------- ids


def definition_id(version: ProcessVersion) -> str:
    return f"{version.definition.code}:{version.number}:{version.pk}"


def version_pk(text: str) -> int | None:
    """The version id at the end of a process definition id (None when there is none)."""
    tail = text.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() and len(tail) < 19 else None


def row_pk(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 19 else None


# ------------------------------------------------------------- shapes


def definition_json(version: ProcessVersion) -> dict:
    definition = version.definition
    return {
        "id": definition_id(version),
        "key": definition.code,
        "category": "http://bpmn.io/schema/bpmn",
        "description": definition.description or None,
        "name": version.name or definition.name,
        "version": version.number,
        "resource": f"{definition.code}.bpmn",
        "deploymentId": str(version.pk),
        "diagram": None,
        "suspended": not definition.is_active,
        "tenantId": None,
        "versionTag": None,
        "historyTimeToLive": None,
        "startableInTasklist": True,
    }


def deployment_json(pk, name, source, at, versions=None, decisions=None) -> dict:
    """A deployment; with `versions`, what it deployed (None when it deployed nothing new)."""
    body = {
        "links": [],
        "id": str(pk),
        "name": name,
        "source": source,
        "deploymentTime": camunda_time(at),
        "tenantId": None,
    }
    if versions is not None:
        body.update(
            deployedProcessDefinitions={definition_id(v): definition_json(v) for v in versions}
            or None,
            deployedCaseDefinitions=None,
            deployedDecisionDefinitions=decisions or None,
            deployedDecisionRequirementsDefinitions=None,
        )
    return body


def instance_json(instance: ProcessInstance, request=None) -> dict:
    href = f"/engine-rest/process-instance/{instance.pk}"
    if request is not None:
        href = request.build_absolute_uri(href)
    return {
        "links": [{"method": "GET", "href": href, "rel": "self"}],
        "id": str(instance.pk),
        "definitionId": definition_id(instance.version),
        "businessKey": instance.business_key or None,
        "caseInstanceId": None,
        "ended": instance.status
        in (ProcessInstance.Status.COMPLETED, ProcessInstance.Status.CANCELED),
        "suspended": False,
        "tenantId": None,
    }


def task_json(step: Step) -> dict:
    instance = step.instance
    return {
        "id": str(step.pk),
        "name": step.name or step.element_id,
        "assignee": step.owner.get_username() if step.owner_id and step.owner else None,
        "created": camunda_time(step.started_at),
        "due": camunda_time(step.due_at),
        "followUp": camunda_time(step.postponed_until),
        "lastUpdated": None,
        "delegationState": None,
        "description": None,
        "executionId": str(instance.pk),
        "owner": None,
        "parentTaskId": None,
        "priority": 50,
        "processDefinitionId": definition_id(instance.version),
        "processInstanceId": str(instance.pk),
        "taskDefinitionKey": step.element_id,
        "caseExecutionId": None,
        "caseInstanceId": None,
        "caseDefinitionId": None,
        "suspended": False,
        "formKey": None,
        "camundaFormRef": None,
        "tenantId": None,
    }
