"""GET /process-instance (and by id, its variables), DELETE /process-instance/{id}.

Like Camunda's runtime API these show the instances that have not ended: running ones,
and ones stopped at a failed step (Camunda's incidents). Cancelling and setting
variables go through the services the Process log's buttons call.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from api.camunda import shapes
from api.camunda.errors import InvalidRequest
from api.camunda.variables import MAX_NAME_LENGTH, variable_out, variables_in, variables_out
from processes import bounded_inputs, services
from processes.models import ProcessInstance

router = Router(tags=["process instance"])

OPEN = (ProcessInstance.Status.RUNNING, ProcessInstance.Status.ERROR)
MAX_IDS = 1000
MAX_VARIABLE_FILTERS = 20


class TypedIn(Schema):
    value: Any = None
    type: str | None = None
    valueInfo: dict | None = None


class ModificationsIn(Schema):
    modifications: dict | None = None
    deletions: list[str] | None = None


def _open_instances():
    return (
        ProcessInstance.objects.filter(status__in=OPEN)
        .select_related("version__definition", "definition")
        .defer("version__bpmn_xml")
    )


def _variable_filters(text: str) -> Q:
    """Camunda's `variables=name_eq_value,other_eq_value` (only `eq` is supported). A value
    that reads as a whole number or true/false also matches the number or the boolean."""
    parts = [part for part in text.split(",") if part]
    if len(parts) > MAX_VARIABLE_FILTERS:
        raise InvalidRequest(
            _("variables: at most %(max)s comparisons.") % {"max": MAX_VARIABLE_FILTERS}
        )
    wanted = Q()
    for part in parts:
        name, operator, value = part.partition("_eq_")
        if not operator or not name:
            raise InvalidRequest(
                _("variables: give name_eq_value pairs; Flowdesk compares only with eq.")
            )
        matches = Q(variables__contains={name: value})
        if value in ("true", "false"):
            matches |= Q(variables__contains={name: value == "true"})
        elif value.lstrip("-").isdigit() and len(value) <= bounded_inputs.MAX_WHOLE_DIGITS:
            matches |= Q(variables__contains={name: int(value)})
        wanted &= matches
    return wanted


class InstanceFilters(Schema):
    """The query of GET /process-instance and its /count (Camunda's names)."""

    processInstanceIds: str = ""
    businessKey: str = ""
    processDefinitionId: str = ""
    processDefinitionKey: str = ""
    variables: str = ""
    withIncident: bool = False
    suspended: bool = False
    active: bool = False  # every instance Flowdesk lists is active: it never suspends one


def _filtered(request, f: InstanceFilters):
    shapes.staff_only(request)
    instances = _open_instances()
    if f.processInstanceIds:
        ids = [shapes.row_pk(i.strip()) for i in f.processInstanceIds.split(",")[:MAX_IDS]]
        instances = instances.filter(pk__in=[i for i in ids if i is not None])
    if f.businessKey:
        instances = instances.filter(business_key=f.businessKey)
    if f.processDefinitionId:
        instances = instances.filter(version_id=shapes.version_pk(f.processDefinitionId) or -1)
    if f.processDefinitionKey:
        instances = instances.filter(definition__code=f.processDefinitionKey)
    if f.variables:
        instances = instances.filter(_variable_filters(f.variables))
    if f.withIncident:
        instances = instances.filter(status=ProcessInstance.Status.ERROR)
    if f.suspended:  # Flowdesk does not suspend instances
        instances = instances.none()
    return instances.order_by("pk")


@router.get("/process-instance")
def instance_list(
    request,
    filters: Query[InstanceFilters],
    firstResult: int = 0,
    maxResults: int | None = None,
):
    instances = _filtered(request, filters)
    return [
        shapes.instance_json(i, request) for i in shapes.page(instances, firstResult, maxResults)
    ]


@router.get("/process-instance/count")
def instance_count(request, filters: Query[InstanceFilters]):
    return {"count": _filtered(request, filters).count()}


def _instance(request, instance_id: str) -> ProcessInstance:
    shapes.staff_only(request)
    instance = _open_instances().filter(pk=shapes.row_pk(instance_id) or -1).first()
    if instance is None:
        raise Http404(
            _("No running process instance has the id “%(id)s”.") % {"id": instance_id[:40]}
        )
    return instance


@router.get("/process-instance/{instance_id}")
def instance_read(request, instance_id: str):
    return shapes.instance_json(_instance(request, instance_id), request)


@router.delete("/process-instance/{instance_id}", response={204: None})
def instance_delete(request, instance_id: str):
    instance = _instance(request, instance_id)
    services.instance_cancel(instance_id=instance.pk, user=request.user)
    return Status(204, None)


@router.get("/process-instance/{instance_id}/variables")
def instance_variables(request, instance_id: str):
    return variables_out(_instance(request, instance_id).variables)


@router.post("/process-instance/{instance_id}/variables", response={204: None})
def instance_modify_variables(request, instance_id: str, payload: ModificationsIn):
    instance = _instance(request, instance_id)
    changes = variables_in(payload.modifications, "modifications")
    deletions = payload.deletions or []
    if any(len(name) > MAX_NAME_LENGTH for name in deletions):
        raise InvalidRequest(_("deletions: a variable name has at most 255 characters."))
    visible = {k: v for k, v in instance.variables.items() if not k.startswith("__")}
    for name in deletions:
        visible.pop(name, None)
    visible.update(changes)
    services.instance_update_variables(
        instance_id=instance.pk, variables=visible, user=request.user
    )
    return Status(204, None)


@router.get("/process-instance/{instance_id}/variables/{name}")
def instance_variable(request, instance_id: str, name: str):
    instance = _instance(request, instance_id)
    if name not in instance.variables or name.startswith("__"):
        raise Http404(
            _("The process instance has no variable “%(name)s”.") % {"name": name[:MAX_NAME_LENGTH]}
        )
    return variable_out(instance.variables[name])


@router.put("/process-instance/{instance_id}/variables/{name}", response={204: None})
def instance_set_variable(request, instance_id: str, name: str, payload: TypedIn):
    instance = _instance(request, instance_id)
    changes = variables_in({name: payload.model_dump()})
    visible = {k: v for k, v in instance.variables.items() if not k.startswith("__")}
    services.instance_update_variables(
        instance_id=instance.pk, variables={**visible, **changes}, user=request.user
    )
    return Status(204, None)
