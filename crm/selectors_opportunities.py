"""Reads for the Opportunities list: filters, sorting and joins that keep queries flat."""

from django.contrib.auth import get_user_model
from django.db.models import Q

from crm.models import Opportunity, OpportunityCategory, OpportunityStage
from crm.selectors import _ordering

OPPORTUNITY_SORTS = {
    "title": "title",
    "account": "account__name",
    "category": "category__order",
    "stage": "stage__order",
    "amount": "amount",
    "owner": "owner__username",
    "close": "close_date",
    "created": "created_at",
}


def opportunity_list(*, user, q="", category_id=None, stage_id=None, owner="all", sort="-created"):
    """Opportunities matching the list's filters; returns (queryset, the sort applied)."""
    items = Opportunity.objects.select_related("account", "category", "stage", "owner")
    if q:
        items = items.filter(Q(title__icontains=q) | Q(account__name__icontains=q))
    if category_id:
        items = items.filter(category_id=category_id)
    if stage_id:
        items = items.filter(stage_id=stage_id)
    if owner == "mine":
        items = items.filter(owner=user)
    elif owner.isdigit():
        items = items.filter(owner_id=int(owner))
    ordering, applied = _ordering(sort, OPPORTUNITY_SORTS, "created")
    if not sort:
        ordering, applied = ["-created_at", "-pk"], "-created"
    return items.order_by(*ordering), applied


def filter_choices():
    """Categories, stages and owners for the list's filter menus: ids and names only."""
    User = get_user_model()
    owners = (
        User.objects.filter(owned_opportunities__isnull=False)
        .distinct()
        .order_by("first_name", "username")
    )
    return {
        "categories": list(OpportunityCategory.objects.values_list("pk", "name")),
        "stages": list(OpportunityStage.objects.values_list("pk", "name")),
        "owners": [(u.pk, u.get_full_name() or u.get_username()) for u in owners],
    }
