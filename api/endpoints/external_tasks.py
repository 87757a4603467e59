"""External tasks: workers outside Flowdesk fetch and lock the steps waiting on their
topic, then complete them, report a failure or a BPMN error, extend or drop the lock.

Every call goes through processes.external_tasks, for administrators (the Process
log's people); a lock held by another worker is 409, a value out of bounds 400.
"""

from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from api.problems import BadInput
from processes.models import Step
from processes.services import external_tasks

router = Router(tags=["external tasks"])


# ---------------------------------------------------------------- schemas


class TopicIn(Schema):
    name: str = Field(description="The topic (camunda:topic, zeebe:taskDefinition type).")
    lock_duration_ms: int = Field(description="How long the worker holds each task it gets.")
    variables: list[str] | None = Field(
        default=None, description="The variables to send with each task; all when left out."
    )


class FetchIn(Schema):
    worker_id: str
    max_tasks: int = Field(default=10, description="At most this many tasks (up to 500).")
    topics: list[TopicIn]
    wait_ms: int = Field(
        default=0, description="Wait up to this long for work when there is none (up to 30 s)."
    )


class ExternalTaskOut(Schema):
    id: int = Field(validation_alias="pk")
    topic: str
    status: str
    worker_id: str
    lock_expires_at: datetime | None
    retries: int | None
    error_message: str = Field(validation_alias="worker_error")
    instance_id: int
    activity_id: str = Field(validation_alias="element_id")
    activity_name: str = Field(validation_alias="name")
    started_at: datetime


class LockedTaskOut(ExternalTaskOut):
    process: str
    version: int
    business_key: str
    variables: dict


class CompleteIn(Schema):
    worker_id: str
    variables: dict = Field(default_factory=dict)


class FailureIn(Schema):
    worker_id: str
    error_message: str = ""
    error_details: str = ""
    retries: int = Field(default=0, description="Retries left; 0 puts the step in Error.")
    retry_timeout_ms: int = Field(default=0, description="Fetched again after this long.")


class BpmnErrorIn(Schema):
    worker_id: str
    error_code: str
    error_message: str = ""
    variables: dict = Field(default_factory=dict)


class ExtendLockIn(Schema):
    worker_id: str
    new_duration_ms: int


def _bounded(call, **arguments):
    """The service's refusal of a value as a 400 naming the field."""
    try:
        return call(**arguments)
    except external_tasks.ExternalTaskInputError as error:
        raise BadInput(error.field, error.detail) from None


def locked_task(task: external_tasks.LockedTask) -> Step:
    """The locked step with its instance's facts, as LockedTaskOut reads it."""
    row = task.step
    row.topic, row.process, row.version = task.topic, task.process_code, task.version
    row.business_key, row.variables = task.business_key, task.variables
    return row


def _task(row: Step) -> Step:
    row.topic = (row.data or {}).get("topic", "")
    return row


# ---------------------------------------------------------------- endpoints


@router.get("/external-tasks", response=list[ExternalTaskOut])
@paginate(PageNumberPagination)
def external_task_list(
    request,
    topic: str = "",
    locked: bool | None = None,
    worker_id: str = "",
    instance_id: int | None = None,
):
    """Open external tasks, oldest first: waiting ones, and those in Error (no retries left)."""
    return external_tasks.external_task_list(
        user=request.user, topic=topic, locked=locked, worker_id=worker_id, instance_id=instance_id
    )


@router.post(
    "/external-tasks/fetch-and-lock",
    response=list[LockedTaskOut],
    summary="Lock waiting tasks of the topics for this worker",
)
def external_task_fetch_and_lock(request, payload: FetchIn):
    tasks = _bounded(
        external_tasks.fetch_and_lock,
        worker_id=payload.worker_id,
        topics=[
            external_tasks.TopicRequest(t.name, t.lock_duration_ms, t.variables)
            for t in payload.topics
        ],
        max_tasks=payload.max_tasks,
        wait_ms=payload.wait_ms,
        user=request.user,
    )
    return [locked_task(task) for task in tasks]


@router.get("/external-tasks/{task_id}", response=ExternalTaskOut)
def external_task_read(request, task_id: int):
    return external_tasks.external_task_get(task_id, user=request.user)


@router.post("/external-tasks/{task_id}/complete", response=ExternalTaskOut)
def external_task_complete(request, task_id: int, payload: CompleteIn):
    row = _bounded(
        external_tasks.complete,
        task_id=task_id,
        worker_id=payload.worker_id,
        variables=payload.variables,
        user=request.user,
    )
    return _task(row)


@router.post("/external-tasks/{task_id}/failure", response=ExternalTaskOut)
def external_task_failure(request, task_id: int, payload: FailureIn):
    row = _bounded(
        external_tasks.failure,
        task_id=task_id,
        worker_id=payload.worker_id,
        error_message=payload.error_message,
        error_details=payload.error_details,
        retries=payload.retries,
        retry_timeout_ms=payload.retry_timeout_ms,
        user=request.user,
    )
    return _task(row)


@router.post("/external-tasks/{task_id}/bpmn-error", response=ExternalTaskOut)
def external_task_bpmn_error(request, task_id: int, payload: BpmnErrorIn):
    row = _bounded(
        external_tasks.bpmn_error,
        task_id=task_id,
        worker_id=payload.worker_id,
        error_code=payload.error_code,
        error_message=payload.error_message,
        variables=payload.variables,
        user=request.user,
    )
    return _task(row)


@router.post("/external-tasks/{task_id}/extend-lock", response=ExternalTaskOut)
def external_task_extend_lock(request, task_id: int, payload: ExtendLockIn):
    row = _bounded(
        external_tasks.extend_lock,
        task_id=task_id,
        worker_id=payload.worker_id,
        new_duration_ms=payload.new_duration_ms,
        user=request.user,
    )
    return _task(row)


@router.post("/external-tasks/{task_id}/unlock", response=ExternalTaskOut)
def external_task_unlock(request, task_id: int):
    return _task(_bounded(external_tasks.unlock, task_id=task_id, user=request.user))
