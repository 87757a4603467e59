"""POST /deployment/create as Camunda Modeler's Deploy button sends it, and GET /deployment.

The request is multipart: `deployment-name`, `deployment-source`, `enable-duplicate-
filtering`, `deploy-changed-only`, `tenant-id`, and the files, each under its own name.
BPMN files become new process versions (active, as Camunda deploys them), DMN files new
decision versions, through the same imports as the Process library; Camunda Forms
(.form) are accepted and left out, as Flowdesk builds step pages from the model. All the
files or none: a file that cannot import refuses the deployment.

Flowdesk keeps no deployment rows: a deployment is named by the first version it made,
and GET /deployment lists the process versions, one deployment each.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router

from api.camunda import shapes
from api.camunda.errors import InvalidRequest, parse_error
from api.idempotency import create_once
from processes import decisions, services, start_event_cache
from processes.engine.bpmn import BpmnImportError
from processes.engine.dmn import DmnError
from processes.forms import MAX_BPMN_BYTES, MAX_UPLOAD_FILES
from processes.models import ProcessVersion

router = Router(tags=["deployment"])

FIELDS = {
    "deployment-name",
    "deployment-source",
    "deployment-activation-time",
    "enable-duplicate-filtering",
    "deploy-changed-only",
    "tenant-id",
}
FORM_SUFFIXES = (".form", ".html")


def _flag(request, name) -> bool:
    return str(request.POST.get(name, "")).strip().lower() == "true"


def _unchanged(data: bytes) -> bool:
    """Whether the file is the one the newest version of each of its processes came from."""
    checksum = hashlib.sha256(data).hexdigest()
    versions = ProcessVersion.objects.filter(checksum=checksum).select_related("definition")
    return any(v.number == v.definition.versions.order_by("-number")[0].number for v in versions)


def _uploads(request) -> list[tuple[str, bytes]]:
    files = [upload for name in request.FILES for upload in request.FILES.getlist(name)]
    if not files:
        raise InvalidRequest(_("A deployment needs at least one file."))
    if len(files) > MAX_UPLOAD_FILES:
        raise InvalidRequest(_("Deploy at most %(max)s files at once.") % {"max": MAX_UPLOAD_FILES})
    out = []
    for upload in files:
        if upload.size > MAX_BPMN_BYTES:
            raise InvalidRequest(
                _("%(name)s is %(size)s MB; a file may be at most 2 MB.")
                % {"name": upload.name, "size": f"{upload.size / 1024 / 1024:.1f}"}
            )
        out.append((upload.name or "", upload.read()))
    return out


def _decisions_json(version, filename: str) -> dict:
    """The decisions of a DMN version, as Camunda lists deployed decision definitions."""
    rows = {}
    for decision in version.decisions or []:
        key = decision.get("id") if isinstance(decision, dict) else None
        if not key:
            continue
        decision_id = f"{key}:{version.number}:{version.pk}"
        rows[decision_id] = {
            "id": decision_id,
            "key": key,
            "category": version.namespace or None,
            "name": decision.get("name") or key,
            "version": version.number,
            "resource": filename,
            "deploymentId": None,
            "decisionRequirementsDefinitionId": None,
            "decisionRequirementsDefinitionKey": None,
            "tenantId": None,
            "versionTag": None,
            "historyTimeToLive": None,
        }
    return rows


@router.post("/deployment/create", summary="Deploy BPMN and DMN files (Camunda Modeler's Deploy)")
def deployment_create(request):
    shapes.staff_only(request)
    name = str(request.POST.get("deployment-name", ""))[:200]
    source = str(request.POST.get("deployment-source", ""))[:200] or None
    changed_only = _flag(request, "deploy-changed-only") or _flag(
        request, "enable-duplicate-filtering"
    )
    uploads = _uploads(request)

    def make():
        versions, decision_rows, at = [], {}, None
        with transaction.atomic():
            for filename, data in uploads:
                if filename.lower().endswith(FORM_SUFFIXES):
                    continue
                if changed_only and _unchanged(data):
                    continue
                try:
                    if decisions.looks_like_dmn(filename, data):
                        version = services.decision_import(data=data, user=request.user)
                        decision_rows.update(_decisions_json(version, filename))
                    else:
                        versions += services.process_import(
                            data=data, user=request.user, activate=True
                        )
                except (BpmnImportError, DmnError) as error:
                    raise parse_error(filename, error) from error
            transaction.on_commit(start_event_cache.forget)
        if versions:
            at = versions[0].created_at
            pk = versions[0].pk
        else:
            last = ProcessVersion.objects.order_by("-pk").first()
            pk, at = (last.pk, last.created_at) if last else (0, None)
        return shapes.deployment_json(pk, name, source, at, versions, decision_rows)

    return create_once(request, make, status=200)


def _deployments(request, id: str = "", name: str = ""):
    shapes.staff_only(request)
    versions = ProcessVersion.objects.select_related("definition").defer("bpmn_xml")
    if id:
        versions = versions.filter(pk=shapes.row_pk(id) or -1)
    if name:
        versions = versions.filter(name=name)
    return versions.order_by("-created_at", "-pk")


def _deployment(version):
    return shapes.deployment_json(version.pk, version.name, None, version.created_at)


@router.get("/deployment")
def deployment_list(
    request, id: str = "", name: str = "", firstResult: int = 0, maxResults: int | None = None
):
    versions = shapes.page(_deployments(request, id, name), firstResult, maxResults)
    return [_deployment(v) for v in versions]


@router.get("/deployment/count")
def deployment_count(request, id: str = "", name: str = ""):
    return {"count": _deployments(request, id, name).count()}


@router.get("/deployment/{deployment_id}")
def deployment_read(request, deployment_id: str):
    shapes.staff_only(request)
    version = get_object_or_404(
        ProcessVersion.objects.defer("bpmn_xml"), pk=shapes.row_pk(deployment_id) or -1
    )
    return _deployment(version)
