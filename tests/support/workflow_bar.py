"""Read the workflow bar (templates/crm/includes/workflow_bar.html) out of a page."""

import re

from django.utils.html import strip_tags

_STEP = re.compile(r'<li class="workflow-step ([^"]*)">(.*?)</li>', re.S)
_BUTTON = re.compile(r'<button type="submit" name="([^"]+)" value="([^"]*)"')


def bar_stages(html: str) -> dict[str, dict]:
    """{label: {"classes": {...}, "posts": (name, value) or None, "check": bool}} in order."""
    stages = {}
    for classes, inner in _STEP.findall(html):
        button = _BUTTON.search(inner)
        stages[strip_tags(inner).strip()] = {
            "classes": set(classes.split()),
            "posts": button.groups() if button else None,
            "check": 'class="icon icon-check"' in inner,
        }
    return stages
