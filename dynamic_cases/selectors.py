"""Reads for dynamic cases: which case a record uses, its workflow bar and steps, the
Case designer's list."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count

from crm.models import SystemSetting
from dynamic_cases import definition as spec
from dynamic_cases.models import DynamicCase, DynamicCaseVersion, RecordCase, RecordCaseStep
from processes.models import Step


def _label(record_or_model) -> str:
    meta = record_or_model._meta
    return f"{meta.app_label}.{meta.object_name}"


def cases_for_section(label: str):
    return DynamicCase.objects.filter(section__iexact=label, is_active=True)


def case_for(record) -> DynamicCase | None:
    """The active case whose condition the record meets: a case for the value of its
    choosing column first, then a case with no condition. None when no case fits."""
    candidates = list(
        cases_for_section(_label(record))
        .filter(versions__isnull=False)
        .distinct()
        .order_by("name", "pk")
    )
    specific = [c for c in candidates if c.choice_field]
    for case in specific:
        if case.matches(spec.record_value(record, case.choice_field)):
            return case
    return next((c for c in candidates if not c.choice_field), None)


def newest_version(case) -> DynamicCaseVersion | None:
    return case.versions.order_by("-number").first()


def record_cases_of(record):
    """The record's RecordCase rows, found by the content type's natural key: a cached
    content type id can outlive its row (a test database flushed under a live server)."""
    meta = record._meta
    return RecordCase.objects.filter(
        record_type__app_label=meta.app_label,
        record_type__model=meta.model_name,
        record_id=str(record.pk),
    )


def record_type_of(record) -> ContentType:
    meta = record._meta
    return ContentType.objects.get(app_label=meta.app_label, model=meta.model_name)


def record_case_of(record) -> RecordCase | None:
    return record_cases_of(record).select_related("version__case").first()


def record_of(record_case):
    model = record_case.record_type.model_class()
    if model is None:
        return None
    return model._default_manager.filter(pk=record_case.record_id).first()


def current_steps(record_case) -> list[RecordCaseStep]:
    return list(
        RecordCaseStep.objects.filter(record_case=record_case, round=record_case.round).order_by(
            "position"
        )
    )


def waiting_user_step(step: RecordCaseStep):
    """The waiting user step of the step's process (None for a sub-process or when done)."""
    if not step.instance_id or step.status != RecordCaseStep.Status.RUNNING:
        return None
    return (
        Step.objects.filter(instance_id=step.instance_id, status="waiting", is_user_step=True)
        .select_related("owner", "owner_role")
        .order_by("number")
        .first()
    )


def may_perform(waiting, user) -> bool:
    if waiting.owner_id:
        return waiting.owner_id == user.pk
    if waiting.owner_role_id:
        return user.groups.filter(pk=waiting.owner_role_id).exists()
    return True


# The role whose members may skip anyone's optional step, named by a system setting.
SUPERVISOR_ROLE_SETTING = "DynamicCaseSupervisorRole"
DEFAULT_SUPERVISOR_ROLE = "Supervisors"


def supervisor_role() -> str:
    row = SystemSetting.objects.filter(code=SUPERVISOR_ROLE_SETTING).first()
    return (row.value.strip() if row else "") or DEFAULT_SUPERVISOR_ROLE


def is_supervisor(user, group_names) -> bool:
    """Staff, or a member of the supervisor role: they may skip anyone's optional step."""
    return user.is_staff or supervisor_role() in group_names


def owner_by_definition(definition: dict, record):
    """Who the step's definition names as its performer before its process asks anyone:
    (a user or None, a role name or "")."""
    owner = definition.get("owner", "")
    user = None
    if owner.startswith("=record.") and record is not None:
        found = getattr(record, owner.removeprefix("=record."), None)
        user = found if isinstance(found, get_user_model()) else None
    elif owner and not owner.startswith("="):
        user = get_user_model().objects.filter(username=owner).first()
    return user, definition.get("role", "")


def owns_by_definition(definition: dict, user, record, group_names) -> bool:
    """Is `user` the performer the step's definition names (by user or role)?"""
    owner = definition.get("owner", "")
    if owner.startswith("=record.") and record is not None:
        found = getattr(record, owner.removeprefix("=record."), None)
        if isinstance(found, get_user_model()) and found.pk == user.pk:
            return True
    elif owner and not owner.startswith("=") and owner == user.get_username():
        return True
    role = definition.get("role", "")
    return bool(role) and role in group_names


def step_owner_name(step: RecordCaseStep, record) -> str:
    """The step's owner for people: its waiting user step's owner or role, else the
    performer its definition names."""
    waiting = waiting_user_step(step)
    if waiting is not None:
        if waiting.owner_id:
            return waiting.owner.get_full_name() or waiting.owner.get_username()
        return str(waiting.owner_role or "")
    user, role = owner_by_definition(step_definition(step), record)
    if user is not None:
        return user.get_full_name() or user.get_username()
    return role


def may_skip(step: RecordCaseStep, user, record) -> bool:
    """May `user` skip `step`? Its owner (the owner or role of its waiting user step, or
    the performer its definition names while it waits for another step), a supervisor,
    or staff."""
    group_names = set(user.groups.values_list("name", flat=True))
    if is_supervisor(user, group_names):
        return True
    waiting = waiting_user_step(step)
    if waiting is not None:
        return may_perform(waiting, user)
    return owns_by_definition(step_definition(step), user, record, group_names)


def step_definition(step: RecordCaseStep) -> dict:
    return step.record_case.version.step(step.stage, step.key) or {}


def step_answers(step: RecordCaseStep) -> list[str]:
    found = step_definition(step)
    return found.get("answers", []) if found.get("kind") == "question" else []


def panel(record, user) -> dict | None:
    """Everything the record page shows of its case: the workflow bar, the current
    stage's steps (with their owners and what the user may do), and the offer to
    change case. A fixed number of queries whatever the number of steps."""
    record_case = record_case_of(record)
    if record_case is None:
        startable = case_for(record)
        if startable is None:
            return None
        return {
            "record_case": None,
            "startable": startable,
            "content_type_id": record_type_of(record).pk,
        }
    version = record_case.version
    allowed = set(version.next_stages(record_case.stage))
    visited = set(record_case.visited)
    bar = []
    for stage in version.stages:
        value = stage["value"]
        current = value == record_case.stage
        bar.append(
            {
                "value": value,
                "label": value,
                "current": current,
                "done": value in visited and not current,
                "allowed": value in allowed,
                "tone": "unsuccessful" if stage.get("unsuccessful", False) else "",
            }
        )
    steps = current_steps(record_case)
    instance_ids = [s.instance_id for s in steps if s.instance_id]
    waiting = {}
    for row in (
        Step.objects.filter(instance_id__in=instance_ids, status="waiting", is_user_step=True)
        .select_related("owner", "owner_role")
        .order_by("number")
    ):
        waiting.setdefault(row.instance_id, row)
    groups = dict(user.groups.values_list("pk", "name"))
    group_ids = set(groups)
    supervisor = is_supervisor(user, set(groups.values()))
    stage = version.stage(record_case.stage) or {}
    definitions = {s["key"]: s for s in stage.get("steps", [])}
    names = {s["key"]: s["name"] for s in stage.get("steps", [])}
    items = []
    for row in steps:
        definition = definitions.get(row.key, {})
        user_step = waiting.get(row.instance_id) if row.status == "running" else None
        mine = user_step is not None and (
            user_step.owner_id == user.pk
            or (user_step.owner_id is None and user_step.owner_role_id in group_ids)
            or (user_step.owner_id is None and user_step.owner_role_id is None)
        )
        may_skip = not row.required and row.is_open
        if may_skip and not supervisor:
            may_skip = (
                mine
                if user_step is not None
                else owns_by_definition(definition, user, record, set(groups.values()))
            )
        items.append(
            {
                "row": row,
                "may_skip": may_skip,
                "kind": definition.get("kind", "task"),
                "move_when_done": definition.get("move_when_done", False),
                "after": names.get(definition.get("start", ""), ""),
                "user_step": user_step,
                "mine": mine,
                "answers": definition.get("answers", [])
                if definition.get("kind") == "question"
                else [],
            }
        )
    chosen = case_for(record)
    return {
        "record_case": record_case,
        "version": version,
        "bar": bar,
        "steps": items,
        "open_required": [
            i["row"].name for i in items if i["row"].required and i["row"].status != "done"
        ],
        "change_to": chosen if chosen is not None and chosen.pk != version.case_id else None,
        "content_type_id": record_case.record_type_id,
    }


def designer_list():
    """Cases for the Case designer with their version and running-record counts."""
    return DynamicCase.objects.annotate(
        version_count=Count("versions", distinct=True),
        record_count=Count("versions__record_cases", distinct=True),
    ).order_by("section", "name")


def export_data(case: DynamicCase) -> dict:
    """The JSON file of the case's newest version, with its current header."""
    version = newest_version(case)
    data = dict(version.definition) if version else spec.normalize({})
    data.update(
        {
            "format": spec.FORMAT,
            "code": case.code,
            "name": case.name,
            "section": case.section,
            "choice_field": case.choice_field,
            "choice_value": case.choice_value,
            "active": case.is_active,
        }
    )
    return data
