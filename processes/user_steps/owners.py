"""Who a new user step goes to, from its element's flowdesk: attributes."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from processes import registry
from processes.engine.expressions import ExpressionError, compile_expression
from processes.engine.graph import Element


def assign_owner(row, element: Element, instance) -> None:
    """Set a new user step's owner: flowdesk:owner (a username, or "role:Group name"),
    flowdesk:ownerRole (a group name) -- or what camunda:assignee / candidateUsers /
    candidateGroups and zeebe:assignmentDefinition map onto -- the lane's group, or
    else whoever started the instance.

    An owner or role written as an expression (FEEL "=assignee" or JUEL
    "${assignee}") is evaluated over the instance's variables plus `record`, the
    registered fields of the instance's connected record, so a step can go to
    whoever a variable or the record names (`=record.assignee` gives the user's
    id). An expression that fails or names nobody falls through to the next rule.
    """
    ext = element.settings
    owner_text = (ext.get("owner") or "").strip()
    role_text = (ext.get("ownerRole") or "").strip()
    scope = expression_scope(instance) if _is_expression(owner_text + role_text) else None
    owner = _owner_value(owner_text, instance, scope)
    role = _owner_value(role_text, instance, scope)
    if owner.lower().startswith("role:"):
        role = role or owner[5:].strip()
        owner = ""
    User = get_user_model()
    if owner:
        if owner.isdigit():
            row.owner = User.objects.filter(pk=int(owner), is_active=True).first()
        else:
            row.owner = User.objects.filter(username=owner).first()
    if role:
        row.owner_role = Group.objects.filter(name=role).first()
    if row.owner is None and row.owner_role is None and element.lane:
        row.owner_role = Group.objects.filter(name=element.lane).first()
    if row.owner is None and row.owner_role is None:
        row.owner_id = instance.started_by_id


def _is_expression(text: str) -> bool:
    return "=" in text[:1] or "${" in text


def expression_scope(instance) -> dict:
    """The instance's variables plus `record`: its connected record's registered fields."""
    scope = dict(instance.variables or {})
    if instance.record_type_id and instance.record_id and "record" not in scope:
        model = instance.record_type.model_class()
        if model is not None and registry.is_registered(model):
            record = model._default_manager.filter(pk=instance.record_id).first()
            if record is not None:
                scope["record"] = registry.record_values(record)
    return scope


def _owner_value(text: str, instance, scope=None) -> str:
    """A username or group name as written, or the value of an owner expression."""
    if not (text.startswith("=") or text.startswith("${")):
        return text
    try:
        value = compile_expression(text).evaluate(
            scope if scope is not None else instance.variables, registry.functions()
        )
    except ExpressionError:
        return ""
    if isinstance(value, bool) or value in (None, ""):
        return ""
    return str(value).strip()


def owner_problems(element: Element) -> list[str]:
    """Why a user step's flowdesk:owner / flowdesk:ownerRole cannot work ([]: it can):
    an owner expression that does not compile. Refused at import."""
    ext = element.ext or {}
    problems = []
    for attribute in ("owner", "ownerRole"):
        text = (ext.get(attribute) or "").strip()
        if _is_expression(text):
            try:
                compile_expression(text)
            except ExpressionError as error:
                problems.append(
                    _("flowdesk:%(attribute)s “%(text)s” is not a valid expression: %(error)s")
                    % {"attribute": attribute, "text": text, "error": error}
                )
    return problems


def owner_warnings(element: Element) -> list[str]:
    """Whom a user step's owner names that does not exist (yet): a username or user
    id with no active user, a role with no group. A warning at import, not a
    refusal (users and roles may be created after the process is imported); until
    they exist the step goes to the lane's role or whoever started the instance."""
    ext = element.ext or {}
    owner_text = (ext.get("owner") or "").strip()
    role_text = (ext.get("ownerRole") or "").strip()
    warnings = []
    if owner_text and not _is_expression(owner_text):
        if owner_text.lower().startswith("role:"):
            role_text = role_text or owner_text[5:].strip()
        elif not _user_exists(owner_text):
            warnings.append(
                _("flowdesk:owner names the user “%(user)s”, and there is no such active user")
                % {"user": owner_text}
            )
    if (
        role_text
        and not _is_expression(role_text)
        and not Group.objects.filter(name=role_text).exists()
    ):
        warnings.append(_("the owner role “%(role)s” does not exist") % {"role": role_text})
    return warnings


def _user_exists(text: str) -> bool:
    users = get_user_model().objects.filter(is_active=True)
    if text.isdigit():
        return users.filter(pk=int(text)).exists()
    return users.filter(username=text).exists()
