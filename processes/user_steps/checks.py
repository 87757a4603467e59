"""Import-time checks of user steps: the page an element describes can be built,
and its owner names a user, a role or a valid expression.

A broken page or owner expression refuses the import, naming the element,
instead of failing on the owner's screen. An owner or role that does not exist
(yet) is a warning the import returns, not a silent fall-back to the starter.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from processes.engine.expressions import ExpressionError, compile_expression
from processes.engine.graph import Element
from processes.user_steps.forms import PageDefinitionError, parse_auto_fields, record_form_class
from processes.user_steps.owners import owner_problems, owner_warnings
from processes.user_steps.spec import spec_of


def page_problems(element: Element) -> list[str]:
    """What is wrong with the page a user step's flowdesk: attributes describe ([]: nothing)."""
    spec = spec_of(element)
    problems = []
    if spec.page == "question" and not spec.answers:
        problems.append(_("the question has no answers (flowdesk:answers)"))
    elif spec.page == "auto":
        try:
            parse_auto_fields(spec.fields)
        except PageDefinitionError as error:
            problems.append(str(error))
    elif spec.page == "edit":
        try:
            record_form_class(spec)
        except PageDefinitionError as error:
            problems.append(str(error))
        for attribute, text in (("record", spec.record), ("condition", spec.condition)):
            problem = expression_problem(attribute, text)
            if problem:
                problems.append(problem)
    return problems


def expression_problem(attribute: str, text: str) -> str:
    """Why flowdesk:`attribute` does not compile as an expression ('' when it does or is empty)."""
    if not text:
        return ""
    try:
        compile_expression(text)
    except ExpressionError as error:
        return _("flowdesk:%(attribute)s “%(text)s” is not a valid expression: %(error)s") % {
            "attribute": attribute,
            "text": text,
            "error": error,
        }
    return ""


def user_step_problems(element: Element) -> list[str]:
    """What refuses a user step at import: its page, or an owner expression."""
    return [*page_problems(element), *owner_problems(element)]


def user_step_warnings(element: Element) -> list[str]:
    """What an import warns about a user step: an owner or role that does not exist yet."""
    return owner_warnings(element)
