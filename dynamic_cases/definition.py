"""A dynamic case's definition: its JSON shape, validation, and the BPMN of its steps.

The JSON file admins import and export is the definition itself:

    {"format": "flowdesk-dynamic-case", "code": "...", "name": "...",
     "section": "crm.Opportunity", "stage_field": "stage",
     "choice_field": "category", "choice_value": "Small business", "active": true,
     "stages": [{"value": "Qualification", "next": ["Presentation"],
                 "unsuccessful": false,
                 "steps": [{"key": "call", "name": "Call the customer", "kind": "task",
                            "owner": "agent1", "role": "", "answers": [], "fields": [],
                            "process": "", "hint": "", "start": "",
                            "required": true, "move_when_done": false}]}]}

`start` is empty for a step performed at the start of its stage, or the key of
the step of the same stage it follows. Every problem is reported as a sentence
that names the stage and step it is about.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from processes import registry

FORMAT = "flowdesk-dynamic-case"
STEP_KINDS = ("task", "question", "edit", "subprocess")
CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
RECORD_OWNER = "=record.owner"
GENERATED_NOTE = "Dynamic case step, generated: edit the case, not this process."


class DefinitionInvalid(Exception):
    """The definition cannot be saved; `errors` lists every reason, for people."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = list(errors)


# -- reading models and records ------------------------------------------------


def section_model(label):
    try:
        return registry.get_model(label).model
    except (registry.UnknownModel, LookupError, ValueError):
        return None


def lookup_field(model, name):
    """The ForeignKey `name` of `model`, or None."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.ForeignKey) else None


def lookup_values(model, field_name) -> list[str]:
    """The values a lookup column can take, as their names, in the lookup's order."""
    field = lookup_field(model, field_name)
    if field is None:
        return []
    return [str(row) for row in field.related_model._default_manager.all()]


def lookup_row(model, field_name, value):
    """The lookup row of column `field_name` whose name is `value` (case-insensitive)."""
    field = lookup_field(model, field_name)
    if field is None:
        return None
    rows = field.related_model._default_manager.all()
    if any(f.name == "name" for f in field.related_model._meta.get_fields()):
        return rows.filter(name__iexact=str(value).strip()).first()
    wanted = str(value).strip().casefold()
    return next((row for row in rows if str(row).casefold() == wanted), None)


def record_value(record, field_name):
    """The value a record's column shows (a lookup's name for a foreign key)."""
    if not field_name:
        return None
    try:
        field = record._meta.get_field(field_name)
    except FieldDoesNotExist:
        return None
    value = getattr(record, field.name, None)
    return None if value is None else str(value)


def choice_columns(model) -> list[tuple[str, str]]:
    """Columns that may choose a case: (name, label) of the model's concrete fields."""
    skip = {"id", "created_at", "modified_at"}
    return [
        (f.name, str(f.verbose_name).capitalize())
        for f in model._meta.concrete_fields
        if f.name not in skip and not isinstance(f, models.TextField)
    ]


def stage_columns(model) -> list[tuple[str, str]]:
    return [
        (f.name, str(f.verbose_name).capitalize())
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey)
        and f.related_model._meta.app_label not in ("auth", "contenttypes")
    ]


# -- shape ---------------------------------------------------------------------


def _flag(value, default=False) -> bool:
    if isinstance(value, bool):
        return value
    if value in (None, ""):
        return default
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _list(value) -> list[str]:
    if isinstance(value, str):
        value = re.split(r"[,;]", value)
    if not isinstance(value, list | tuple):
        return []
    return [str(item).strip() for item in value if str(item).strip()]


def normalize(data) -> dict:
    """A definition with every key present and every value of its type (no checks yet)."""
    if not isinstance(data, dict):
        raise DefinitionInvalid([_("The file must hold one JSON object, the case definition.")])
    stages = []
    raw_stages = data.get("stages") if isinstance(data.get("stages"), list) else []
    for raw in raw_stages:
        raw = raw if isinstance(raw, dict) else {}
        steps = []
        for step in raw.get("steps") if isinstance(raw.get("steps"), list) else []:
            step = step if isinstance(step, dict) else {}
            steps.append(
                {
                    "key": str(step.get("key") or "").strip(),
                    "name": str(step.get("name") or "").strip(),
                    "kind": str(step.get("kind") or "task").strip(),
                    "owner": str(step.get("owner") or "").strip(),
                    "role": str(step.get("role") or "").strip(),
                    "answers": _list(step.get("answers")),
                    "fields": _list(step.get("fields")),
                    "process": str(step.get("process") or "").strip(),
                    "hint": str(step.get("hint") or "").strip(),
                    "start": str(step.get("start") or "").strip(),
                    "required": _flag(step.get("required"), default=True),
                    "move_when_done": _flag(step.get("move_when_done")),
                }
            )
        stages.append(
            {
                "value": str(raw.get("value") or "").strip(),
                "next": _list(raw.get("next")),
                "unsuccessful": _flag(raw.get("unsuccessful")),
                "steps": steps,
            }
        )
    return {
        "format": FORMAT,
        "code": str(data.get("code") or "").strip(),
        "name": str(data.get("name") or "").strip(),
        "section": str(data.get("section") or "").strip(),
        "stage_field": str(data.get("stage_field") or "stage").strip(),
        "choice_field": str(data.get("choice_field") or "").strip(),
        "choice_value": str(data.get("choice_value") or "").strip(),
        "active": _flag(data.get("active"), default=True),
        "stages": stages,
    }


def validate(definition: dict, *, known_processes=None) -> list[str]:
    """Every reason `definition` (normalized) cannot be saved, or []."""
    errors = []
    if definition.get("format") not in (None, FORMAT):
        errors.append(_("“format” must be “%(format)s”.") % {"format": FORMAT})
    if not CODE_RE.match(definition["code"]):
        errors.append(
            _(
                "Code: use 1 to 40 lower-case letters, digits and underscores, "
                "starting with a letter (got “%(code)s”)."
            )
            % {"code": definition["code"]}
        )
    if not definition["name"]:
        errors.append(_("Name: give the case a name."))
    model = section_model(definition["section"]) if definition["section"] else None
    if model is None:
        errors.append(
            _("Section: “%(section)s” is not a registered section model.")
            % {"section": definition["section"]}
        )
        return errors
    stage_values = []
    if lookup_field(model, definition["stage_field"]) is None:
        errors.append(
            _("Stage column: “%(field)s” is not a lookup column of %(section)s.")
            % {"field": definition["stage_field"], "section": definition["section"]}
        )
    else:
        stage_values = [v.casefold() for v in lookup_values(model, definition["stage_field"])]
    choice = definition["choice_field"]
    if choice:
        try:
            model._meta.get_field(choice)
        except FieldDoesNotExist:
            errors.append(
                _(
                    "Which column determines which case to use with a record?: "
                    "%(section)s has no column “%(field)s”."
                )
                % {"section": definition["section"], "field": choice}
            )
        else:
            if not definition["choice_value"]:
                errors.append(
                    _(
                        "Use this case with records where: give the value of "
                        "“%(field)s” this case is for."
                    )
                    % {"field": choice}
                )
            elif (
                lookup_field(model, choice) is not None
                and lookup_row(model, choice, definition["choice_value"]) is None
            ):
                errors.append(
                    _(
                        "Use this case with records where: “%(value)s” is not a value "
                        "of “%(field)s”."
                    )
                    % {"value": definition["choice_value"], "field": choice}
                )
    stages = definition["stages"]
    if len(stages) < 2:
        errors.append(_("Stages: a case needs at least two stages."))
    names = [s["value"] for s in stages]
    folded = [n.casefold() for n in names]
    unsuccessful = [s["value"] for s in stages if s["unsuccessful"]]
    if len(unsuccessful) > 1:
        errors.append(
            _("Stages: only one stage can be the final unsuccessful stage (now: %(names)s).")
            % {"names": ", ".join(unsuccessful)}
        )
    step_keys = {}
    for position, stage in enumerate(stages, start=1):
        label = stage["value"] or _("#%(n)s") % {"n": position}
        where = _("Stage %(n)s “%(name)s”") % {"n": position, "name": label}
        if not stage["value"]:
            errors.append(_("%(where)s: choose its value.") % {"where": where})
        elif stage_values and stage["value"].casefold() not in stage_values:
            errors.append(
                _("%(where)s: “%(value)s” is not a value of the stage column.")
                % {"where": where, "value": stage["value"]}
            )
        elif folded.count(stage["value"].casefold()) > 1:
            errors.append(_("%(where)s: the stage appears twice.") % {"where": where})
        for target in stage["next"]:
            if target.casefold() not in folded:
                errors.append(
                    _("%(where)s: next stage “%(next)s” is not a stage of this case.")
                    % {"where": where, "next": target}
                )
            elif target.casefold() == stage["value"].casefold():
                errors.append(
                    _("%(where)s: a stage cannot be its own next stage.") % {"where": where}
                )
        keys_here = {s["key"] for s in stage["steps"]}
        for number, step in enumerate(stage["steps"], start=1):
            errors += _validate_step(
                step, number, where, keys_here, step_keys, stage, model, known_processes
            )
            step_keys.setdefault(step["key"], where)
        errors += _cycles(stage, where)
    return errors


def _validate_step(step, number, where, keys_here, step_keys, stage, model, known_processes):
    errors = []
    label = step["name"] or _("#%(n)s") % {"n": number}
    at = _("%(where)s, step “%(step)s”") % {"where": where, "step": label}
    if not step["name"]:
        errors.append(
            _("%(where)s, step %(n)s: give the step a name.") % {"where": where, "n": number}
        )
    if not KEY_RE.match(step["key"]):
        errors.append(
            _(
                "%(at)s: its key “%(key)s” must be lower-case letters, digits and "
                "underscores, starting with a letter."
            )
            % {"at": at, "key": step["key"]}
        )
    elif step["key"] in step_keys:
        errors.append(
            _("%(at)s: the key “%(key)s” is already used in %(other)s.")
            % {"at": at, "key": step["key"], "other": step_keys[step["key"]]}
        )
    if step["kind"] not in STEP_KINDS:
        errors.append(
            _("%(at)s: the kind must be one of %(kinds)s, not “%(kind)s”.")
            % {"at": at, "kinds": ", ".join(STEP_KINDS), "kind": step["kind"]}
        )
        return errors
    if step["kind"] == "subprocess":
        if not step["process"]:
            errors.append(_("%(at)s: choose the process it runs.") % {"at": at})
        elif known_processes is not None and step["process"] not in known_processes:
            errors.append(
                _("%(at)s: there is no process with the code “%(code)s”.")
                % {"at": at, "code": step["process"]}
            )
    else:
        if not step["owner"] and not step["role"]:
            errors.append(_("%(at)s: choose who performs it (a user or a role).") % {"at": at})
        named_user = step["owner"] and not step["owner"].startswith("=")
        if named_user and not get_user_model().objects.filter(username=step["owner"]).exists():
            errors.append(
                _("%(at)s: there is no user “%(user)s”.") % {"at": at, "user": step["owner"]}
            )
        if step["role"] and not Group.objects.filter(name=step["role"]).exists():
            errors.append(
                _("%(at)s: there is no role “%(role)s”.") % {"at": at, "role": step["role"]}
            )
    if step["kind"] == "question" and len(step["answers"]) < 2:
        errors.append(_("%(at)s: a question needs at least two answers.") % {"at": at})
    if step["kind"] == "edit":
        if not step["fields"]:
            errors.append(_("%(at)s: list the fields the record page asks for.") % {"at": at})
        for name in step["fields"]:
            try:
                model._meta.get_field(name)
            except FieldDoesNotExist:
                errors.append(
                    _("%(at)s: the record has no field “%(field)s”.") % {"at": at, "field": name}
                )
    if step["start"]:
        if step["start"] == step["key"]:
            errors.append(_("%(at)s: a step cannot start after itself.") % {"at": at})
        elif step["start"] not in keys_here:
            errors.append(
                _("%(at)s: it starts after “%(after)s”, which is not a step of this stage.")
                % {"at": at, "after": step["start"]}
            )
    if step["move_when_done"] and (stage["unsuccessful"] or not stage["next"]):
        errors.append(
            _("%(at)s: “move to the next stage when done” needs a next stage.") % {"at": at}
        )
    return errors


def _cycles(stage, where):
    after = {s["key"]: s["start"] for s in stage["steps"] if s["key"]}
    for key in after:
        seen, current = set(), key
        while after.get(current):
            if current in seen:
                return [
                    _("%(where)s: its steps wait for each other in a circle, so none would start.")
                    % {"where": where}
                ]
            seen.add(current)
            current = after[current]
    return []


# -- BPMN of the steps -----------------------------------------------------------


def bpmn_for(definition: dict, code_for) -> str:
    """One BPMN document with a small process per step; `code_for(step_key)` names them."""
    processes = []
    model_label = definition["section"]
    for stage in definition["stages"]:
        for step in stage["steps"]:
            processes.append(_process(step, code_for(step["key"]), model_label))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"\n'
        '                  xmlns:flowdesk="https://flowdesk.dev/bpmn"\n'
        f'                  id="Definitions_{definition["code"]}"'
        ' targetNamespace="https://flowdesk.dev/dynamic-cases">\n'
        + "".join(processes)
        + "</bpmn:definitions>\n"
    )


def _process(step, code, model_label) -> str:
    key = step["key"]
    name = quoteattr(step["name"])
    if step["kind"] == "subprocess":
        called = quoteattr(step["process"])
        body = f'    <bpmn:callActivity id="{key}_step" name={name} calledElement={called} />\n'
    else:
        attrs = {
            "page": {"task": "task", "question": "question", "edit": "edit"}[step["kind"]],
            "background": "true",
        }
        if step["owner"]:
            attrs["owner"] = step["owner"]
        if step["role"]:
            attrs["ownerRole"] = step["role"]
        if step["hint"]:
            attrs["hint"] = step["hint"]
        if step["kind"] == "question":
            attrs["answers"] = ";".join(step["answers"])
        if step["kind"] == "edit":
            attrs["model"] = model_label
            attrs["record"] = "=record_id"
            attrs["fields"] = ";".join(step["fields"])
        ext = " ".join(f"flowdesk:{k}={quoteattr(v)}" for k, v in attrs.items())
        body = f'    <bpmn:userTask id="{key}_step" name={name} {ext} />\n'
    return (
        f'  <bpmn:process id="{code}" name={quoteattr(step["name"])} isExecutable="true">\n'
        f"    <bpmn:documentation>{escape(GENERATED_NOTE)}</bpmn:documentation>\n"
        f'    <bpmn:startEvent id="{key}_start" />\n'
        f'    <bpmn:sequenceFlow id="{key}_f1" sourceRef="{key}_start"'
        f' targetRef="{key}_step" />\n'
        + body
        + f'    <bpmn:sequenceFlow id="{key}_f2" sourceRef="{key}_step" targetRef="{key}_end" />\n'
        f'    <bpmn:endEvent id="{key}_end" />\n'
        "  </bpmn:process>\n"
    )
