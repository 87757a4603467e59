"""What dynamic cases add to crm record pages (crm.record_panels): the workflow bar
above the record, and the current stage's steps in the action panel."""

from django.template.loader import render_to_string

from crm import record_panels
from dynamic_cases import selectors


def register():
    record_panels.register(workflow_bar, key="dynamic-case-bar", place="top", order=10)
    record_panels.register(stage_steps, key="dynamic-case-steps", place="side", order=10)


def panel_context(request, record, **extra):
    cache = request.__dict__.setdefault("_dynamic_case_panels", {})
    key = (type(record), record.pk)
    if key not in cache:
        cache[key] = selectors.panel(record, request.user)
    data = cache[key]
    if data is None:
        return None
    return {"case": data, "record": record, "request": request, **extra}


def workflow_bar(request, record, **extra):
    context = panel_context(request, record, **extra)
    if context is None:
        return None
    return render_to_string("dynamic_cases/includes/workflow_bar.html", context, request=request)


def stage_steps(request, record, **extra):
    context = panel_context(request, record, **extra)
    if context is None or context["case"]["record_case"] is None:
        return None
    return render_to_string("dynamic_cases/includes/stage_steps.html", context, request=request)
