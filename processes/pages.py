"""What a user step shows: its page kind and options, read from the element's flowdesk: attributes.

Apps to the right may own a kind's page: activities registers the "Perform
task" page (the activity page) here in its AppConfig.ready(), so processes
never imports them. Every other kind's page is processes' own step page.

    from processes import pages
    pages.register_page_url("task", lambda step: reverse("activities:for-step", ...))
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

PAGE_LABELS = {
    "task": _("Perform task"),
    "question": _("Question"),
    "edit": _("Open edit page"),
    "auto": _("Auto-generated page"),
    "email": _("Send email"),
}
DEFAULT_RESULTS = ("Completed",)

_page_urls: dict[str, Callable] = {}


def register_page_url(kind: str, fn: Callable) -> None:
    """Let `fn(step) -> url` give the page of steps of page kind `kind`."""
    _page_urls[kind] = fn


def page_url(step) -> str:
    """Where a step's page opens: a registered page for its kind, else the step page.

    A step with flowdesk:createActivity whose page was submitted opens as a "task":
    its activity, which completes it with a result."""
    spec = spec_for(step)
    kind = spec.page
    if spec.create_activity and (step.data or {}).get("page"):
        # The page is filled in: what is left is the activity (the "task" page).
        kind = "task"
    fn = _page_urls.get(kind)
    if fn is not None:
        url = fn(step)
        if url:
            return url
    return step_url(step)


def step_url(step) -> str:
    return reverse("processes:step-page", args=[step.instance_id, step.number])


def split_list(text: str) -> list[str]:
    """'a, b; c' -> ['a', 'b', 'c']: lists in attributes take commas or semicolons."""
    return [part.strip() for part in re.split(r"[,;]", text or "") if part.strip()]


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
        from processes import documents

        cached = spec_of(documents.element_of(step))
        step._page_spec = cached
    return cached
