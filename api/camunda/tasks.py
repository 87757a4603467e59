"""GET /task (and by id, its form variables), POST /task/{id}/claim, /unclaim, /complete.

A Camunda task is a waiting Flowdesk user step. Its assignee is the step's owner, its
candidate group the step's role. A user sees the steps they may do (their own and their
roles'), an administrator every waiting step, as the Business process tasks tab and the
Process log show them. Claiming gives the step to a user, unclaiming gives it back to the
role its model names; completing submits the step as its page does, with the same
refusals (someone else's step, a step already done).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from api.camunda import shapes
from api.camunda.errors import InvalidRequest
from api.camunda.variables import variables_in, variables_out
from processes import documents, services
from processes.errors import StepNotAvailable
from processes.models import Step

router = Router(tags=["task"])


class ClaimIn(Schema):
    userId: str = Field(min_length=1, max_length=150)


class CompleteIn(Schema):
    variables: dict | None = None
    withVariablesInReturn: bool = False


def _waiting():
    return (
        Step.objects.filter(is_user_step=True, status=Step.Status.WAITING)
        .select_related("owner", "owner_role", "instance__version__definition")
        .defer("instance__version__bpmn_xml", "trace")
    )


def _visible(request):
    steps = _waiting()
    if request.user.is_staff:
        return steps
    return steps.filter(Q(owner=request.user) | Q(owner_role__in=request.user.groups.all()))


class TaskFilters(Schema):
    """The query of GET /task and GET /task/count (Camunda's names)."""

    processInstanceId: str = ""
    processDefinitionId: str = ""
    processDefinitionKey: str = ""
    taskDefinitionKey: str = ""
    assignee: str = ""
    candidateGroup: str = ""
    candidateUser: str = ""
    unassigned: bool = False
    assigned: bool = False


def _filtered(request, f: TaskFilters):
    steps = _visible(request)
    if f.processInstanceId:
        steps = steps.filter(instance_id=shapes.row_pk(f.processInstanceId) or -1)
    if f.processDefinitionId:
        steps = steps.filter(instance__version_id=shapes.version_pk(f.processDefinitionId) or -1)
    if f.processDefinitionKey:
        steps = steps.filter(instance__definition__code=f.processDefinitionKey)
    if f.taskDefinitionKey:
        steps = steps.filter(element_id=f.taskDefinitionKey)
    if f.assignee:
        steps = steps.filter(owner__username=f.assignee)
    if f.candidateGroup:
        steps = steps.filter(owner__isnull=True, owner_role__name=f.candidateGroup)
    if f.candidateUser:
        groups = Group.objects.filter(user__username=f.candidateUser)
        steps = steps.filter(owner__isnull=True, owner_role__in=groups)
    if f.unassigned:
        steps = steps.filter(owner__isnull=True)
    if f.assigned:
        steps = steps.filter(owner__isnull=False)
    return steps.order_by("started_at", "pk")


@router.get("/task")
def task_list(
    request,
    filters: Query[TaskFilters],
    firstResult: int = 0,
    maxResults: int | None = None,
):
    steps = _filtered(request, filters)
    return [shapes.task_json(s) for s in shapes.page(steps, firstResult, maxResults)]


@router.get("/task/count")
def task_count(request, filters: Query[TaskFilters]):
    return {"count": _filtered(request, filters).count()}


def _task(request, task_id: str) -> Step:
    """A waiting user step the caller may see; 404 for one that is done or not theirs
    (as Camunda answers for a task the user is not authorized to read)."""
    step = _visible(request).filter(pk=shapes.row_pk(task_id) or -1).first()
    if step is None:
        raise Http404(_("No waiting task has the id “%(id)s”.") % {"id": task_id[:40]})
    return step


@router.get("/task/{task_id}")
def task_read(request, task_id: str):
    return shapes.task_json(_task(request, task_id))


@router.get("/task/{task_id}/form-variables")
def task_form_variables(request, task_id: str, variableNames: str = ""):
    variables = variables_out(_task(request, task_id).instance.variables)
    if variableNames:
        wanted = {name.strip() for name in variableNames.split(",")}
        variables = {name: value for name, value in variables.items() if name in wanted}
    return variables


@router.get("/task/{task_id}/variables")
def task_variables(request, task_id: str):
    return variables_out(_task(request, task_id).instance.variables)


@router.post("/task/{task_id}/claim", response={204: None})
def task_claim(request, task_id: str, payload: ClaimIn):
    step = _task(request, task_id)
    user = get_user_model().objects.filter(username=payload.userId, is_active=True).first()
    if user is None:
        raise InvalidRequest(
            _("userId: there is no active user “%(user)s”.") % {"user": payload.userId}
        )
    if step.owner_id is not None and step.owner_id != user.pk:
        raise StepNotAvailable(
            _("Task %(id)s is already claimed by someone else.") % {"id": task_id}
        )
    if step.owner_id != user.pk:
        services.step_reassign(
            instance_id=step.instance_id, step_number=step.number, user=request.user, owner=user
        )
    return Status(204, None)


def _candidate_role(step) -> Group | None:
    """The role the step's model gives it (candidateGroups, flowdesk:ownerRole, its lane)."""
    element = documents.element_of(step)
    if element is None:
        return None
    name = (element.settings.get("ownerRole") or "").strip() or element.lane
    if not name or name.startswith("=") or "${" in name:
        return None
    return Group.objects.filter(name=name).first()


@router.post("/task/{task_id}/unclaim", response={204: None})
def task_unclaim(request, task_id: str):
    step = _task(request, task_id)
    if step.owner_id is None:
        return Status(204, None)
    role = _candidate_role(step)
    if role is None:
        raise InvalidRequest(
            _(
                "Task %(id)s has no candidate group in its model to go back to: "
                "claim it for another user instead."
            )
            % {"id": task_id}
        )
    services.step_reassign(
        instance_id=step.instance_id, step_number=step.number, user=request.user, role=role
    )
    return Status(204, None)


@router.post("/task/{task_id}/complete", response={200: dict, 204: None})
def task_complete(request, task_id: str, payload: CompleteIn = None):
    payload = payload or CompleteIn()
    step = _task(request, task_id)
    variables = variables_in(payload.variables)
    services.step_submit_page(
        instance_id=step.instance_id,
        step_number=step.number,
        user=request.user,
        variables=variables,
    )
    if payload.withVariablesInReturn:
        step.instance.refresh_from_db(fields=["variables"])
        return Status(200, variables_out(step.instance.variables))
    return Status(204, None)
