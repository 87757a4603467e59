"""What a user step asks for: its page kind and options, read from the element's
flowdesk: attributes, and the one rule that says when a step opens as its activity."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from processes import documents
from processes.engine.graph import split_list

PAGE_LABELS = {
    "task": _("Perform task"),
    "question": _("Question"),
    "edit": _("Open edit page"),
    "auto": _("Auto-generated page"),
    "email": _("Send email"),
}
DEFAULT_RESULTS = ("Completed",)


@dataclass(frozen=True)
class StepSpec:
    """A user step's page, as its element's flowdesk: attributes describe it."""

    page: str = "task"
    background: bool = False
    create_activity: bool = False
    hint: str = ""
    results: tuple[str, ...] = DEFAULT_RESULTS
    answers: tuple[str, ...] = ()
    multiple: bool = False
    variable: str = "answer"
    model: str = ""
    record: str = ""
    result_variable: str = "record_id"
    fields: str = ""
    condition: str = ""
    buttons: tuple[str, ...] = ()
    to: str = ""
    subject: str = ""
    body: str = ""
    documentation: str = ""

    @property
    def page_label(self):
        return PAGE_LABELS.get(self.page, PAGE_LABELS["task"])

    @property
    def postpone_label(self):
        return _("Close") if self.page == "auto" else _("Perform later")

    @property
    def has_activity(self) -> bool:
        return self.page == "task" or self.create_activity

    @property
    def page_before_activity(self) -> bool:
        """The step has a page of its own and then an activity (flowdesk:createActivity):
        submitting the page only keeps its values; the activity completes the step."""
        return self.create_activity and self.page != "task"


def spec_of(element) -> StepSpec:
    if element is None:
        return StepSpec()
    ext = element.ext or {}
    page = ext.get("page") or "task"
    return StepSpec(
        page=page,
        background=ext.get("background") == "true",
        create_activity=ext.get("createActivity") == "true",
        hint=ext.get("hint", ""),
        results=tuple(split_list(ext.get("results", ""))) or DEFAULT_RESULTS,
        answers=tuple(split_list(ext.get("answers", ""))),
        multiple=ext.get("multiple") == "true",
        variable=ext.get("variable") or "answer",
        model=ext.get("model", ""),
        record=ext.get("record", ""),
        result_variable=ext.get("resultVariable") or "record_id",
        fields=ext.get("fields", ""),
        condition=ext.get("condition", ""),
        buttons=tuple(split_list(ext.get("buttons", ""))),
        to=ext.get("to", ""),
        subject=ext.get("subject", ""),
        body=ext.get("body", ""),
        documentation=getattr(element, "documentation", "") or "",
    )


def spec_for(step) -> StepSpec:
    """The spec of a step row (cached on the row: the parse is cached per version)."""
    cached = getattr(step, "_page_spec", None)
    if cached is None:
        cached = spec_of(documents.element_of(step))
        step._page_spec = cached
    return cached


def stored_page(step) -> dict:
    """What the step's page kept for its activity (values, result, who, when), or {}."""
    return (step.data or {}).get("page") or {}


def opens_as_activity(step) -> bool:
    """Whether the step opens as its activity: a "Perform task" step, or a step whose
    page was filled in and whose activity (flowdesk:createActivity) is what is left."""
    spec = spec_for(step)
    return spec.page == "task" or (spec.page_before_activity and bool(stored_page(step)))
