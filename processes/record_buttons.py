"""The "Process" / "Run process" buttons on record pages and "Move down the process"
on list pages, registered with crm.record_actions in ProcessesConfig.ready()."""

from django.template.loader import render_to_string
from django.urls import reverse

from processes import registry, selectors, start_event_cache


def record_buttons(request, record):
    if request is None or not registry.is_registered(record):
        return None
    label = registry.label_of(record)
    steps = selectors.steps_for_record(record)
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
