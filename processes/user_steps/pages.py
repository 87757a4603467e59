"""A user step's page: where it opens, the form each page kind shows, and what
submitting it does.

Apps to the right may own a kind's page: activities registers the "Perform
task" page (the activity page) here in its AppConfig.ready(), so processes
never imports them. Every other kind's page is processes' own step page.

    from processes.user_steps import pages
    pages.register_page_url("task", lambda step: reverse("activities:for-step", ...))

The views (processes/user_steps/views.py) check access and render; writes go
through processes.user_steps.services (step_submit_page).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from crm.email import send_email
from processes import registry
from processes.engine.expressions import ExpressionError, compile_expression
from processes.errors import ProcessError
from processes.user_steps import services
from processes.user_steps.forms import (
    AutoPageForm,
    EmailPageForm,
    PageDefinitionError,
    PostponeForm,
    QuestionForm,
    record_form_class,
)
from processes.user_steps.owners import expression_scope
from processes.user_steps.spec import StepSpec, opens_as_activity, spec_for

_page_urls: dict[str, Callable] = {}


def register_page_url(kind: str, fn: Callable) -> None:
    """Let `fn(step) -> url` give the page of steps of page kind `kind`."""
    _page_urls[kind] = fn


def page_url(step) -> str:
    """Where a step's page opens: a registered page for its kind, else the step page.

    A step that opens as its activity (`opens_as_activity`) opens as a "task": its
    activity, which completes it with a result."""
    kind = "task" if opens_as_activity(step) else spec_for(step).page
    fn = _page_urls.get(kind)
    if fn is not None:
        url = fn(step)
        if url:
            return url
    return step_url(step)


def step_url(step) -> str:
    return reverse("processes:step-page", args=[step.instance_id, step.number])


# -- building a page ---------------------------------------------------------------------


def scope_for(step) -> dict:
    """What expressions on a step's page see: the instance's variables plus `record`."""
    return expression_scope(step.instance)


def evaluate(step, text: str, *, literal_fallback: bool = True, scope=None):
    """The value of an attribute written as an expression; plain text that does not
    evaluate is taken as written (a subject line, an address)."""
    if not text:
        return ""
    try:
        return compile_expression(text).evaluate(
            scope if scope is not None else scope_for(step), registry.functions()
        )
    except ExpressionError:
        if literal_fallback and not (text.startswith("=") or text.startswith("${")):
            return text
        return ""


@dataclass
class Page:
    """A step page ready to render: the form, and the record an edit page edits."""

    step: object
    spec: StepSpec
    form: object = None
    record: object = None
    problem: str = ""
    extra: dict = field(default_factory=dict)


def edit_record(step, spec):
    """The existing record an edit page edits (flowdesk:record), or None for a new one."""
    if not spec.record:
        return None
    entry = registry.get_model(spec.model)
    value = evaluate(step, spec.record, literal_fallback=False)
    if value in (None, ""):
        raise PageDefinitionError(
            _("flowdesk:record “%(expr)s” gives no record id") % {"expr": spec.record}
        )
    record = entry.model._default_manager.filter(pk=value).first()
    if record is None:
        raise PageDefinitionError(
            _("there is no %(model)s with id %(id)s") % {"model": entry.label, "id": value}
        )
    return record


def build_page(step, data=None) -> Page:
    """The page of a step, its form bound to `data` when given."""
    spec = spec_for(step)
    page = Page(step=step, spec=spec)
    try:
        if spec.page == "question":
            page.form = QuestionForm(data, spec=spec, prefix="step")
        elif spec.page == "auto":
            page.form = AutoPageForm(data, spec=spec, prefix="step")
        elif spec.page == "edit":
            page.record = edit_record(step, spec)
            page.form = record_form_class(spec)(data, instance=page.record, prefix="step")
        elif spec.page == "email":
            initial = {
                "to": _text(evaluate(step, spec.to)),
                "subject": _text(evaluate(step, spec.subject)),
                "body": _text(evaluate(step, spec.body)),
            }
            page.form = EmailPageForm(data, initial=initial, prefix="step")
    except (PageDefinitionError, registry.UnknownModel) as error:
        page.problem = _("This page cannot be shown: %(reason)s.") % {"reason": error}
    page.extra["postpone"] = PostponeForm(initial=PostponeForm.initial_for(), prefix="later")
    return page


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


# -- submitting a page -------------------------------------------------------------------


@dataclass
class Outcome:
    completed: bool = False
    stored: bool = False
    message: str = ""


def submit_page(page: Page, user, *, button: str = "") -> Outcome:
    """Do what the page's submit means for its kind. The form must be valid."""
    step, spec, form = page.step, page.spec, page.form
    ids = {"instance_id": step.instance_id, "step_number": step.number, "user": user}
    if spec.page == "question":
        completed = services.step_submit_page(
            **ids, variables=form.variables(), result=form.result()
        )
    elif spec.page == "auto":
        if spec.buttons and button not in spec.buttons:
            raise ProcessError(_("Choose one of the page's buttons."))
        variables = form.variables()
        if button:
            variables["button"] = button
        completed = services.step_submit_page(**ids, variables=variables, result=button)
    elif spec.page == "email":
        to, subject, body = (form.cleaned_data[k] for k in ("to", "subject", "body"))

        def send(step):
            send_email(to=to, subject=subject, text=body)

        completed = services.step_submit_page(
            **ids,
            variables={"email_to": to, "email_subject": subject},
            before=send,
        )
    elif spec.page == "edit":
        return _submit_record(page, user, ids)
    else:
        completed = services.step_submit_page(**ids)
    return Outcome(completed=completed, stored=not completed)


def _submit_record(page: Page, user, ids) -> Outcome:
    """Save the record; the step completes only when flowdesk:condition holds for it."""
    step, spec, form = page.step, page.spec, page.form
    with transaction.atomic():
        services.refuse_unless_waiting(**ids)
        record = form.save()
        if spec.condition:
            values = registry.record_values(record)
            scope = {**scope_for(step), **values, "record": values}
            try:
                holds = bool(
                    compile_expression(spec.condition).evaluate(scope, registry.functions())
                )
            except ExpressionError as error:
                holds = False
                return Outcome(
                    message=_(
                        "The record was saved, but its completion condition "
                        "could not be checked: %(error)s"
                    )
                    % {"error": error}
                )
            if not holds:
                return Outcome(
                    message=_(
                        "The record was saved, but the step is not complete yet: %(condition)s "
                        "must hold. Fill in what is missing and save again."
                    )
                    % {"condition": spec.condition}
                )
        variables = {}
        if page.record is None:
            variables[spec.result_variable] = record.pk
        completed = services.step_submit_page(**ids, variables=variables)
    return Outcome(completed=completed, stored=not completed)
