"""The Case designer's editing form: a definition drawn as named inputs, read back from
POST, and the editing operations (add, remove, reorder stages and steps) that change
the draft before it is saved as a version."""

from __future__ import annotations

from dynamic_cases import definition as spec

STEP_FIELDS = (
    "key",
    "name",
    "kind",
    "owner",
    "role",
    "answers",
    "fields",
    "process",
    "hint",
    "start",
)


def blank() -> dict:
    return spec.normalize(
        {
            "section": "crm.Opportunity",
            "stage_field": "stage",
            "stages": [{"value": "", "steps": []}, {"value": "", "steps": []}],
        }
    )


def _int(value, default=0):
    try:
        return max(0, min(int(value), 200))
    except (TypeError, ValueError):
        return default


def read(post) -> dict:
    """The draft definition the editing form posted."""
    stages = []
    for i in range(_int(post.get("stage-count"))):
        prefix = f"stage-{i}"
        steps = []
        for j in range(_int(post.get(f"{prefix}-step-count"))):
            p = f"{prefix}-step-{j}"
            step = {name: post.get(f"{p}-{name}", "") for name in STEP_FIELDS}
            step["required"] = post.get(f"{p}-required") == "on"
            step["move_when_done"] = post.get(f"{p}-move_when_done") == "on"
            steps.append(step)
        stages.append(
            {
                "value": post.get(f"{prefix}-value", ""),
                "next": post.getlist(f"{prefix}-next"),
                "unsuccessful": post.get("unsuccessful") == str(i),
                "steps": steps,
            }
        )
    return spec.normalize(
        {
            "code": post.get("code", ""),
            "name": post.get("name", ""),
            "section": post.get("section", ""),
            "stage_field": post.get("stage_field", ""),
            "choice_field": post.get("choice_field", ""),
            "choice_value": post.get("choice_value", ""),
            "active": post.get("active") == "on",
            "stages": stages,
        }
    )


def _new_key(draft, base="step"):
    used = {s["key"] for st in draft["stages"] for s in st["steps"]}
    n = 1
    while f"{base}_{n}" in used:
        n += 1
    return f"{base}_{n}"


def apply(draft: dict, op: str) -> dict:
    """Apply an editing operation named like "add-stage", "up-2", "add-step-1",
    "remove-step-1-0" to the draft; unknown operations leave it as it is."""
    stages = draft["stages"]
    name, _, rest = op.partition(":")
    args = [_int(a, -1) for a in rest.split("-")] if rest else []
    if name == "add-stage":
        stages.append({"value": "", "next": [], "unsuccessful": False, "steps": []})
    elif name == "remove-stage" and _ok(stages, args):
        removed = stages.pop(args[0])["value"]
        for stage in stages:
            stage["next"] = [n for n in stage["next"] if n != removed]
    elif name == "up" and _ok(stages, args) and args[0] > 0:
        i = args[0]
        stages[i - 1], stages[i] = stages[i], stages[i - 1]
    elif name == "down" and _ok(stages, args) and args[0] < len(stages) - 1:
        i = args[0]
        stages[i + 1], stages[i] = stages[i], stages[i + 1]
    elif name == "add-step" and _ok(stages, args):
        stages[args[0]]["steps"].append(
            {
                "key": _new_key(draft),
                "name": "",
                "kind": "task",
                "owner": spec.RECORD_OWNER,
                "role": "",
                "answers": [],
                "fields": [],
                "process": "",
                "hint": "",
                "start": "",
                "required": True,
                "move_when_done": False,
            }
        )
    elif name == "remove-step" and len(args) == 2 and _ok(stages, args):
        steps = stages[args[0]]["steps"]
        if 0 <= args[1] < len(steps):
            key = steps.pop(args[1])["key"]
            for step in steps:
                if step["start"] == key:
                    step["start"] = ""
    return draft


def _ok(stages, args):
    return bool(args) and 0 <= args[0] < len(stages)
