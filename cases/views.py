"""Cases section, case page with its workflow bar and actions, and the agent desktop.

Views validate, call one service and render; an htmx request gets the fragment
its target names, a plain request the whole page (every link has a real href).
"""

from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from activities.services import ActivityError, activity_create
from cases import assignment, resolution, selectors, services
from cases.correspondence.views import composer_context
from cases.diagnosis import diagnosis_step
from cases.errors import CaseError, CaseTaken
from cases.forms import (
    CaseEditForm,
    CaseForm,
    CaseTaskForm,
    EscalateForm,
    NoteForm,
    PostponeForm,
    ReassignForm,
    ReclassifyForm,
)
from cases.models import Case, CasePriority, CaseStatus
from cases.search import global_search
from crm.frame import navigate, wants_fragment
from crm.paging import IdsFirst
from knowledge import selectors as knowledge_selectors
from knowledge import services as knowledge_services
from knowledge.models import KnowledgeArticle
from processes.user_steps import pages as step_pages

PAGE_SIZE = 25


def _int_or_none(value):
    return int(value) if (value or "").isdigit() else None


def _case_or_404(pk):
    return get_object_or_404(
        Case.objects.select_related(
            "status",
            "priority",
            "category",
            "contact__account",
            "account",
            "service_agreement",
            "service",
            "configuration_item",
            "support_level",
            "assignee",
            "assignee_group",
            "parent",
            "satisfaction",
            "closure_code",
        ),
        pk=pk,
    )


def _posted(request):
    # An empty POST is still a submission: the form must say what is missing.
    return request.POST if request.method == "POST" else None


# -- Cases list -----------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def case_list(request):
    assignee = request.GET.get("assignee", "all")
    filters = {
        "q": request.GET.get("q", "").strip()[:100],
        "status": _int_or_none(request.GET.get("status")),
        "priority": _int_or_none(request.GET.get("priority")),
        "assignee": assignee if assignee in ("all", "mine", "unassigned") else "all",
        "group": _int_or_none(request.GET.get("group")),
        "overdue": request.GET.get("overdue") == "1",
        "sort": request.GET.get("sort", ""),
    }
    cases, sort = selectors.case_list(user=request.user, **filters)
    page = Paginator(IdsFirst(cases), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "filters": filters, "sort": sort, "current_section": "cases"}
    if wants_fragment(request):
        return render(request, "cases/case_list.html#case-table", context)
    context.update(
        statuses=CaseStatus.objects.all(),
        priorities=CasePriority.objects.all(),
        groups=Group.objects.order_by("name"),
    )
    return render(request, "cases/case_list.html", context)


def case_create(request):
    form = CaseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        case = services.case_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Case %(number)s registered.") % {"number": case.number})
        return redirect(case)
    return render(request, "cases/case_form.html", {"form": form, "current_section": "cases"})


# -- Case page ------------------------------------------------------------------------


def _diagnosis_task(case):
    """The case's open diagnosis task, with where it opens (its dialog, from the case)."""
    step = diagnosis_step(case)
    if step is not None:
        step.page_url = step_pages.page_url(step)
    return step


def _detail_context(request, case, **extra):
    return {
        "case": case,
        "workflow": selectors.workflow_statuses(case),
        "history": selectors.case_history(case),
        "tags": list(case.tags.all()),
        "articles": list(case.articles.all()),
        "diagnosis_step": _diagnosis_task(case),
        "note_form": NoteForm(),
        "tasks": list(resolution.open_tasks(case)),
        "contact_open_cases": selectors.contact_open_cases(case.contact, exclude=case),
        "contact_open_count": selectors.contact_open_case_count(case.contact, exclude=case),
        "task_form": CaseTaskForm(),
        "can_edit": not services.case_edit_refusal(case, request.user),
        "current_section": "cases",
        **composer_context(case),
        "linkable_articles": knowledge_selectors.articles_linkable(case),
        **extra,
    }


@require_GET
def case_detail(request, pk):
    case = _case_or_404(pk)
    return render(request, "cases/case_detail.html", _detail_context(request, case))


@require_POST
def case_status(request, pk):
    case = _case_or_404(pk)
    status = get_object_or_404(CaseStatus, pk=_int_or_none(request.POST.get("status")))
    tasks = request.POST.get("tasks", "")
    if status.is_resolved and not status.is_final and not tasks and not case.move_refusal(status):
        # Open tasks on the case: ask whether to complete, cancel or leave them.
        pending = list(resolution.open_tasks(case))
        if pending:
            context = _detail_context(request, case, resolve_tasks=pending, resolve_status=status)
            if request.htmx:
                return render(request, "cases/case_detail.html#case-record", context)
            return render(request, "cases/case_detail.html", context)
    try:
        if tasks:
            case = resolution.case_set_status_with_tasks(
                case=case, status=status, user=request.user, tasks=tasks
            )
        else:
            case = services.case_set_status(case=case, status=status, user=request.user)
    except CaseError as error:
        if request.htmx:
            context = _detail_context(request, _case_or_404(pk), move_error=str(error))
            return render(request, "cases/case_detail.html#case-record", context)
        messages.error(request, str(error))
        return redirect(case)
    messages.success(
        request, _("%(number)s is now “%(status)s”.") % {"number": case.number, "status": status}
    )
    if status.close_on_save:
        return navigate(request, reverse("cases:case-list"))
    if request.htmx:
        return render(
            request,
            "cases/case_detail.html#case-record",
            _detail_context(request, _case_or_404(pk)),
        )
    return redirect(case)


def _action(request, pk, kind, form, *, title, context=None):
    case = _case_or_404(pk)
    context = {
        "case": case,
        "form": form,
        "kind": kind,
        "action_title": title,
        "current_section": "cases",
        **(context or {}),
    }
    if wants_fragment(request):
        return render(request, "cases/case_action.html#case-action", context)
    return render(request, "cases/case_action.html", context)


def case_escalate(request, pk):
    case = _case_or_404(pk)
    form = EscalateForm(_posted(request), case=case)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            assignment.case_escalate(case=case, user=request.user, **form.cleaned_data)
        except CaseError as refused:
            error = str(refused)
        else:
            messages.success(request, _("%(number)s escalated.") % {"number": case.number})
            return navigate(request, case.get_absolute_url())
    return _action(
        request, pk, "escalate", form, title=_("Escalate"), context={"action_error": error}
    )


def case_reassign(request, pk):
    case = _case_or_404(pk)
    form = ReassignForm(
        _posted(request),
        initial={"assignee": case.assignee_id, "assignee_group": case.assignee_group_id},
    )
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            assignment.case_assign(case=case, user=request.user, **form.cleaned_data)
        except CaseError as refused:
            error = str(refused)
        else:
            messages.success(request, _("%(number)s reassigned.") % {"number": case.number})
            return navigate(request, case.get_absolute_url())
    return _action(
        request, pk, "reassign", form, title=_("Reassign"), context={"action_error": error}
    )


def case_reclassify(request, pk):
    case = _case_or_404(pk)
    form = ReclassifyForm(
        _posted(request),
        initial={
            "service_agreement": case.service_agreement_id,
            "service": case.service_id,
            "priority": case.priority_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.case_reclassify(case=case, user=request.user, **form.cleaned_data)
        messages.success(
            request,
            _("%(number)s reclassified: deadlines computed again.") % {"number": case.number},
        )
        return navigate(request, case.get_absolute_url())
    return _action(request, pk, "reclassify", form, title=_("Reclassify"))


@require_GET
def case_similar(request, pk):
    case = _case_or_404(pk)
    return _action(
        request,
        pk,
        "similar",
        None,
        title=_("Search for similar cases"),
        context={
            "similar": selectors.similar_cases(case),
            "similar_articles": knowledge_selectors.articles_similar(
                f"{case.subject} {case.description}"
            ),
        },
    )


@require_POST
def case_parent(request, pk):
    case = _case_or_404(pk)
    parent = get_object_or_404(Case, pk=_int_or_none(request.POST.get("parent")))
    try:
        services.case_set_parent(case=case, parent=parent, user=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Parent case set to %(number)s.") % {"number": parent.number})
    return navigate(request, case.get_absolute_url())


def case_note(request, pk):
    case = _case_or_404(pk)
    form = NoteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.case_add_note(case=case, user=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Internal note added."))
        return navigate(request, case.get_absolute_url())
    return _action(request, pk, "note", form, title=_("Internal note"))


def _record_fragment_or_page(request, case, **extra):
    context = _detail_context(request, case, **extra)
    if request.htmx:
        return render(request, "cases/case_detail.html#case-record", context)
    return render(request, "cases/case_detail.html", context)


def case_edit(request, pk):
    """The case profile edited in place: GET opens the form in the page, POST saves."""
    case = _case_or_404(pk)
    refusal = services.case_edit_refusal(case, request.user)
    if refusal:
        messages.error(request, refusal)
        return navigate(request, case.get_absolute_url())
    form = CaseEditForm(_posted(request), case=case)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_edit(case=case, user=request.user, **form.cleaned_data)
        except CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(number)s saved.") % {"number": case.number})
        return navigate(request, case.get_absolute_url())
    return _record_fragment_or_page(request, case, edit_form=form)


@require_POST
def case_task_add(request, pk):
    """A task on the case, for its owner (the agent adding it when none is chosen)."""
    case = _case_or_404(pk)
    form = CaseTaskForm(request.POST)
    if form.is_valid():
        try:
            activity_create(
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"] or request.user,
                due_at=form.cleaned_data["due_at"],
                record=case,
                created_by=request.user,
            )
        except ActivityError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, _("Task “%(title)s” added.") % {"title": form.cleaned_data["title"]}
            )
            return navigate(request, case.get_absolute_url())
    return _record_fragment_or_page(request, case, task_form=form)


# -- a case's knowledge base articles ---------------------------------------------------


@require_POST
def case_article_link(request, pk):
    case = get_object_or_404(Case, pk=pk)
    article = get_object_or_404(KnowledgeArticle, pk=_int_or_none(request.POST.get("article")))
    if knowledge_services.article_link(case=case, article=article, user=request.user):
        messages.success(request, _("“%(title)s” linked.") % {"title": article.title})
    return navigate(request, case.get_absolute_url())


@require_POST
def case_article_unlink(request, pk, article_pk):
    case = get_object_or_404(Case, pk=pk)
    article = get_object_or_404(case.articles, pk=article_pk)
    knowledge_services.article_unlink(case=case, article=article, user=request.user)
    messages.success(request, _("“%(title)s” unlinked.") % {"title": article.title})
    return navigate(request, case.get_absolute_url())


# -- the top bar's search --------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def search(request):
    """The search box's results: a listbox under the box for htmx, a page otherwise."""
    results = global_search(request.GET.get("q", ""))
    context = {"results": results, "current_section": "cases"}
    if request.htmx:
        return render(request, "cases/includes/search_results.html", context)
    return render(request, "cases/search.html", context)


# -- Agent desktop --------------------------------------------------------------------


QUEUE_PAGE_SIZE = 25


def _queue_pages(request, queues):
    """One page of each queue; `<queue>_page` in the query string picks it, so every
    queue pages through on its own and a link keeps the other queues' pages."""
    pages = {}
    for name, cases in queues.items():
        param = f"{name}_page"
        page = Paginator(IdsFirst(cases), QUEUE_PAGE_SIZE).get_page(request.GET.get(param))
        links = {}
        for rel, number in (
            ("prev", page.previous_page_number() if page.has_previous() else None),
            ("next", page.next_page_number() if page.has_next() else None),
        ):
            if number is not None:
                query = request.GET.copy()
                query[param] = number
                links[rel] = f"?{query.urlencode()}"
        pages[name] = {"page": page, "links": links}
    return pages


@require_GET
@vary_on_headers("HX-Request")
def desktop(request):
    context = {
        "queues": _queue_pages(request, selectors.desktop_queues(user=request.user)),
        "postpone_form": PostponeForm(),
        "current_section": "agent-desktop",
    }
    if wants_fragment(request):
        return render(request, "cases/desktop.html#desktop-queues", context)
    return render(request, "cases/desktop.html", context)


@require_POST
def case_return(request, pk):
    case = _case_or_404(pk)
    try:
        assignment.case_return_to_queue(case=case, user=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(number)s is back in the queue.") % {"number": case.number})
    return navigate(request, reverse("cases:desktop"))


@require_POST
def case_bring_back(request, pk):
    case = _case_or_404(pk)
    try:
        assignment.case_bring_back(case=case, user=request.user)
    except CaseError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(number)s is back in your queues.") % {"number": case.number})
    return navigate(request, reverse("cases:desktop"))


@require_POST
def case_take(request, pk):
    try:
        case = assignment.case_take(case_id=pk, user=request.user)
    except CaseTaken as taken:
        messages.error(request, str(taken))
        return navigate(request, reverse("cases:desktop"))
    except CaseError as error:
        raise Http404(str(error)) from None
    messages.success(request, _("You took %(number)s.") % {"number": case.number})
    return navigate(request, case.get_absolute_url())


@require_POST
def take_next(request):
    case = assignment.case_take_next(user=request.user)
    if case is None:
        messages.info(request, _("Your queues are empty: there is no case to take."))
        return navigate(request, reverse("cases:desktop"))
    messages.success(request, _("You took %(number)s.") % {"number": case.number})
    return navigate(request, case.get_absolute_url())


@require_POST
def case_postpone(request, pk):
    case = _case_or_404(pk)
    form = PostponeForm(request.POST)
    if form.is_valid():
        try:
            assignment.case_postpone(case=case, user=request.user, until=form.cleaned_data["until"])
        except CaseError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(number)s postponed.") % {"number": case.number})
    else:
        messages.error(request, _("Choose when to postpone the case until."))
    return navigate(request, reverse("cases:desktop"))
