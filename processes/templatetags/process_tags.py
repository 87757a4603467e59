"""Template helpers of the process pages: durations people read."""

import json
from datetime import timedelta

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration(value):
    """1 h 4 min, 3 min 12 s, 850 ms; an em dash for none."""
    if value is None or not isinstance(value, timedelta):
        return "—"
    total = value.total_seconds()
    if total < 1:
        return _("%(ms)d ms") % {"ms": round(total * 1000)}
    seconds = int(total)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    if days:
        return _("%(d)d d %(h)d h") % {"d": days, "h": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": minutes}
    if minutes:
        return _("%(m)d min %(s)d s") % {"m": minutes, "s": seconds}
    return _("%(s).1f s") % {"s": total}


@register.filter
def pretty_json(value):
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)
