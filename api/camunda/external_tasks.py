"""Camunda 7's /external-task routes over Flowdesk's external tasks.

Mounted on the /engine-rest/ API with `api.add_router("/external-task", router)`.
The JSON is Camunda's (camelCase, typed variables, ids as text, 204 without a body);
the work is processes.external_tasks, the same service /api/external-tasks calls.
Supported: fetchAndLock (workerId, maxTasks, asyncResponseTimeout, topics with
topicName, lockDuration, variables), complete, failure, bpmnError, extendLock,
unlock, GET /external-task (topicName, workerId, locked, notLocked,
processInstanceId, withRetriesLeft, noRetriesLeft, firstResult, maxResults) and
GET /external-task/{id}. Accepted and ignored: usePriority, sorting,
processVariables, deserializeValues, includeExtensionProperties, localVariables.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from api.camunda.variables import VariableError, variables_in, variables_out
from processes.models import Step
from processes.services import external_tasks

router = Router(tags=["external tasks"])

MAX_ASYNC_RESPONSE_MS = external_tasks.MAX_WAIT_MS
MAX_RESULTS = 1000


def camunda_time(moment: datetime | None) -> str | None:
    """Camunda's date format: 2026-06-30T21:33:31.000+0000."""
    if moment is None:
        return None
    return (
        moment.strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}"
        + (moment.strftime("%z") or "+0000")
    )


class TopicIn(Schema):
    topicName: str  # noqa: N815 - Camunda's names
    lockDuration: int  # noqa: N815
    variables: list[str] | None = None


class FetchAndLockIn(Schema):
    workerId: str  # noqa: N815
    maxTasks: int = 1  # noqa: N815
    usePriority: bool | None = None  # noqa: N815
    asyncResponseTimeout: int | None = None  # noqa: N815
    topics: list[TopicIn] = Field(default_factory=list)


class CompleteIn(Schema):
    workerId: str  # noqa: N815
    variables: dict | None = None
    localVariables: dict | None = None  # noqa: N815


class FailureIn(Schema):
    workerId: str  # noqa: N815
    errorMessage: str | None = None  # noqa: N815
    errorDetails: str | None = None  # noqa: N815
    retries: int | None = 0
    retryTimeout: int | None = 0  # noqa: N815


class BpmnErrorIn(Schema):
    workerId: str  # noqa: N815
    errorCode: str  # noqa: N815
    errorMessage: str | None = None  # noqa: N815
    variables: dict | None = None


class ExtendLockIn(Schema):
    workerId: str  # noqa: N815
    newDuration: int  # noqa: N815


class ListQuery(Schema):
    topicName: str = ""  # noqa: N815
    workerId: str = ""  # noqa: N815
    locked: bool = False
    notLocked: bool = False  # noqa: N815
    processInstanceId: int | None = None  # noqa: N815
    withRetriesLeft: bool = False  # noqa: N815
    noRetriesLeft: bool = False  # noqa: N815
    firstResult: int = Field(default=0, ge=0)  # noqa: N815
    maxResults: int = Field(default=100, ge=0, le=MAX_RESULTS)  # noqa: N815


NAMES = {
    "worker_id": "workerId",
    "max_tasks": "maxTasks",
    "wait_ms": "asyncResponseTimeout",
    "lock_duration_ms": "lockDuration",
    "name": "topicName",
    "error_message": "errorMessage",
    "error_details": "errorDetails",
    "retry_timeout_ms": "retryTimeout",
    "error_code": "errorCode",
    "new_duration_ms": "newDuration",
}


def _camunda_field(field: str) -> str:
    parts = field.split(".")
    return ".".join(NAMES.get(part, part) for part in parts)


def _call(call, **arguments):
    """The service's refusal of a value as Camunda's 400, naming Camunda's field."""
    try:
        return call(**arguments)
    except external_tasks.ExternalTaskInputError as error:
        field = _camunda_field(error.field)
        raise VariableError(field, f"{field}: {error.detail}") from None


def _done():
    return HttpResponse(status=204)


def task_json(row: Step, *, topic: str = "", variables: dict | None = None, extra=None) -> dict:
    instance = row.instance
    definition = instance.definition
    return {
        "id": str(row.pk),
        "topicName": topic or (row.data or {}).get("topic", ""),
        "workerId": row.worker_id or None,
        "lockExpirationTime": camunda_time(row.lock_expires_at),
        "retries": row.retries,
        "errorMessage": row.worker_error or None,
        "errorDetails": None,
        "processInstanceId": str(row.instance_id),
        "executionId": f"{row.instance_id}:{row.number}",
        "activityId": row.element_id,
        "activityInstanceId": f"{row.element_id}:{row.pk}",
        "processDefinitionId": f"{definition.code}:{instance.version_id}",
        "processDefinitionKey": definition.code,
        "processDefinitionVersionTag": None,
        "businessKey": instance.business_key or None,
        "tenantId": None,
        "priority": 0,
        "suspended": False,
        "createTime": camunda_time(row.started_at),
        "extensionProperties": {},
        **({"variables": variables_out(variables)} if variables is not None else {}),
        **(extra or {}),
    }


@router.post("/fetchAndLock")
def fetch_and_lock(request, payload: FetchAndLockIn):
    """Lock tasks of the topics for the worker; with asyncResponseTimeout, wait for work."""
    wait = min(max(payload.asyncResponseTimeout or 0, 0), MAX_ASYNC_RESPONSE_MS)
    tasks = _call(
        external_tasks.fetch_and_lock,
        worker_id=payload.workerId,
        topics=[
            external_tasks.TopicRequest(t.topicName, t.lockDuration, t.variables)
            for t in payload.topics
        ],
        max_tasks=payload.maxTasks,
        wait_ms=wait,
        user=request.user,
    )
    rows = {
        row.pk: row
        for row in Step.objects.filter(pk__in=[t.step.pk for t in tasks]).select_related(
            "instance__definition"
        )
    }
    out = []
    for task in tasks:
        row = rows.get(task.step.pk, task.step)
        row.worker_id, row.lock_expires_at = task.step.worker_id, task.step.lock_expires_at
        out.append(task_json(row, topic=task.topic, variables=task.variables))
    return out


@router.get("")
def task_list(request, filters: Query[ListQuery]):
    locked = True if filters.locked else (False if filters.notLocked else None)
    retries = True if filters.withRetriesLeft else (False if filters.noRetriesLeft else None)
    rows = external_tasks.external_task_list(
        user=request.user,
        topic=filters.topicName,
        locked=locked,
        worker_id=filters.workerId,
        instance_id=filters.processInstanceId,
        with_retries_left=retries,
    ).select_related("instance__definition")
    page = rows[filters.firstResult : filters.firstResult + filters.maxResults]
    return [task_json(row) for row in page]


@router.get("/{task_id}")
def task_read(request, task_id: str):
    row = external_tasks.external_task_get(external_tasks.task_number(task_id), user=request.user)
    return task_json(row)


@router.post("/{task_id}/complete")
def complete(request, task_id: str, payload: CompleteIn):
    _call(
        external_tasks.complete,
        task_id=task_id,
        worker_id=payload.workerId,
        variables=variables_in(payload.variables),
        user=request.user,
    )
    return _done()


@router.post("/{task_id}/failure")
def failure(request, task_id: str, payload: FailureIn):
    _call(
        external_tasks.failure,
        task_id=task_id,
        worker_id=payload.workerId,
        error_message=payload.errorMessage or "",
        error_details=payload.errorDetails or "",
        retries=payload.retries or 0,
        retry_timeout_ms=payload.retryTimeout or 0,
        user=request.user,
    )
    return _done()


@router.post("/{task_id}/bpmnError")
def bpmn_error(request, task_id: str, payload: BpmnErrorIn):
    _call(
        external_tasks.bpmn_error,
        task_id=task_id,
        worker_id=payload.workerId,
        error_code=payload.errorCode,
        error_message=payload.errorMessage or "",
        variables=variables_in(payload.variables),
        user=request.user,
    )
    return _done()


@router.post("/{task_id}/extendLock")
def extend_lock(request, task_id: str, payload: ExtendLockIn):
    _call(
        external_tasks.extend_lock,
        task_id=task_id,
        worker_id=payload.workerId,
        new_duration_ms=payload.newDuration,
        user=request.user,
    )
    return _done()


@router.post("/{task_id}/unlock")
def unlock(request, task_id: str):
    _call(external_tasks.unlock, task_id=task_id, user=request.user)
    return _done()
