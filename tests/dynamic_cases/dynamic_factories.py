"""Dynamic-case test data, built through the real services."""

from crm.models import OpportunityCategory, OpportunityStage
from crm.services_opportunities import lookups_ensure, opportunity_create
from dynamic_cases.services import dynamic_case_save


def step(key, name, **fields):
    return {"key": key, "name": name, "kind": "task", "owner": "=record.owner", **fields}


def small_case(**header):
    """Qualification -> Presentation -> Closed won, Closed lost from anywhere."""
    data = {
        "code": "small",
        "name": "Small business sale",
        "section": "crm.Opportunity",
        "stage_field": "stage",
        "choice_field": "category",
        "choice_value": "Small business",
        "stages": [
            {
                "value": "Qualification",
                "next": ["Presentation"],
                "steps": [
                    step("qualify", "Qualify the needs"),
                    step(
                        "budget",
                        "Is the budget confirmed?",
                        kind="question",
                        answers=["Yes", "No"],
                        required=False,
                    ),
                ],
            },
            {
                "value": "Presentation",
                "next": ["Closed won"],
                "steps": [
                    step("prepare", "Prepare the demo"),
                    step("present", "Present the offer", start="prepare", move_when_done=True),
                ],
            },
            {"value": "Closed won", "next": [], "steps": []},
            {"value": "Closed lost", "next": [], "unsuccessful": True, "steps": []},
        ],
    }
    data.update(header)
    return data


def medium_case(**header):
    data = {
        "code": "medium",
        "name": "Medium business sale",
        "section": "crm.Opportunity",
        "stage_field": "stage",
        "choice_field": "category",
        "choice_value": "Medium business",
        "stages": [
            {"value": v, "next": [n] if n else [], "steps": [step(f"m{i}", f"Work on {v}")]}
            for i, (v, n) in enumerate(
                [
                    ("Qualification", "Needs analysis"),
                    ("Needs analysis", "Proposal"),
                    ("Proposal", "Negotiation"),
                    ("Negotiation", "Closed won"),
                    ("Closed won", ""),
                ]
            )
        ]
        + [{"value": "Closed lost", "next": [], "unsuccessful": True, "steps": []}],
    }
    data.update(header)
    return data


def save_case(data, user=None):
    return dynamic_case_save(data=data, user=user)


def category(name):
    lookups_ensure()
    return OpportunityCategory.objects.get(name=name)


def stage(name):
    lookups_ensure()
    return OpportunityStage.objects.get(name=name)


def make_opportunity(title="Ten tablets", *, category_name="Small business", by=None, **fields):
    lookups_ensure()
    return opportunity_create(
        title=title,
        category=category(category_name) if category_name else None,
        created_by=by,
        **fields,
    )
