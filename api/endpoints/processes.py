"""Process definitions, instances, user steps, messages and signals.

Every write calls the service the Process library, the Process log and the step pages
call, with the same checks: the library and the log are for administrators, a user
step for its owner or a member of its role.
"""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import Field

from api.idempotency import create_once
from api.problems import BadInput
from processes import selectors, services, start_event_cache
from processes.models import ProcessDefinition, ProcessInstance, Step

router = Router()


def _staff_only(request):
    if not request.user.is_staff:
        raise PermissionDenied(_("Only administrators may do this."))


# ---------------------------------------------------------------- schemas


class DefinitionOut(Schema):
    id: int
    code: str
    name: str
    description: str
    is_active: bool
    created_at: datetime
    modified_at: datetime


class VersionOut(Schema):
    id: int
    process: str = Field(validation_alias="definition.code")
    number: int
    name: str
    checksum: str
    created_at: datetime


class StepOut(Schema):
    number: int
    element_id: str
    element_type: str
    name: str
    status: str
    started_at: datetime
    completed_at: datetime | None
    due_at: datetime | None
    postponed_until: datetime | None
    is_user_step: bool
    owner_id: int | None
    owner_role_id: int | None
    result: str
    error: str


class InstanceOut(Schema):
    id: int
    process: str = Field(validation_alias="definition.code")
    version: int = Field(validation_alias="version.number")
    status: str
    error: str
    started_at: datetime
    completed_at: datetime | None
    started_by_id: int | None
    parent_id: int | None


class InstanceDetailOut(InstanceOut):
    variables: dict
    steps: list[StepOut] = Field(validation_alias="step_rows")


class UserStepOut(StepOut):
    instance_id: int
    process: str = Field(validation_alias="instance.definition.code")


class ActiveIn(Schema):
    active: bool
    cancel_running: bool = False


class StartIn(Schema):
    process: str = Field(description="The process code (its BPMN process id).")
    variables: dict = Field(default_factory=dict)


class VariablesIn(Schema):
    variables: dict


class CompleteIn(Schema):
    variables: dict = Field(default_factory=dict)
    result: str = ""


class PostponeIn(Schema):
    until: datetime


class MessageIn(Schema):
    name: str = Field(min_length=1)
    correlation_key: str | None = None
    variables: dict | None = None
    variable: str = ""


class SignalIn(Schema):
    name: str = Field(min_length=1)
    variables: dict | None = None
    variable: str = ""


class ReceiversOut(Schema):
    receivers: int


class CompletedOut(Schema):
    completed: bool = Field(
        description="False when the step waits for its activity to be completed."
    )


# ------------------------------------------------------------ definitions


@router.get("/definitions", response=list[DefinitionOut], tags=["process definitions"])
@paginate(PageNumberPagination)
def definitions_list(request, q: str = "", active_only: bool = False):
    _staff_only(request)
    return selectors.library_list(q=q, active_only=active_only)


@router.post(
    "/definitions/deploy",
    response={201: list[VersionOut]},
    tags=["process definitions"],
    summary="Deploy BPMN files: each process in them becomes a new version",
)
def definitions_deploy(request, files: File[list[UploadedFile]], activate: bool = True):
    _staff_only(request)

    def make():
        # All the files or none: a refused file leaves no version of the others.
        with transaction.atomic():
            versions = []
            for upload in files:
                versions += services.process_import(
                    data=upload.read(), user=request.user, activate=activate
                )
            # process_import forgets the start events it cached before this commit.
            transaction.on_commit(start_event_cache.forget)
        return [VersionOut.from_orm(v).model_dump(mode="json") for v in versions]

    return create_once(request, make)


@router.get("/definitions/{code}", response=DefinitionOut, tags=["process definitions"])
def definition_read(request, code: str):
    _staff_only(request)
    return get_object_or_404(ProcessDefinition, code=code)


@router.get("/definitions/{code}/versions", response=list[VersionOut], tags=["process definitions"])
@paginate(PageNumberPagination)
def definition_versions(request, code: str):
    _staff_only(request)
    definition = get_object_or_404(ProcessDefinition, code=code)
    return definition.versions.select_related("definition").defer("bpmn_xml").order_by("-number")


@router.post("/definitions/{code}/active", response=DefinitionOut, tags=["process definitions"])
def definition_set_active(request, code: str, payload: ActiveIn):
    _staff_only(request)
    definition = get_object_or_404(ProcessDefinition, code=code)
    definition, _canceled = services.process_set_active(
        definition=definition, active=payload.active, cancel_running=payload.cancel_running
    )
    return definition


# -------------------------------------------------------------- instances


INSTANCE_LIST_FIELDS = (
    "pk",
    "status",
    "error",
    "started_at",
    "completed_at",
    "started_by_id",
    "parent_id",
    "definition__code",
    "version__number",
)


def _instance(pk: int) -> ProcessInstance:
    return get_object_or_404(ProcessInstance.objects.select_related("definition", "version"), pk=pk)


def _detail(instance: ProcessInstance) -> ProcessInstance:
    """The instance with its steps, as InstanceDetailOut reads it."""
    instance.step_rows = list(selectors.instance_steps(instance))
    return instance


def _detail_json(instance: ProcessInstance) -> dict:
    return InstanceDetailOut.from_orm(_detail(instance)).model_dump(mode="json")


@router.get("/instances", response=list[InstanceOut], tags=["process instances"])
@paginate(PageNumberPagination)
def instances_list(
    request,
    process: str = "",
    status: ProcessInstance.Status | None = None,
    started_by: int | None = None,
    started_from: date | None = None,
    started_to: date | None = None,
):
    _staff_only(request)
    definition_id = None
    if process:
        definition_id = get_object_or_404(ProcessDefinition, code=process).pk
    filters = selectors.LogFilters(
        process=definition_id,
        status=status or "",
        owner=started_by,
        started_from=started_from,
        started_to=started_to,
    )
    return selectors.instance_list(filters).select_related("version").only(*INSTANCE_LIST_FIELDS)


@router.post("/instances", response={201: InstanceDetailOut}, tags=["process instances"])
def instance_start(request, payload: StartIn):
    _staff_only(request)
    definition = get_object_or_404(ProcessDefinition, code=payload.process)

    def make():
        instance = services.instance_start(
            definition=definition, variables=payload.variables, user=request.user
        )
        return _detail_json(_instance(instance.pk))

    return create_once(request, make)


@router.get("/instances/{instance_id}", response=InstanceDetailOut, tags=["process instances"])
def instance_read(request, instance_id: int):
    _staff_only(request)
    return _detail(_instance(instance_id))


@router.post(
    "/instances/{instance_id}/cancel", response=InstanceDetailOut, tags=["process instances"]
)
def instance_cancel(request, instance_id: int):
    _staff_only(request)
    services.instance_cancel(instance_id=_instance(instance_id).pk, user=request.user)
    return _detail(_instance(instance_id))


@router.put(
    "/instances/{instance_id}/variables", response=InstanceDetailOut, tags=["process instances"]
)
def instance_set_variables(request, instance_id: int, payload: VariablesIn):
    _staff_only(request)
    services.instance_update_variables(
        instance_id=_instance(instance_id).pk, variables=payload.variables, user=request.user
    )
    return _detail(_instance(instance_id))


@router.post(
    "/instances/{instance_id}/steps/{number}/retry",
    response=InstanceDetailOut,
    tags=["process instances"],
    summary="Run a failed step again (the Process log's Run item)",
)
def instance_retry_step(request, instance_id: int, number: int):
    _staff_only(request)
    services.step_retry(
        instance_id=_instance(instance_id).pk, step_number=number, user=request.user
    )
    return _detail(_instance(instance_id))


# ------------------------------------------------------------- user steps


def _user_step(instance_id: int, number: int) -> Step:
    step = selectors.step_for_page(instance_id, number)
    if step is None:
        raise Http404(_("No such user step."))
    return step


@router.get("/user-steps", response=list[UserStepOut], tags=["user steps"])
@paginate(PageNumberPagination)
def user_steps_mine(request):
    """The waiting user steps of the caller and of the caller's roles, due ones first."""
    return selectors.steps_for_user(request.user, with_records=False)


@router.get("/user-steps/{instance_id}/{number}", response=UserStepOut, tags=["user steps"])
def user_step_read(request, instance_id: int, number: int):
    step = _user_step(instance_id, number)
    if not step.can_be_done_by(request.user):
        raise services.StepNotYours(step)
    return step


@router.post(
    "/user-steps/{instance_id}/{number}/complete",
    response=CompletedOut,
    tags=["user steps"],
    summary="Complete the step with variables (and a result)",
)
def user_step_complete(request, instance_id: int, number: int, payload: CompleteIn):
    _user_step(instance_id, number)
    completed = services.step_submit_page(
        instance_id=instance_id,
        step_number=number,
        user=request.user,
        variables=payload.variables,
        result=payload.result,
    )
    return {"completed": completed}


@router.post(
    "/user-steps/{instance_id}/{number}/postpone", response=UserStepOut, tags=["user steps"]
)
def user_step_postpone(request, instance_id: int, number: int, payload: PostponeIn):
    _user_step(instance_id, number)
    if payload.until <= timezone.now():
        raise BadInput("until", _("Choose a date and time in the future."))
    return services.step_postpone(
        instance_id=instance_id, step_number=number, user=request.user, until=payload.until
    )


# ------------------------------------------------------- messages, signals


@router.post("/messages", response=ReceiversOut, tags=["events"])
def message_correlate(request, payload: MessageIn):
    """Deliver a message by name (and correlation key) to the waiting instances."""
    _staff_only(request)
    receivers = services.message_deliver(
        name=payload.name,
        payload=payload.variables,
        correlation_key=payload.correlation_key,
        variable=payload.variable,
    )
    return {"receivers": receivers}


@router.post("/signals", response=ReceiversOut, tags=["events"])
def signal_throw(request, payload: SignalIn):
    """Throw a signal to every waiting instance and signal-start process."""
    _staff_only(request)
    receivers = services.signal_broadcast(
        name=payload.name, payload=payload.variables, variable=payload.variable
    )
    return {"receivers": receivers}
