"""Writes to opportunities and their lookups: one transaction each.

Kept beside crm/services.py (not in it) so the Opportunities section stays one
reviewable unit; the same habits apply.
"""

from django.db import transaction

from crm.models import Opportunity, OpportunityCategory, OpportunityStage

OPPORTUNITY_FIELDS = (
    "title",
    "account",
    "category",
    "stage",
    "amount",
    "owner",
    "close_date",
)
OPPORTUNITY_EDIT_FIELDS = tuple(f for f in OPPORTUNITY_FIELDS if f != "stage")

DEFAULT_CATEGORIES = ("Small business", "Medium business", "Large business")
# (name, is_final): the order is the order lookups list in menus.
DEFAULT_STAGES = (
    ("Qualification", False),
    ("Needs analysis", False),
    ("Presentation", False),
    ("Proposal", False),
    ("Negotiation", False),
    ("Closed won", True),
    ("Closed lost", True),
)


def lookups_ensure(category_model=OpportunityCategory, stage_model=OpportunityStage) -> None:
    """Create the default categories and stages that are missing (the data migration
    passes its historical models)."""
    for order, name in enumerate(DEFAULT_CATEGORIES, start=1):
        category_model.objects.get_or_create(name=name, defaults={"order": order * 10})
    for order, (name, is_final) in enumerate(DEFAULT_STAGES, start=1):
        stage_model.objects.get_or_create(
            name=name, defaults={"order": order * 10, "is_final": is_final}
        )


def _pick(fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    return fields


def opportunity_create(*, created_by=None, **fields) -> Opportunity:
    """Create an opportunity; its owner defaults to whoever created it.

    A dynamic case whose condition matches starts in the same transaction
    (the cases app listens to the registered model's post_save).
    """
    fields = _pick(fields, OPPORTUNITY_FIELDS)
    if fields.get("owner") is None and created_by is not None:
        fields["owner"] = created_by
    if fields.get("amount") is None:
        fields.pop("amount", None)
    with transaction.atomic():
        return Opportunity.objects.create(**fields)


def opportunity_update(*, opportunity, **fields) -> Opportunity:
    """Change an opportunity's fields (not its stage: the workflow bar moves that)."""
    fields = _pick(fields, OPPORTUNITY_EDIT_FIELDS)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(opportunity, name, value)
        opportunity.save(update_fields=[*fields, "modified_at"])
    return opportunity
