"""The "Process" / "Run process" buttons on record pages, "Move down the process"
on list pages (crm.record_actions), and the Next steps card of a record page's action
panel (crm.record_panels), registered in ProcessesConfig.ready()."""

from django.template.loader import render_to_string
from django.urls import reverse

from processes import registry, selectors, start_event_cache
from processes.user_steps import pages


def waiting_steps(request, record):
    """The record's incomplete user steps, read once per request for the Process button
    and the Next steps card alike."""
    cache = request.__dict__.setdefault("_record_waiting_steps", {})
    key = (type(record), record.pk)
    if key not in cache:
        cache[key] = selectors.steps_for_record(record)
    return cache[key]


def record_buttons(request, record):
    if request is None or not registry.is_registered(record):
        return None
    label = registry.label_of(record)
    steps = waiting_steps(request, record)
    runnable = start_event_cache.runnable_for(label)
    if not steps and not runnable:
        return None
    return render_to_string(
        "processes/includes/record_buttons.html",
        {
            "record": record,
            "label": label,
            "steps": steps,
            "runnable": runnable,
            "steps_url": reverse("processes:record-steps", args=[label, record.pk]),
        },
        request=request,
    )


def list_buttons(request, model):
    if request is None or not registry.is_registered(model):
        return None
    label = registry.label_of(model)
    return render_to_string(
        "processes/includes/list_buttons.html",
        {"url_template": reverse("processes:record-steps", args=[label, "__pk__"])},
        request=request,
    )


def next_steps(request, record):
    """The Next steps card: the waiting steps the record's Process button lists."""
    if request is None or not registry.is_registered(record):
        return None
    steps = waiting_steps(request, record)
    if not steps:
        return None
    for step in steps:
        step.page_url = pages.page_url(step)
    return render_to_string(
        "processes/includes/next_steps.html", {"record": record, "steps": steps}, request=request
    )
