"""POST /message (correlate) and POST /signal, through the services the API's and the
engine's own messages and signals use.

Camunda's `correlationKeys` (variables the instance must hold) and `businessKey` pick
the waiting instances; `processVariables` are set on the instance the message reaches
or starts; `all` delivers to every match instead of refusing several. A message that
reaches nothing is refused as Camunda refuses it (400).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from api.camunda import shapes
from api.camunda.errors import InvalidRequest
from api.camunda.variables import variables_in, variables_out
from processes import services
from processes.events import MessageAmbiguous, MessageNotDelivered
from processes.models import ProcessInstance, Step

router = Router(tags=["message"])


class MessageIn(Schema):
    messageName: str = Field(min_length=1, max_length=200)
    businessKey: str | None = Field(default=None, max_length=200)
    correlationKeys: dict | None = None
    processVariables: dict | None = None
    all: bool = False
    resultEnabled: bool = False
    variablesInResultEnabled: bool = False


class SignalIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    variables: dict | None = None


def _waiting_for(name: str, business_key, wanted: dict) -> list[int]:
    steps = Step.objects.filter(status=Step.Status.WAITING, event_key=f"message:{name}")
    if business_key:
        steps = steps.filter(instance__business_key=business_key)
    if wanted:
        steps = steps.filter(instance__variables__contains=wanted)
    return list(steps.values_list("instance_id", flat=True).distinct())


@router.post("/message", response={200: list, 204: None})
def message_correlate(request, payload: MessageIn):
    shapes.staff_only(request)
    wanted = variables_in(payload.correlationKeys, "correlationKeys")
    variables = variables_in(payload.processVariables, "processVariables")
    with transaction.atomic():
        before = ProcessInstance.objects.aggregate(n=Max("pk"))["n"] or 0
        waiting = _waiting_for(payload.messageName, payload.businessKey, wanted)
        try:
            services.message_deliver(
                name=payload.messageName,
                payload=variables or None,
                business_key=payload.businessKey or None,
                variables=wanted or None,
                deliver_to_all=payload.all,
                if_unmatched="refuse",
            )
        except (MessageNotDelivered, MessageAmbiguous) as refused:
            raise InvalidRequest(
                _("Cannot correlate message '%(name)s': %(reason)s")
                % {"name": payload.messageName, "reason": refused}
            ) from None
        if not payload.resultEnabled:
            return Status(204, None)
        reached = ProcessInstance.objects.select_related("version__definition", "definition")
        results = []
        for instance in reached.filter(pk__in=waiting).order_by("pk"):
            results.append(_result("Execution", instance, request, payload))
        for instance in reached.filter(pk__gt=before, parent__isnull=True).order_by("pk"):
            results.append(_result("ProcessDefinition", instance, request, payload))
    return Status(200, results)


def _result(kind, instance, request, payload) -> dict:
    body = {"resultType": kind, "execution": None, "processInstance": None}
    if kind == "Execution":
        body["execution"] = {
            "id": str(instance.pk),
            "processInstanceId": str(instance.pk),
            "ended": instance.status != ProcessInstance.Status.RUNNING,
            "tenantId": None,
        }
    else:
        body["processInstance"] = shapes.instance_json(instance, request)
    if payload.variablesInResultEnabled:
        body["variables"] = variables_out(instance.variables)
    return body


@router.post("/signal", response={204: None}, tags=["signal"])
def signal_throw(request, payload: SignalIn):
    shapes.staff_only(request)
    variables = variables_in(payload.variables)
    services.signal_broadcast(name=payload.name, payload=variables or None)
    return Status(204, None)
