"""The Activities section: the list, the activity page and the calendar.

An activity whose process step is not complete opens the step's page instead
(while its page still waits to be filled in); once the step is complete the
ordinary activity page opens.
"""

from __future__ import annotations

from datetime import date

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from activities import selectors, services
from activities.forms import ActivityCreateForm, OwnerForm, ScheduleForm
from activities.models import Activity
from processes.user_steps.pages import step_url
from processes.user_steps.spec import opens_as_activity

PAGE_SIZE = 25


def _fragment(request):
    return bool(request.htmx) and not request.htmx.history_restore_request


@require_GET
@vary_on_headers("HX-Request")
def activity_list(request):
    filters = selectors.parse_filters(request.GET)
    activities = selectors.activity_list(user=request.user, filters=filters)
    page = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "filters": filters,
        "now": timezone.now(),
        "current_section": "activities",
    }
    if _fragment(request):
        return render(request, "activities/activity_list.html#activity-table", context)
    return render(request, "activities/activity_list.html", context)


@require_GET
def activity_for_step(request, instance_id, number):
    """The page of a "Perform task" step: its activity's page."""
    activity = Activity.objects.filter(step__instance_id=instance_id, step__number=number).first()
    if activity is None:
        raise Http404(_("This step has no activity."))
    return _detail(request, activity)


def _load(pk):
    return get_object_or_404(
        Activity.objects.select_related(
            "owner",
            "owner_role",
            "step__instance__definition",
            "step__owner",
            "step__owner_role",
        ),
        pk=pk,
    )


@require_GET
@vary_on_headers("HX-Request")
def activity_detail(request, pk):
    return _detail(request, _load(pk))


def _detail(request, activity, *, status=200, **extra):
    step = activity.step
    waiting = step is not None and step.status == "waiting"
    answered = bool(extra.get("done_message"))
    if (
        waiting
        and not answered
        and (not opens_as_activity(step) or not step.can_be_done_by(request.user))
    ):
        # The step's own page (or the refusal naming its owner) opens instead.
        return redirect(step_url(step))
    context = {
        "activity": activity,
        "step": step,
        "schedule_form": extra.pop("schedule_form", None)
        or ScheduleForm(
            initial={
                "start_at": timezone.localtime(activity.start_at),
                "due_at": timezone.localtime(activity.due_at),
            },
            prefix="schedule",
        ),
        "owner_form": extra.pop("owner_form", None)
        or OwnerForm(
            initial={
                "owner": f"user:{activity.owner_id}"
                if activity.owner_id
                else f"role:{activity.owner_role_id}"
            },
            prefix="owner",
        ),
        "can_change": activity.is_open and activity.can_be_done_by(request.user),
        "in_dialog": _fragment(request),
        "current_section": "activities",
        **extra,
    }
    template = "activities/activity_detail.html"
    if _fragment(request):
        template += "#activity-page"
    response = render(request, template, context, status=status)
    if extra.get("done_message") and request.htmx:
        trigger_client_event(response, "flowdesk:stepDone", {"message": extra["done_message"]})
    return response


@require_POST
def activity_complete(request, pk):
    activity = _load(pk)
    try:
        activity = services.activity_complete(
            activity_id=activity.pk, user=request.user, result=request.POST.get("result", "")
        )
    except services.ActivityError as error:
        return _detail(request, _load(pk), status=409, error=str(error))
    message = _("Completed: %(result)s.") % {"result": activity.result}
    return _detail(request, _load(pk), done_message=message)


@require_POST
def activity_schedule(request, pk):
    activity = _load(pk)
    form = ScheduleForm(request.POST, prefix="schedule")
    if not form.is_valid():
        return _detail(request, activity, status=422, schedule_form=form)
    try:
        services.activity_reschedule(
            activity_id=activity.pk,
            user=request.user,
            start_at=form.cleaned_data["start_at"],
            due_at=form.cleaned_data["due_at"],
        )
    except services.ActivityError as error:
        return _detail(request, activity, status=409, error=str(error), schedule_form=form)
    return _detail(request, _load(pk), saved=_("Saved. You can come back to it later."))


@require_POST
def activity_reassign(request, pk):
    activity = _load(pk)
    form = OwnerForm(request.POST, prefix="owner")
    if not form.is_valid():
        return _detail(request, activity, status=422, owner_form=form)
    owner, role = form.chosen()
    try:
        services.activity_reassign(
            activity_id=activity.pk, user=request.user, owner=owner, role=role
        )
    except services.ActivityError as error:
        return _detail(request, activity, status=409, error=str(error), owner_form=form)
    # The answer is the confirmation itself: the activity may now be someone else's,
    # and its page would only say whose it is.
    name = (owner.get_full_name() or owner.get_username()) if owner else role.name
    return _detail(request, _load(pk), done_message=_("Given to %(owner)s.") % {"owner": name})


@require_http_methods(["GET", "POST"])
def activity_create(request):
    form = ActivityCreateForm(
        request.POST or None,
        initial={
            "start_at": timezone.localtime().replace(minute=0, second=0, microsecond=0),
            "due_at": timezone.localtime().replace(minute=0, second=0, microsecond=0)
            + services.DEFAULT_LENGTH,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = data.get("contact") or data.get("account")
        try:
            activity = services.activity_create(
                title=data["title"],
                kind=data["kind"],
                owner=request.user,
                start_at=data["start_at"],
                due_at=data["due_at"],
                record=record,
                notes=data["notes"],
                created_by=request.user,
            )
        except services.ActivityError as error:
            form.add_error(None, str(error))
        else:
            return redirect(activity.get_absolute_url())
    return render(
        request,
        "activities/activity_form.html",
        {"form": form, "current_section": "activities"},
    )


@require_GET
def calendar(request):
    view = request.GET.get("view", "week")
    try:
        anchor = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        anchor = timezone.localdate()
    cal = selectors.calendar_for(user=request.user, view=view, anchor=anchor)
    hours = range(0, 24)
    return render(
        request,
        "activities/calendar.html",
        {
            "cal": cal,
            "hours": hours,
            "today": timezone.localdate(),
            "current_section": "activities",
            "now": timezone.now(),
        },
    )
