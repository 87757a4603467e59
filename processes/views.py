"""Process library and Process log: thin views for administrators.

Each view validates, checks access, calls one service and renders or
redirects. Refusals from the services (ProcessError) are shown as messages
and change nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from crm.frame import safe_next, staff_required, wants_fragment
from crm.paging import IdsFirst
from processes import decisions, definitions, diagram, documents, events, selectors, services
from processes.engine.bpmn import export_bpmn
from processes.engine.dmn import DecisionError
from processes.forms import (
    DecisionEvaluateForm,
    InstanceVariablesForm,
    LibraryUploadForm,
    LogFilterForm,
    MessageFilterForm,
    SignalForm,
    StartInputsForm,
    StartVariablesForm,
)
from processes.models import (
    DecisionDefinition,
    DecisionVersion,
    KeptMessage,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
)

PAGE_SIZE = 25


# --------------------------------------------------------------------------
# Process library
# --------------------------------------------------------------------------


def _library_filters(request):
    show = request.GET.get("show", "active")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "show": show if show in ("active", "all") else "active",
    }


def _library_context(request, upload_form=None):
    filters = _library_filters(request)
    processes = selectors.library_list(q=filters["q"], active_only=filters["show"] == "active")
    return {
        "page_obj": Paginator(processes, PAGE_SIZE).get_page(request.GET.get("page")),
        "filters": filters,
        "upload_form": upload_form or LibraryUploadForm(),
        "decision_models": selectors.decision_list(q=filters["q"]),
        "signal_form": SignalForm(),
        "current_section": "process-library",
    }


@require_GET
@staff_required
@vary_on_headers("HX-Request")
def library(request):
    context = _library_context(request)
    if wants_fragment(request):
        return render(request, "processes/process_library.html#process-table", context)
    return render(request, "processes/process_library.html", context)


@require_POST
@staff_required
def library_upload(request):
    form = LibraryUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            versions, decision_versions = services.library_import(
                files=form.uploaded_files(), user=request.user
            )
        except services.LibraryImportError as error:
            form.add_error(
                "file",
                _("This file cannot be imported: %(file)s. %(reason)s")
                % {"file": error.filename, "reason": error.reason},
            )
        else:
            for version in versions:
                definition = version.definition
                for warning in getattr(version, "import_warnings", ()):
                    messages.warning(
                        request,
                        _("“%(name)s”: %(warning)s")
                        % {"name": definition.name, "warning": warning},
                    )
                if definition.is_active:
                    messages.success(
                        request,
                        _("Imported “%(name)s”, version %(number)s.")
                        % {"name": definition.name, "number": version.number},
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "Imported “%(name)s”, version %(number)s. It is not active yet: "
                            "activate it to start instances."
                        )
                        % {"name": definition.name, "number": version.number},
                    )
            for version in decision_versions:
                messages.success(
                    request,
                    _(
                        "Imported the decisions “%(name)s”, version %(number)s. "
                        "Business-rule tasks call them from now on."
                    )
                    % {"name": version.definition.name, "number": version.number},
                )
            if versions:
                return redirect(versions[0].definition)
            return redirect(decision_versions[0].definition)
    context = _library_context(request, upload_form=form)
    context["upload_open"] = True
    return render(request, "processes/process_library.html", context, status=400)


@require_POST
@staff_required
def library_signal(request):
    """Throw a signal by hand, through the signal service (staff only)."""
    form = SignalForm(request.POST)
    if not form.is_valid():
        context = _library_context(request)
        context["signal_form"] = form
        context["signal_open"] = True
        return render(request, "processes/process_library.html", context, status=400)
    name = form.cleaned_data["name"]
    payload = form.cleaned_data["payload"] or None
    reached = services.signal_broadcast(name=name, payload=payload)
    messages.success(
        request,
        ngettext(
            "Signal “%(name)s” thrown: %(count)s instance received it or started.",
            "Signal “%(name)s” thrown: %(count)s instances received it or started.",
            reached,
        )
        % {"name": name, "count": reached},
    )
    return redirect("processes:library")


@require_GET
@staff_required
def library_detail(request, pk):
    definition = get_object_or_404(ProcessDefinition, pk=pk)
    version = selectors.latest_version(definition)
    recent = selectors.instance_list(selectors.LogFilters(process=definition.pk))[:8]
    return render(
        request,
        "processes/process_detail.html",
        {
            "definition": definition,
            "version": version,
            "versions": selectors.version_list(definition),
            "stats": selectors.duration_stats(definition),
            "status_counts": selectors.status_counts(definition),
            "recent": recent,
            "vendor_report": definitions.vendor_report(version),
            "drafts": definition.drafts.select_related("based_on", "created_by")[:20],
            "current_section": "process-library",
        },
    )


# --------------------------------------------------------------------------
# Decisions (DMN models in the Process library)
# --------------------------------------------------------------------------


def _decision_context(definition, version, chosen: str | None):
    model = decisions.parsed_model(version)
    names = version.decisions
    current = next((item for item in names if chosen in (item["id"], item["name"])), names[0])
    return {
        "definition": definition,
        "version": version,
        "versions": selectors.decision_version_list(definition),
        "decision_names": names,
        "decision": current,
        "current_section": "process-library",
    }, decisions.decision_inputs(model, current["id"] or current["name"])


@require_GET
@staff_required
def decision_detail(request, pk):
    definition = get_object_or_404(DecisionDefinition, pk=pk)
    version = _decision_version(definition, request.GET.get("version"))
    context, inputs = _decision_context(definition, version, request.GET.get("decision"))
    context["form"] = DecisionEvaluateForm(inputs=inputs)
    return render(request, "processes/decision_detail.html", context)


@require_POST
@staff_required
def decision_evaluate(request, pk):
    """Evaluate a decision with the inputs of the form, for trying it out; writes nothing."""
    definition = get_object_or_404(DecisionDefinition, pk=pk)
    version = _decision_version(definition, request.POST.get("version"))
    context, inputs = _decision_context(definition, version, request.POST.get("decision"))
    form = DecisionEvaluateForm(request.POST, inputs=inputs)
    context["form"] = form
    status = 200
    if form.is_valid():
        current = context["decision"]
        try:
            context["outcome"] = decisions.evaluate_version(
                version, current["id"] or current["name"], form.decision_inputs()
            )
        except DecisionError as error:
            context["evaluation_error"] = str(error)
    else:
        status = 400
    if wants_fragment(request):
        return render(
            request, "processes/decision_detail.html#decision-result", context, status=status
        )
    return render(request, "processes/decision_detail.html", context, status=status)


def _decision_version(definition, number) -> DecisionVersion:
    versions = definition.versions.order_by("-number")
    if number and str(number).isdigit():
        return get_object_or_404(versions, number=int(number))
    version = versions.first()
    if version is None:
        raise Http404(_("This decision model has no version."))
    return version


@require_GET
@staff_required
def decision_version_xml(request, pk):
    """The DMN of a version as imported, or (``?viewer=1``) as the table viewer reads it."""
    version = get_object_or_404(DecisionVersion, pk=pk)
    xml = decisions.viewer_xml(version) if request.GET.get("viewer") else version.dmn_xml
    return HttpResponse(xml, content_type="application/xml; charset=utf-8")


@require_GET
@staff_required
def version_diagram(request, pk):
    """The BPMN the diagram viewer draws (with a generated layout where the file has none)."""
    version = get_object_or_404(ProcessVersion, pk=pk)
    return HttpResponse(diagram.diagram_xml(version), content_type="application/xml")


@require_GET
@staff_required
def version_export(request, pk):
    version = get_object_or_404(ProcessVersion.objects.select_related("definition"), pk=pk)
    try:
        xml = export_bpmn(documents.document_for(version))
    except ValueError:
        xml = version.bpmn_xml
    response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
    filename = f"{slugify(version.definition.code) or 'process'}-v{version.number}.bpmn"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@staff_required
def library_set_active(request, pk):
    """Activate, or deactivate after a warning when instances are still running."""
    definition = get_object_or_404(ProcessDefinition, pk=pk)
    if request.method != "POST":
        return redirect(definition)
    active = request.POST.get("active") == "1"
    open_count = 0 if active else selectors.open_count(definition)
    if not active and open_count and request.POST.get("confirm") != "1":
        return render(
            request,
            "processes/process_deactivate.html",
            {
                "definition": definition,
                "open_count": open_count,
                "current_section": "process-library",
            },
        )
    try:
        definition, canceled = services.process_set_active(
            definition=definition, active=active, cancel_running=not active
        )
    except services.ProcessError as error:
        messages.error(request, str(error))
        return redirect(definition)
    if active:
        messages.success(
            request, _("“%(name)s” is active: it can be started.") % {"name": definition.name}
        )
    elif canceled:
        messages.success(
            request,
            ngettext(
                "“%(name)s” is deactivated and its %(count)s running instance was canceled.",
                "“%(name)s” is deactivated and its %(count)s running instances were canceled.",
                canceled,
            )
            % {"name": definition.name, "count": canceled},
        )
    else:
        messages.success(
            request,
            _("“%(name)s” is deactivated: it cannot be started.") % {"name": definition.name},
        )
    return redirect(request.POST.get("next") == "library" and "processes:library" or definition)


@staff_required
def library_run(request, pk):
    definition = get_object_or_404(ProcessDefinition, pk=pk)
    version = selectors.latest_version(definition)
    inputs = selectors.start_inputs(version, definition.code) if version else None
    data = request.POST if request.method == "POST" else None
    form = StartInputsForm(data, inputs=inputs) if inputs is not None else StartVariablesForm(data)
    if request.method == "POST" and form.is_valid():
        try:
            instance = services.instance_start(
                definition=definition, variables=form.start_variables(), user=request.user
            )
        except services.ProcessError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Started “%(name)s”.") % {"name": definition.name})
            return redirect(instance)
    return render(
        request,
        "processes/process_run.html",
        {
            "definition": definition,
            "version": version,
            "form": form,
            "declared_inputs": inputs is not None,
            "current_section": "process-library",
        },
        status=400 if request.method == "POST" else 200,
    )


# --------------------------------------------------------------------------
# Process log
# --------------------------------------------------------------------------


@require_GET
@staff_required
@vary_on_headers("HX-Request")
def log(request):
    form = LogFilterForm(
        request.GET or None,
        processes=selectors.process_choices(),
        owners=selectors.owner_choices(),
    )
    filters = selectors.LogFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.LogFilters(**form.cleaned_data)
    instances = IdsFirst(selectors.instance_list(filters))
    page = Paginator(instances, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "form": form,
        "filters": filters,
        "current_section": "process-log",
    }
    if wants_fragment(request):
        return render(request, "processes/instance_list.html#instance-table", context)
    return render(request, "processes/instance_list.html", context)


def _instance_context(instance, variables_form=None):
    steps = selectors.instance_steps(instance)
    return {
        "instance": instance,
        "definition": instance.definition,
        "steps": steps,
        "children": selectors.instance_children(instance),
        "record": selectors.connected_record(instance),
        "element_states": diagram.element_states(steps),
        "tracing": instance.definition.tracing,
        "is_open": instance.status in {"running", "error"},
        "variables_form": variables_form or InstanceVariablesForm(instance=instance),
        "current_section": "process-log",
    }


@require_GET
@staff_required
@vary_on_headers("HX-Request")
def log_detail(request, pk):
    try:
        instance = selectors.instance_detail(pk)
    except ProcessInstance.DoesNotExist:
        raise Http404(_("There is no such process instance.")) from None
    context = _instance_context(instance)
    if wants_fragment(request) and request.GET.get("fragment") == "live":
        return render(request, "processes/instance_detail.html#instance-live", context)
    return render(request, "processes/instance_detail.html", context)


@require_POST
@staff_required
def log_cancel(request, pk):
    instance = get_object_or_404(ProcessInstance, pk=pk)
    try:
        services.instance_cancel(instance_id=instance.pk, user=request.user)
    except services.ProcessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The instance was canceled."))
    return redirect(instance)


@require_POST
@staff_required
def log_retry(request, pk, number):
    instance = get_object_or_404(ProcessInstance, pk=pk)
    try:
        services.step_retry(instance_id=instance.pk, step_number=number, user=request.user)
    except services.ProcessError as error:
        messages.error(request, str(error))
    else:
        instance.refresh_from_db(fields=["status", "error"])
        if instance.status == ProcessInstance.Status.ERROR:
            messages.error(
                request,
                _("The item ran again and failed: %(error)s")
                % {"error": instance.error or _("no reason given")},
            )
        else:
            messages.success(request, _("The item ran again."))
    return redirect(instance)


@require_POST
@staff_required
def log_variables(request, pk):
    instance = get_object_or_404(ProcessInstance, pk=pk)
    form = InstanceVariablesForm(request.POST, instance=instance)
    if form.is_valid():
        try:
            services.instance_update_variables(
                instance_id=instance.pk,
                variables=form.cleaned_data["variables"],
                user=request.user,
            )
        except services.ProcessError as error:
            messages.error(request, str(error))
        else:
            if instance.status == ProcessInstance.Status.ERROR:
                messages.success(
                    request, _("Variables saved. Run the failed item again to continue.")
                )
            else:
                messages.success(request, _("Variables saved."))
            return redirect(instance)
    context = _instance_context(selectors.instance_detail(pk), variables_form=form)
    context["variables_open"] = True
    return render(request, "processes/instance_detail.html", context, status=400)


# --------------------------------------------------------------------------
# Process log: messages kept for a waiting instance, or not delivered
# --------------------------------------------------------------------------


@require_GET
@staff_required
@vary_on_headers("HX-Request")
def log_messages(request):
    form = MessageFilterForm(request.GET or None)
    filters = selectors.MessageFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.MessageFilters(**form.cleaned_data)
    messages_page = Paginator(selectors.kept_message_list(filters), PAGE_SIZE)
    context = {
        "page_obj": messages_page.get_page(request.GET.get("page")),
        "form": form,
        "filters": filters,
        "current_section": "process-log",
    }
    if wants_fragment(request):
        return render(request, "processes/kept_message_list.html#message-table", context)
    return render(request, "processes/kept_message_list.html", context)


def _kept_message_or_404(pk) -> KeptMessage:
    try:
        return selectors.kept_message_detail(pk)
    except KeptMessage.DoesNotExist:
        raise Http404(_("There is no such message.")) from None


@require_GET
@staff_required
def log_message(request, pk):
    """One message in full: its keys, payload and reason (and Discard while it is kept)."""
    return render(
        request,
        "processes/kept_message_detail.html",
        {
            "message": _kept_message_or_404(pk),
            "back": safe_next(request, reverse("processes:log-messages")),
            "current_section": "process-log",
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def log_message_discard(request, pk):
    """Ask (GET), then discard (POST) a kept message: it is marked expired, never deleted."""
    message = _kept_message_or_404(pk)
    back = safe_next(request, reverse("processes:log-messages"))
    if request.method != "POST":
        if message.status != KeptMessage.Status.KEPT:
            return redirect(reverse("processes:log-message", args=[message.pk]))
        return render(
            request,
            "processes/kept_message_detail.html",
            {
                "message": message,
                "back": back,
                "confirm_discard": True,
                "current_section": "process-log",
            },
        )
    try:
        events.kept_message_discard(message_id=message.pk, user=request.user)
    except services.ProcessError as error:
        messages.error(request, str(error))
        return redirect(reverse("processes:log-message", args=[message.pk]))
    messages.success(
        request,
        _("The message “%(name)s” was discarded: no instance will receive it.")
        % {"name": message.name},
    )
    return redirect(back)
