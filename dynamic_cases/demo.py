"""Demo dynamic cases: two cases for Opportunities, chosen by category, and a few
opportunities that run them (idempotent, like every demo loader)."""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.utils import timezone

from crm.demo import register
from crm.models import Account, Opportunity, OpportunityCategory
from crm.services_opportunities import lookups_ensure, opportunity_create
from dynamic_cases.models import DynamicCase
from dynamic_cases.services import dynamic_case_save

OWNER = "=record.owner"


def _step(
    key,
    name,
    *,
    kind="task",
    owner=OWNER,
    role="",
    start="",
    required=True,
    answers=(),
    fields=(),
    move=False,
    hint="",
):
    return {
        "key": key,
        "name": name,
        "kind": kind,
        "owner": owner,
        "role": role,
        "start": start,
        "required": required,
        "answers": list(answers),
        "fields": list(fields),
        "move_when_done": move,
        "hint": hint,
    }


SMALL_BUSINESS = {
    "code": "opportunity_small",
    "name": "Small business sale",
    "section": "crm.Opportunity",
    "stage_field": "stage",
    "choice_field": "category",
    "choice_value": "Small business",
    "active": True,
    "stages": [
        {
            "value": "Qualification",
            "next": ["Presentation"],
            "steps": [
                _step(
                    "sb_qualify",
                    "Qualify the customer's needs",
                    hint="Call the customer: who decides, what they need, by when.",
                ),
                _step(
                    "sb_budget",
                    "Is the budget confirmed?",
                    kind="question",
                    answers=["Yes", "Not yet"],
                    required=False,
                ),
            ],
        },
        {
            "value": "Presentation",
            "next": ["Closed won"],
            "steps": [
                _step("sb_prepare", "Prepare the product demo"),
                _step("sb_present", "Present the offer", start="sb_prepare"),
                _step(
                    "sb_followup", "Send the follow-up email", required=False, start="sb_present"
                ),
            ],
        },
        {
            "value": "Closed won",
            "next": [],
            "steps": [
                _step("sb_thanks", "Send a thank-you note", required=False),
            ],
        },
        {"value": "Closed lost", "next": [], "unsuccessful": True, "steps": []},
    ],
}

MEDIUM_BUSINESS = {
    "code": "opportunity_medium",
    "name": "Medium business sale",
    "section": "crm.Opportunity",
    "stage_field": "stage",
    "choice_field": "category",
    "choice_value": "Medium business",
    "active": True,
    "stages": [
        {
            "value": "Qualification",
            "next": ["Needs analysis"],
            "steps": [
                _step("mb_qualify", "Qualify the lead"),
                _step(
                    "mb_approve",
                    "Approve the opportunity",
                    kind="question",
                    owner="supervisor",
                    answers=["Approve", "Reject"],
                    start="mb_qualify",
                ),
            ],
        },
        {
            "value": "Needs analysis",
            "next": ["Proposal"],
            "steps": [
                _step("mb_meeting", "Run the needs-analysis meeting"),
                _step("mb_requirements", "Write down the requirements", start="mb_meeting"),
                _step(
                    "mb_references",
                    "Share customer references",
                    required=False,
                    role="1st line support",
                    owner="",
                ),
            ],
        },
        {
            "value": "Proposal",
            "next": ["Negotiation"],
            "steps": [
                _step("mb_proposal", "Prepare the proposal"),
                _step("mb_review", "Review the proposal", owner="supervisor", start="mb_proposal"),
            ],
        },
        {
            "value": "Negotiation",
            "next": ["Closed won"],
            "steps": [
                _step("mb_terms", "Agree on the terms"),
                _step(
                    "mb_update",
                    "Update the amount and close date",
                    kind="edit",
                    fields=["amount", "close_date"],
                    required=False,
                ),
            ],
        },
        {
            "value": "Closed won",
            "next": [],
            "steps": [
                _step(
                    "mb_handover",
                    "Hand over to delivery",
                    owner="",
                    role="Supervisors",
                    required=False,
                ),
            ],
        },
        {"value": "Closed lost", "next": [], "unsuccessful": True, "steps": []},
    ],
}

DEMO_CASES = (SMALL_BUSINESS, MEDIUM_BUSINESS)


@register(order=70)
def load_dynamic_cases():
    lookups_ensure()
    admin = User.objects.filter(username="admin").first()
    for data in DEMO_CASES:
        if not DynamicCase.objects.filter(code=data["code"]).exists():
            dynamic_case_save(data=data, user=admin)

    today = timezone.localdate()
    users = {u.username: u for u in User.objects.filter(username__in=["agent1", "agent2"])}
    categories = {c.name: c for c in OpportunityCategory.objects.all()}
    accounts = {a.name: a for a in Account.objects.all()}
    for title, account, category, amount, owner, days in [
        (
            "Point-of-sale terminals for 3 stores",
            "Tailspin Toys",
            "Small business",
            "18500",
            "agent1",
            21,
        ),
        ("Warehouse scanners refresh", "Northwind Traders", "Small business", "9200", "agent2", 35),
        (
            "Fleet telematics rollout",
            "Fabrikam Logistics",
            "Medium business",
            "126000",
            "agent1",
            60,
        ),
        ("Lab data platform", "Contoso Pharmaceuticals", "Medium business", "240000", "agent2", 90),
        ("Developer laptops", "Litware Software", "Large business", "410000", "agent1", 120),
    ]:
        if Opportunity.objects.filter(title=title).exists():
            continue
        opportunity_create(
            title=title,
            account=accounts.get(account),
            category=categories.get(category),
            amount=Decimal(amount),
            owner=users.get(owner),
            close_date=today + timedelta(days=days),
        )
