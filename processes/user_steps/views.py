"""User step pages and the ways to reach them from a connected record.

One URL serves a step's page as a full page and, for htmx requests (the dialog
that opens over whatever the user is doing), as its `step-page` fragment.
Only the owner, or a member of the owner role, may open or submit it; anyone
else gets a page saying whose step it is, and the process waits.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from processes import registry, selectors, start_event_cache
from processes.errors import ProcessError, StepNotAvailable
from processes.instances import instance_start
from processes.user_steps import pages, services
from processes.user_steps.forms import PostponeForm
from processes.user_steps.rendering import page_context, render_page
from processes.user_steps.spec import opens_as_activity


def _done(request, step, message, *, status=200):
    response = render_page(request, page_context(step, state="done", message=message), status)
    if request.htmx:
        trigger_client_event(response, "flowdesk:stepDone", {"message": message})
    return response


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def step_page(request, instance_id, number):
    step = selectors.step_for_page(instance_id, number)
    if step is None:
        raise Http404(_("There is no such process step."))
    if step.status != step.Status.WAITING:
        message = _("This step is already done.")
        if request.method == "POST":
            return _already_done(request, step, message)
        return render_page(request, page_context(step, state="closed", message=message))
    if not step.can_be_done_by(request.user):
        return render_page(request, page_context(step, state="refused"), status=403)
    if opens_as_activity(step):
        url = pages.page_url(step)
        if url != pages.step_url(step):
            return redirect(url)
    if request.method == "POST":
        if request.POST.get("_action") == "postpone":
            return _postpone(request, step)
        return _submit(request, step)
    return render_page(request, page_context(step, page=pages.build_page(step), state="open"))


def _already_done(request, step, message):
    """The page again with what was typed and the refusal: nothing typed is lost."""
    page = pages.build_page(step, request.POST)
    if page.form is not None:
        page.form.is_valid()
    return render_page(
        request,
        page_context(step, page=page, state="open", refusal=message, locked=True),
        status=409,
    )


def _submit(request, step):
    page = pages.build_page(step, request.POST)
    if page.problem or (page.form is not None and not page.form.is_valid()):
        return render_page(request, page_context(step, page=page, state="open"), status=422)
    try:
        outcome = pages.submit_page(page, request.user, button=request.POST.get("button", ""))
    except StepNotAvailable as error:
        return _already_done(request, step, str(error))
    except services.StepNotYours:
        return render_page(request, page_context(step, state="refused"), status=403)
    except ProcessError as error:
        return render_page(
            request, page_context(step, page=page, state="open", refusal=str(error)), status=422
        )
    if outcome.message:
        return render_page(
            request,
            page_context(step, page=page, state="open", notice=outcome.message),
            status=422,
        )
    if outcome.stored:
        return _done(request, step, _("Saved. Complete its activity with a result when done."))
    return _done(request, step, str(page.spec.done_message))


def _postpone(request, step):
    form = PostponeForm(request.POST, prefix="later")
    page = pages.build_page(step)
    page.extra["postpone"] = form
    if not form.is_valid():
        return render_page(
            request, page_context(step, page=page, state="open", postponing=True), status=422
        )
    try:
        services.step_postpone(
            instance_id=step.instance_id,
            step_number=step.number,
            user=request.user,
            until=form.cleaned_data["until"],
        )
    except StepNotAvailable as error:
        return _already_done(request, step, str(error))
    except ProcessError as error:
        return render_page(
            request, page_context(step, page=page, state="open", refusal=str(error)), status=422
        )
    when = formats.date_format(timezone.localtime(form.cleaned_data["until"]), "DATETIME_FORMAT")
    return _done(request, step, _("Postponed to %(when)s.") % {"when": when})


# --------------------------------------------------------------------------
# From a connected record: "Process" and "Move down the process"
# --------------------------------------------------------------------------


def _record_or_404(label, pk):
    try:
        entry = registry.get_model(label)
    except registry.UnknownModel:
        raise Http404(_("This kind of record has no processes.")) from None
    return get_object_or_404(entry.model, pk=pk)


@require_http_methods(["GET"])
@vary_on_headers("HX-Request")
def record_steps(request, label, pk):
    """The record's incomplete step: its page when there is one, a choice when several."""
    record = _record_or_404(label, pk)
    found = selectors.steps_for_record(record)
    if len(found) == 1:
        return redirect(pages.page_url(found[0]))
    for step in found:
        step.url = pages.page_url(step)
    context = {"record": record, "steps": found, "in_dialog": bool(request.htmx)}
    if request.htmx:
        return render(request, "processes/record_steps.html#record-steps", context)
    return render(request, "processes/record_steps.html", context)


@require_POST
def record_run(request, label, pk, definition_id):
    """Start a process for a record from its page ("Run process")."""
    record = _record_or_404(label, pk)
    # Only what the record's "Run process" menu offers: active, not built in, and
    # started from this kind of record. Anything else is not there to be run.
    offered = start_event_cache.runnable_for(registry.label_of(record))
    definition = next((d for d in offered if d.pk == definition_id), None)
    if definition is None:
        raise Http404(_("This process cannot be run from this record."))
    try:
        instance_start(
            definition=definition,
            user=request.user,
            record=record,
            variables={"record": registry.record_values(record)},
            run_now=True,
        )
    except ProcessError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("“%(name)s” started.") % {"name": definition.name})
    if request.htmx:
        # The page stays as it is: the first page of the process arrives over the socket.
        return render(request, "processes/includes/run_toast.html", {}, status=200)
    return redirect(record.get_absolute_url())
