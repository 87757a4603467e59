"""GET /process-definition (and by id, by key, its XML), POST …/start.

A Camunda process definition is one version of a Flowdesk process: its key is the
process code, `suspended` is the process being inactive in the Process library. A start
goes through the same service as the Process library's Start button, and runs the new
instance until it waits (as Camunda does), so its first task is there when it answers.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from api.camunda import shapes
from api.camunda.errors import InvalidRequest
from api.camunda.variables import variables_in, variables_out
from api.idempotency import create_once
from processes import services
from processes.models import ProcessInstance, ProcessVersion

router = Router(tags=["process definition"])


class StartIn(Schema):
    variables: dict | None = None
    businessKey: str | None = Field(default=None, max_length=200)
    withVariablesInReturn: bool = False


def _versions():
    # A designer's test run is no deployed definition.
    return (
        ProcessVersion.objects.filter(is_test_run=False)
        .select_related("definition")
        .defer("bpmn_xml")
    )


class DefinitionFilters(Schema):
    """The query of GET /process-definition and its /count (Camunda's names)."""

    key: str = ""
    keyLike: str = ""
    name: str = ""
    processDefinitionId: str = ""
    deploymentId: str = ""
    version: int | None = None
    latestVersion: bool = False
    active: bool = False
    suspended: bool = False


def _filtered(request, f: DefinitionFilters):
    shapes.staff_only(request)
    versions = _versions()
    if f.key:
        versions = versions.filter(definition__code=f.key)
    if f.keyLike:
        versions = versions.filter(definition__code__icontains=f.keyLike.strip("%"))
    if f.name:
        versions = versions.filter(name=f.name)
    if f.processDefinitionId:
        versions = versions.filter(pk=shapes.version_pk(f.processDefinitionId) or -1)
    if f.deploymentId:
        versions = versions.filter(pk=shapes.row_pk(f.deploymentId) or -1)
    if f.version is not None:
        versions = versions.filter(number=f.version)
    if f.latestVersion:
        newest = (
            ProcessVersion.objects.filter(definition=OuterRef("definition"))
            .order_by("-number")
            .values("number")[:1]
        )
        versions = versions.filter(number=Subquery(newest))
    if f.active:
        versions = versions.filter(definition__is_active=True)
    if f.suspended:
        versions = versions.filter(definition__is_active=False)
    return versions.order_by("definition__code", "number")


@router.get("/process-definition")
def definition_list(
    request,
    filters: Query[DefinitionFilters],
    firstResult: int = 0,
    maxResults: int | None = None,
):
    versions = _filtered(request, filters)
    return [shapes.definition_json(v) for v in shapes.page(versions, firstResult, maxResults)]


@router.get("/process-definition/count")
def definition_count(request, filters: Query[DefinitionFilters]):
    return {"count": _filtered(request, filters).count()}


def _by_id(request, definition_id: str, *, xml=False) -> ProcessVersion:
    shapes.staff_only(request)
    versions = ProcessVersion.objects.select_related("definition")
    if not xml:
        versions = versions.defer("bpmn_xml")
    version = versions.filter(pk=shapes.version_pk(definition_id) or -1).first()
    if version is None or shapes.definition_id(version) != definition_id:
        raise Http404(_("No process definition has the id “%(id)s”.") % {"id": definition_id[:200]})
    return version


def _by_key(request, key: str, *, xml=False) -> ProcessVersion:
    shapes.staff_only(request)
    versions = ProcessVersion.objects.select_related("definition").filter(definition__code=key)
    if not xml:
        versions = versions.defer("bpmn_xml")
    version = versions.order_by("-number").first()
    if version is None:
        raise Http404(_("No process definition has the key “%(key)s”.") % {"key": key[:200]})
    return version


def _xml(version) -> dict:
    return {"id": shapes.definition_id(version), "bpmn20Xml": version.bpmn_xml}


@router.get("/process-definition/key/{key}")
def definition_by_key(request, key: str):
    return shapes.definition_json(_by_key(request, key))


@router.get("/process-definition/key/{key}/xml")
def definition_xml_by_key(request, key: str):
    return _xml(_by_key(request, key, xml=True))


@router.get("/process-definition/{definition_id}")
def definition_read(request, definition_id: str):
    return shapes.definition_json(_by_id(request, definition_id))


@router.get("/process-definition/{definition_id}/xml")
def definition_xml(request, definition_id: str):
    return _xml(_by_id(request, definition_id, xml=True))


def _start(request, version: ProcessVersion, payload: StartIn | None):
    payload = payload or StartIn()
    variables = variables_in(payload.variables)
    newest = version.definition.versions.order_by("-number").values_list("pk", flat=True)[0]
    if newest != version.pk:
        raise InvalidRequest(
            _(
                "Flowdesk starts the newest version of a process: start “%(key)s” by its "
                "key, or by the id of its newest version."
            )
            % {"key": version.definition.code}
        )

    def make():
        instance = services.instance_start(
            definition=version.definition,
            variables=variables,
            user=request.user,
            business_key=payload.businessKey or "",
            run_now=True,
        )
        instance = get_object_or_404(
            ProcessInstance.objects.select_related("version__definition", "definition"),
            pk=instance.pk,
        )
        body = shapes.instance_json(instance, request)
        if payload.withVariablesInReturn:
            body["variables"] = variables_out(instance.variables)
        return body

    return create_once(request, make, status=200)


@router.post("/process-definition/key/{key}/start")
def start_by_key(request, key: str, payload: StartIn = None):
    return _start(request, _by_key(request, key), payload)


@router.post("/process-definition/{definition_id}/start")
def start_by_id(request, definition_id: str, payload: StartIn = None):
    return _start(request, _by_id(request, definition_id), payload)
