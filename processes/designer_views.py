"""The process designer's pages and JSON endpoints (staff only).

The page loads the draft's BPMN, saves it, asks the importer's check mode about it
and publishes it; the comparison page draws two versions with their differences.
Every write goes through processes.designer.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from crm.frame import staff_required
from processes import designer, selectors
from processes.designer_forms import NewProcessForm, TestRunForm
from processes.models import ProcessDefinition, ProcessDraft, ProcessVersion


def _problems_json(problems) -> list[dict]:
    return [problem.as_json() for problem in problems]


def _xml_of(request) -> str:
    return request.POST.get("xml", "")


@staff_required
def designer_new(request):
    """New process: a name and a code, then the designer opens on a start event."""
    form = NewProcessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = designer.draft_new(
                name=form.cleaned_data["name"], code=form.cleaned_data["code"], user=request.user
            )
        except designer.DraftRefused as error:
            form.add_error("code", error.message)
        else:
            return redirect(draft)
    return render(
        request,
        "processes/designer_new.html",
        {"form": form, "current_section": "process-library"},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@staff_required
def designer_from_version(request, pk):
    """Edit as draft: any version of a process opens in the designer."""
    version = get_object_or_404(ProcessVersion.objects.select_related("definition"), pk=pk)
    draft = designer.draft_from_version(version=version, user=request.user)
    return redirect(draft)


@require_GET
@staff_required
def designer_page(request, pk):
    draft = get_object_or_404(ProcessDraft.objects.select_related("definition", "based_on"), pk=pk)
    return render(
        request,
        "processes/designer.html",
        {
            "draft": draft,
            "definition": draft.definition,
            "strings": designer.strings(),
            "test_form": TestRunForm(),
            "filename": slugify(draft.definition.code if draft.definition else draft.name)
            or "process",
            "current_section": "process-library",
        },
    )


@require_GET
@staff_required
def designer_model(request, pk):
    draft = get_object_or_404(ProcessDraft, pk=pk)
    return HttpResponse(draft.bpmn_xml, content_type="application/xml; charset=utf-8")


@require_GET
@staff_required
def designer_choices(request):
    """Users, roles, registered models and actions, decisions: the panel's options."""
    return JsonResponse(designer.choices())


@require_POST
@staff_required
def designer_check(request, pk):
    """The importer in check mode on the posted model; writes nothing."""
    get_object_or_404(ProcessDraft, pk=pk)
    return JsonResponse({"problems": _problems_json(designer.check(_xml_of(request)))})


@require_POST
@staff_required
def designer_save(request, pk):
    draft = get_object_or_404(ProcessDraft, pk=pk)
    try:
        problems = designer.draft_save(draft=draft, xml=_xml_of(request))
    except designer.DraftRefused as error:
        return JsonResponse({"message": error.message, "problems": []}, status=400)
    return JsonResponse(
        {"message": _("Draft saved."), "problems": _problems_json(problems)},
    )


@require_POST
@staff_required
def designer_publish(request, pk):
    draft = get_object_or_404(ProcessDraft.objects.select_related("definition"), pk=pk)
    try:
        version = designer.draft_publish(draft=draft, xml=_xml_of(request), user=request.user)
    except designer.DraftRefused as error:
        return JsonResponse(
            {"message": error.message, "problems": _problems_json(error.problems)}, status=400
        )
    definition = version.definition
    messages.success(
        request,
        _("Published “%(name)s” as version %(number)s.")
        % {"name": definition.name, "number": version.number},
    )
    return JsonResponse({"url": definition.get_absolute_url(), "version": version.number})


@require_POST
@staff_required
def designer_test_run(request, pk):
    """Test run: save the draft, check it as publishing does, start an instance of it."""
    draft = get_object_or_404(ProcessDraft.objects.select_related("definition"), pk=pk)
    form = TestRunForm(request.POST)
    if not form.is_valid():
        return JsonResponse(
            {
                "message": _("Correct the variables."),
                "errors": form.errors["variables"],
                "problems": [],
            },
            status=400,
        )
    try:
        instance = designer.draft_test_run(
            draft=draft,
            xml=_xml_of(request),
            variables=form.cleaned_data["variables"],
            user=request.user,
        )
    except designer.DraftRefused as error:
        return JsonResponse(
            {"message": error.message, "errors": [], "problems": _problems_json(error.problems)},
            status=400,
        )
    return JsonResponse({"instance": instance.pk, "url": instance.get_absolute_url()})


@require_POST
@staff_required
def designer_discard(request, pk):
    draft = get_object_or_404(ProcessDraft.objects.select_related("definition"), pk=pk)
    back = draft.definition.get_absolute_url() if draft.definition else None
    draft.delete()
    messages.success(request, _("The draft was discarded."))
    return redirect(back or "processes:library")


@require_POST
@staff_required
def version_revert(request, pk):
    """Revert: the chosen version's model becomes version N+1."""
    version = get_object_or_404(ProcessVersion.objects.select_related("definition"), pk=pk)
    try:
        new = designer.version_revert(version=version, user=request.user)
    except designer.DraftRefused as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Version %(old)s is the current model again, as version %(new)s.")
            % {"old": version.number, "new": new.number},
        )
    return redirect(version.definition)


@require_GET
@staff_required
def version_compare(request, pk):
    """Two versions side by side, added, removed and changed elements colored."""
    definition = get_object_or_404(ProcessDefinition, pk=pk)
    versions = list(definition.versions.filter(is_test_run=False).order_by("-number"))
    if not versions:
        raise Http404(_("This process has no version."))
    by_number = {v.number: v for v in versions}

    def pick(name, default):
        value = request.GET.get(name, "")
        return by_number.get(int(value)) if value.isdigit() and len(value) < 9 else default

    newer = pick("to", versions[0])
    older = pick("from", next((v for v in versions if v.number < newer.number), newer))
    if newer is None or older is None:
        raise Http404(_("There is no such version."))
    return render(
        request,
        "processes/designer_compare.html",
        {
            "definition": definition,
            "older": older,
            "newer": newer,
            "versions": selectors.version_list(definition),
            "strings": designer.strings(),
            "current_section": "process-library",
        },
    )
