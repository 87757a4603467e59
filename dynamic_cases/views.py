"""Dynamic cases: the Case designer (admins) and the actions of a record's workflow bar."""

import json

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRefresh, reswap, retarget

from crm.frame import PAGE_SIZE, staff_required, wants_fragment
from dynamic_cases import definition as spec
from dynamic_cases import editor, panels, selectors, services
from dynamic_cases.models import DynamicCase, RecordCaseStep
from processes import registry
from processes.models import ProcessDefinition

# -- Case designer -------------------------------------------------------------


def _designer_context(request, **extra):
    cases = Paginator(selectors.designer_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page_obj": cases, "current_section": "case-designer", **extra}


@staff_required
@require_GET
@vary_on_headers("HX-Request")
def designer(request):
    context = _designer_context(request)
    if wants_fragment(request):
        return render(request, "dynamic_cases/designer_list.html#case-table", context)
    return render(request, "dynamic_cases/designer_list.html", context)


@staff_required
@require_POST
def designer_import(request):
    upload = request.FILES.get("file")
    if upload is None:
        errors = [_("Choose a JSON file to import.")]
    elif upload.size > 1_000_000:
        errors = [_("The file is larger than 1 MB: a case definition is much smaller.")]
    else:
        try:
            version = services.dynamic_case_import(data=upload.read(), user=request.user)
        except spec.DefinitionInvalid as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("Imported “%(case)s” as version %(n)s.")
                % {"case": version.case.name, "n": version.number},
            )
            return redirect(version.case)
    return render(
        request,
        "dynamic_cases/designer_list.html",
        _designer_context(request, import_errors=errors),
        status=400,
    )


@staff_required
def designer_new(request):
    return _editor(request, None)


@staff_required
def designer_edit(request, pk):
    return _editor(request, get_object_or_404(DynamicCase, pk=pk))


def _editor(request, case):
    errors = []
    if request.method == "POST":
        draft = editor.read(request.POST)
        if case is not None:
            draft["code"] = case.code
        op = request.POST.get("op", "")
        if op == "save":
            try:
                version = services.dynamic_case_save(data=draft, user=request.user)
            except spec.DefinitionInvalid as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("“%(case)s” saved as version %(n)s.")
                    % {"case": version.case.name, "n": version.number},
                )
                return redirect(version.case)
        else:
            draft = editor.apply(draft, op)
    elif case is not None:
        draft = selectors.export_data(case)
    else:
        draft = editor.blank()
    context = _editor_context(case, draft, errors)
    if request.htmx and request.method == "POST":
        return render(request, "dynamic_cases/designer_edit.html#case-editor", context)
    return render(
        request, "dynamic_cases/designer_edit.html", context, status=400 if errors else 200
    )


def _editor_context(case, draft, errors):
    model = spec.section_model(draft["section"])
    stage_values = spec.lookup_values(model, draft["stage_field"]) if model else []
    choice_values = []
    if (
        model is not None
        and draft["choice_field"]
        and spec.lookup_field(model, draft["choice_field"])
    ):
        choice_values = spec.lookup_values(model, draft["choice_field"])
    users = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
    return {
        "case": case,
        "draft": draft,
        "errors": errors,
        "sections": [r.label for r in registry.registered()],
        "stage_columns": spec.stage_columns(model) if model else [],
        "choice_columns": spec.choice_columns(model) if model else [],
        "stage_values": stage_values,
        "choice_values": choice_values,
        "stage_names": [s["value"] for s in draft["stages"] if s["value"]],
        "users": [(u.get_username(), u.get_full_name() or u.get_username()) for u in users],
        "roles": list(Group.objects.order_by("name").values_list("name", flat=True)),
        "processes": list(
            ProcessDefinition.objects.filter(is_system=False)
            .order_by("name")
            .values_list("code", "name")
        ),
        "kinds": [
            ("task", _("Task")),
            ("question", _("Question")),
            ("edit", _("Record page")),
            ("subprocess", _("Sub-process")),
        ],
        "record_owner": spec.RECORD_OWNER,
        "versions": case.versions.select_related("created_by")[:10] if case else [],
        "current_section": "case-designer",
    }


@staff_required
@require_GET
def designer_export(request, pk):
    case = get_object_or_404(DynamicCase, pk=pk)
    body = json.dumps(selectors.export_data(case), indent=2, ensure_ascii=False)
    response = HttpResponse(body + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{case.code}.case.json"'
    return response


@staff_required
@require_POST
def designer_set_active(request, pk):
    case = get_object_or_404(DynamicCase, pk=pk)
    active = request.POST.get("active") == "1"
    services.dynamic_case_set_active(case=case, active=active)
    if active:
        messages.success(request, _("“%(case)s” is active: new records use it.") % {"case": case})
    else:
        messages.success(
            request,
            _("“%(case)s” is inactive: records already running it keep it.") % {"case": case},
        )
    return redirect("dynamic_cases:designer")


# -- a record's case ---------------------------------------------------------------


def _record(type_id, record_id):
    content_type = get_object_or_404(ContentType, pk=type_id)
    model = content_type.model_class()
    if model is None or not registry.is_registered(model):
        raise Http404
    return get_object_or_404(model, pk=record_id)


def _done(request, record, message):
    messages.success(request, message)
    if request.htmx:
        return HttpResponseClientRefresh()
    return redirect(record.get_absolute_url())


def _refused(request, record, error):
    if request.htmx:
        html = panels.workflow_bar(request, record, error=error)
        response = HttpResponse(html or "")
        return reswap(retarget(response, "#dynamic-case-bar"), "outerHTML")
    messages.error(request, error)
    return redirect(record.get_absolute_url())


@require_POST
def record_move(request, type_id, record_id):
    record = _record(type_id, record_id)
    stage = request.POST.get("stage", "")
    try:
        services.record_case_move(record=record, stage=stage, user=request.user)
    except services.DynamicCaseError as exc:
        return _refused(request, record, str(exc))
    return _done(request, record, _("Moved to “%(stage)s”.") % {"stage": stage})


@require_POST
def record_change(request, type_id, record_id):
    record = _record(type_id, record_id)
    try:
        record_case = services.record_case_change(record=record, user=request.user)
    except services.DynamicCaseError as exc:
        return _refused(request, record, str(exc))
    return _done(
        request,
        record,
        _("Now running “%(case)s” at “%(stage)s”.")
        % {"case": record_case.version.case.name, "stage": record_case.stage},
    )


@require_POST
def record_start(request, type_id, record_id):
    record = _record(type_id, record_id)
    record_case = services.record_case_start(record=record, user=request.user)
    if record_case is None:
        return _refused(request, record, _("No active case fits this record."))
    return _done(request, record, _("Started “%(case)s”.") % {"case": record_case.version.case})


def _step(pk):
    step = get_object_or_404(
        RecordCaseStep.objects.select_related("record_case__version__case"), pk=pk
    )
    record = selectors.record_of(step.record_case)
    if record is None:
        raise Http404
    return step, record


@require_POST
def step_perform(request, pk):
    step, record = _step(pk)
    try:
        services.step_perform(step=step, user=request.user, answer=request.POST.get("answer", ""))
    except services.DynamicCaseError as exc:
        return _refused(request, record, str(exc))
    return _done(request, record, _("“%(step)s” done.") % {"step": step.name})


@require_POST
def step_skip(request, pk):
    step, record = _step(pk)
    try:
        services.step_skip(step=step, user=request.user)
    except services.DynamicCaseError as exc:
        return _refused(request, record, str(exc))
    return _done(request, record, _("“%(step)s” skipped.") % {"step": step.name})
