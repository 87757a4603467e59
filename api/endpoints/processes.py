"""Process definitions, instances, user steps, messages and signals.

Every write calls the service the Process library, the Process log and the step pages
call, with the same checks: the library and the log are for administrators, a user
step for its owner or a member of its role.
"""

import json
from datetime import date, datetime
from typing import Any, Literal

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from api.endpoints.pagination import Pages
from api.idempotency import create_once
from api.problems import BadInput
from processes import bounded_inputs, decisions, selectors, services, start_event_cache
from processes.engine.dmn import DecisionError
from processes.models import DecisionDefinition, ProcessDefinition, ProcessInstance, Step

router = Router()


def _staff_only(request):
    if not request.user.is_staff:
        raise PermissionDenied(_("Only administrators may do this."))


def _bounded(field: str, values: dict | None) -> dict | None:
    """Variables within the bounds every form keeps (text length, number size, JSON size
    and depth), or 400 naming the field and the variable at fault."""
    if values is None:
        return None
    try:
        return bounded_inputs.parse_variables(json.dumps(values), field)
    except forms.ValidationError as error:
        raise BadInput(field, " ".join(error.messages)) from None
    except (ValueError, RecursionError):
        raise BadInput(field, _("These variables cannot be stored.")) from None


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


class DeployedOut(Schema):
    processes: list[VersionOut]
    decisions: list["DecisionVersionOut"]
    warnings: list[str] = Field(
        description="What imports but probably not as meant (an owner naming nobody yet)."
    )


class DecisionOut(Schema):
    id: int
    code: str
    name: str
    versions: int = Field(validation_alias="version_count")
    newest_version: int | None = Field(validation_alias="newest_number")
    decisions: list[dict] = Field(
        validation_alias="newest_decisions",
        description="The newest version's decisions: [{id, name}]; business-rule tasks call them.",
    )
    created_at: datetime
    modified_at: datetime


class DecisionVersionOut(Schema):
    id: int
    model: str = Field(validation_alias="definition.code")
    number: int
    namespace: str
    checksum: str
    decisions: list[dict]
    created_at: datetime


DeployedOut.model_rebuild()


class EvaluateIn(Schema):
    decision: str = Field(
        "", max_length=200, description="Its id or name; left out: the model's first decision."
    )
    variables: dict = Field(default_factory=dict, description="The decision's inputs.")
    version: int | None = Field(None, ge=1, description="Left out: the newest version.")


class EvaluatedOut(Schema):
    decision: str
    version: int
    value: Any = Field(description="The decision's value, as a business-rule task receives it.")
    matched: list[dict] = Field(description="The decision-table rules that matched.")


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
    business_key: str


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
    business_key: str = Field(
        "",
        max_length=200,
        description="Your name for the instance (an order number); messages can correlate to it.",
    )


class VariablesIn(Schema):
    variables: dict


class CompleteIn(Schema):
    variables: dict = Field(default_factory=dict)
    result: str = Field("", max_length=200)


class PostponeIn(Schema):
    until: datetime


class MessageIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    correlation_key: str | None = Field(None, max_length=300)
    business_key: str = Field(
        "", max_length=200, description="Only the instance started with this business key."
    )
    variables: dict | None = None
    variable: str = Field("", max_length=200)


class SignalIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    variables: dict | None = None
    variable: str = Field("", max_length=200)


class ReceiversOut(Schema):
    receivers: int


class CompletedOut(Schema):
    completed: bool = Field(
        description="False when the step waits for its activity to be completed."
    )


# ------------------------------------------------------------ definitions


@router.get("/definitions", response=list[DefinitionOut], tags=["process definitions"])
@paginate(Pages)
def definitions_list(request, q: str = "", active_only: bool = False):
    _staff_only(request)
    return selectors.library_list(q=q, active_only=active_only)


@router.post(
    "/definitions/deploy",
    response={201: DeployedOut},
    tags=["process definitions", "decisions"],
    summary="Deploy BPMN and DMN files, as the Process library's upload does",
)
def definitions_deploy(
    request,
    files: File[list[UploadedFile]],
    activate: bool = Form(
        False,
        description="Activate each deployed process too; without it a new process is "
        "inactive, as after the Process library's upload (a re-deployed one keeps its state).",
    ),
):
    """Each process in the BPMN files becomes a new version, each DMN file a new version
    of its decision model. One file that cannot import refuses them all."""
    _staff_only(request)
    uploads = [(upload.name or "", upload.read()) for upload in files]

    def make():
        # All the files or none: a refused file (or activation) leaves no version of the others.
        with transaction.atomic():
            try:
                versions, decision_versions = services.library_import(
                    files=uploads, user=request.user
                )
            except services.LibraryImportError as error:
                raise BadInput(
                    "files",
                    _("This file cannot be imported: %(file)s. %(reason)s")
                    % {"file": error.filename, "reason": error.reason},
                ) from None
            if activate:
                for definition in {v.definition_id: v.definition for v in versions}.values():
                    services.process_set_active(definition=definition, active=True)
            # library_import forgets the start events it cached before this commit.
            transaction.on_commit(start_event_cache.forget)
        warnings = [
            f"{v.definition.code}: {warning}"
            for v in versions
            for warning in getattr(v, "import_warnings", ())
        ]
        return {
            "processes": [VersionOut.from_orm(v).model_dump(mode="json") for v in versions],
            "decisions": [
                DecisionVersionOut.from_orm(v).model_dump(mode="json") for v in decision_versions
            ],
            "warnings": warnings,
        }

    return create_once(request, make)


@router.get("/definitions/{code}", response=DefinitionOut, tags=["process definitions"])
def definition_read(request, code: str):
    _staff_only(request)
    return get_object_or_404(ProcessDefinition, code=code)


@router.get("/definitions/{code}/versions", response=list[VersionOut], tags=["process definitions"])
@paginate(Pages)
def definition_versions(request, code: str):
    _staff_only(request)
    definition = get_object_or_404(ProcessDefinition, code=code)
    return (
        definition.versions.filter(is_test_run=False)
        .select_related("definition")
        .defer("bpmn_xml")
        .order_by("-number")
    )


@router.post("/definitions/{code}/active", response=DefinitionOut, tags=["process definitions"])
def definition_set_active(request, code: str, payload: ActiveIn):
    _staff_only(request)
    definition = get_object_or_404(ProcessDefinition, code=code)
    definition, _canceled = services.process_set_active(
        definition=definition, active=payload.active, cancel_running=payload.cancel_running
    )
    return definition


# -------------------------------------------------------------- decisions


def _decision_model(code: str) -> DecisionDefinition:
    return get_object_or_404(selectors.decision_list(), code=code)


@router.get("/decisions", response=list[DecisionOut], tags=["decisions"])
@paginate(Pages)
def decisions_list(request, q: str = ""):
    """Decision models (deploy them as DMN files through /definitions/deploy)."""
    _staff_only(request)
    return selectors.decision_list(q=q.strip())


@router.get("/decisions/{code}", response=DecisionOut, tags=["decisions"])
def decision_read(request, code: str):
    _staff_only(request)
    return _decision_model(code)


@router.get("/decisions/{code}/versions", response=list[DecisionVersionOut], tags=["decisions"])
@paginate(Pages)
def decision_versions(request, code: str):
    """Every version, newest first: business-rule tasks call the newest one's decisions."""
    _staff_only(request)
    return selectors.decision_version_list(_decision_model(code)).select_related("definition")


@router.post("/decisions/{code}/evaluate", response=EvaluatedOut, tags=["decisions"])
def decision_evaluate(request, code: str, payload: EvaluateIn):
    """Evaluate a decision with inputs, as the decision page's form does; writes nothing."""
    _staff_only(request)
    model = _decision_model(code)
    versions = model.versions.order_by("-number")
    if payload.version is not None:
        version = versions.filter(number=payload.version).first()
        if version is None:
            raise BadInput(
                "version", _("This model has no version %(n)s.") % {"n": payload.version}
            )
    else:
        version = versions.first()
    names = [d for d in version.decisions if payload.decision in ("", d["id"], d["name"])]
    if not names:
        raise BadInput(
            "decision",
            _("The model has no decision “%(name)s”.") % {"name": payload.decision},
        )
    decision = names[0]["id"] or names[0]["name"]
    variables = _bounded("variables", payload.variables)
    try:
        outcome = decisions.evaluate_version(version, decision, variables)
    except DecisionError as error:
        raise BadInput("variables", str(error)) from None
    return {
        "decision": decision,
        "version": version.number,
        "value": outcome.value,
        "matched": outcome.matched_json(),
    }


# -------------------------------------------------------------- instances


INSTANCE_LIST_FIELDS = (
    "pk",
    "status",
    "error",
    "started_at",
    "completed_at",
    "started_by_id",
    "parent_id",
    "business_key",
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
@paginate(Pages)
def instances_list(
    request,
    process: str = "",
    status: ProcessInstance.Status | None = None,
    started_by: int | None = None,
    started_from: date | None = None,
    started_to: date | None = None,
    business_key: str = "",
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
    instances = selectors.instance_list(filters)
    if business_key:
        instances = instances.filter(business_key=business_key.strip())
    return instances.select_related("version").only(*INSTANCE_LIST_FIELDS)


@router.post("/instances", response={201: InstanceDetailOut}, tags=["process instances"])
def instance_start(request, payload: StartIn):
    _staff_only(request)
    definition = get_object_or_404(ProcessDefinition, code=payload.process)
    variables = _bounded("variables", payload.variables)

    def make():
        instance = services.instance_start(
            definition=definition,
            variables=variables,
            user=request.user,
            business_key=payload.business_key.strip(),
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
        instance_id=_instance(instance_id).pk,
        variables=_bounded("variables", payload.variables),
        user=request.user,
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
@paginate(Pages)
def user_steps_mine(request, whose: Literal["all", "mine", "my_roles"] = "all"):
    """The waiting user steps of the caller and of the caller's roles, due ones first.

    `mine`: only those given to the caller; `my_roles`: only those waiting for one of
    the caller's roles (claim one to make it yours)."""
    steps = selectors.steps_for_user(request.user, with_records=False)
    if whose == "mine":
        return [step for step in steps if step.owner_id == request.user.pk]
    if whose == "my_roles":
        return [step for step in steps if step.owner_id is None]
    return steps


@router.get("/user-steps/{instance_id}/{number}", response=UserStepOut, tags=["user steps"])
def user_step_read(request, instance_id: int, number: int):
    step = _user_step(instance_id, number)
    if not step.can_be_done_by(request.user):
        raise services.StepNotYours(step)
    return step


@router.post(
    "/user-steps/{instance_id}/{number}/claim",
    response=UserStepOut,
    tags=["user steps"],
    summary="Take a step waiting for one of your roles (it becomes yours)",
)
def user_step_claim(request, instance_id: int, number: int):
    _user_step(instance_id, number)
    services.step_reassign(
        instance_id=instance_id, step_number=number, user=request.user, owner=request.user
    )
    return _user_step(instance_id, number)


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
        variables=_bounded("variables", payload.variables),
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
    """Deliver a message by name (and correlation key, or business key) to the waiting
    instance it is meant for; several matching instances are 409."""
    _staff_only(request)
    receivers = services.message_deliver(
        name=payload.name,
        payload=_bounded("variables", payload.variables),
        correlation_key=payload.correlation_key,
        business_key=payload.business_key.strip() or None,
        variable=payload.variable,
    )
    return {"receivers": receivers}


@router.post("/signals", response=ReceiversOut, tags=["events"])
def signal_throw(request, payload: SignalIn):
    """Throw a signal to every waiting instance and signal-start process."""
    _staff_only(request)
    receivers = services.signal_broadcast(
        name=payload.name,
        payload=_bounded("variables", payload.variables),
        variable=payload.variable,
    )
    return {"receivers": receivers}
