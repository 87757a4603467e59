"""The step page's markup: the full page, its `step-page` fragment for the dialog, and
the same fragment pushed over the socket (so HTTP and socket produce the same markup)."""

from __future__ import annotations

import logging

from django.shortcuts import render
from django.template.loader import render_to_string

from processes import selectors
from processes.user_steps.pages import build_page
from processes.user_steps.spec import opens_as_activity, spec_for

TEMPLATE = "processes/step_page.html"
logger = logging.getLogger(__name__)


def page_context(step, **extra) -> dict:
    """What the step page template needs: the step, its spec, its instance and record."""
    spec = spec_for(step)
    selectors.attach_records([step])
    return {"step": step, "spec": spec, "instance": step.instance, **extra}


def render_page(request, context, status=200):
    """The step page, or only its fragment for an htmx request (the dialog)."""
    context.setdefault("in_dialog", bool(request.htmx))
    if request.htmx and not request.htmx.history_restore_request:
        return render(request, f"{TEMPLATE}#step-page", context, status=status)
    return render(request, TEMPLATE, context, status=status)


def render_step_fragment(step) -> str | None:
    """The step page's fragment as the dialog shows it, for a push that carries the page
    itself (one round trip less). None for pages processes does not render (a step
    that opens as its activity shows the activity's page)."""
    if opens_as_activity(step):
        return None
    try:
        context = page_context(step, page=build_page(step), state="open", in_dialog=True)
        return render_to_string(f"{TEMPLATE}#step-page", context)
    except Exception:  # the dialog loads the page itself, and shows what is wrong with it
        logger.exception("could not render the page of step %s", step.pk)
        return None
