"""The Opportunities section: list, record page, create and edit."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from crm import selectors_opportunities as selectors
from crm import services_opportunities as services
from crm.forms_opportunities import OpportunityForm
from crm.frame import PAGE_SIZE, safe_next, wants_fragment
from crm.models import Opportunity


def _int_param(request, name):
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@require_GET
@vary_on_headers("HX-Request")
def opportunity_list(request):
    owner = request.GET.get("owner", "all")
    filters = {
        "q": request.GET.get("q", "").strip()[:100],
        "category_id": _int_param(request, "category"),
        "stage_id": _int_param(request, "stage"),
        "owner": owner if owner in ("all", "mine") or owner.isdigit() else "all",
        "sort": request.GET.get("sort", ""),
    }
    items, sort = selectors.opportunity_list(user=request.user, **filters)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "filters": filters,
        "sort": sort,
        "filtered": bool(
            filters["q"]
            or filters["category_id"]
            or filters["stage_id"]
            or filters["owner"] != "all"
        ),
        "current_section": "opportunities",
    }
    if wants_fragment(request):
        return render(request, "crm/opportunity_list.html#opportunity-table", context)
    context.update(selectors.filter_choices())
    return render(request, "crm/opportunity_list.html", context)


@require_GET
def opportunity_detail(request, pk):
    opportunity = get_object_or_404(
        Opportunity.objects.select_related("account", "category", "stage", "owner"), pk=pk
    )
    return render(
        request,
        "crm/opportunity_detail.html",
        {"opportunity": opportunity, "current_section": "opportunities"},
    )


def opportunity_create(request):
    initial = {"owner": request.user}
    if account_id := _int_param(request, "account"):
        initial["account"] = account_id
    form = OpportunityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        opportunity = services.opportunity_create(created_by=request.user, **form.service_fields)
        messages.success(request, _("Opportunity “%(name)s” created.") % {"name": opportunity})
        return redirect(opportunity)
    return render(
        request,
        "crm/opportunity_form.html",
        {"form": form, "opportunity": None, "current_section": "opportunities"},
    )


def opportunity_edit(request, pk):
    opportunity = get_object_or_404(Opportunity, pk=pk)
    form = OpportunityForm(request.POST or None, instance=opportunity)
    if request.method == "POST" and form.is_valid():
        services.opportunity_update(opportunity=opportunity, **form.service_fields)
        messages.success(request, _("Opportunity saved."))
        return redirect(safe_next(request, opportunity.get_absolute_url()))
    return render(
        request,
        "crm/opportunity_form.html",
        {"form": form, "opportunity": opportunity, "current_section": "opportunities"},
    )
