"""Case helpers for templates: the deadline timer and status pills."""

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


def _span(delta):
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)sm") % {"h": hours, "m": minutes}
    return _("%(m)sm") % {"m": minutes}


@register.inclusion_tag("cases/includes/deadline_timer.html")
def deadline_timer(case, which="resolution"):
    """Time left to a deadline, red once overdue; stopped while the case is paused."""
    due = case.resolution_due if which == "resolution" else case.response_due
    done_at = case.resolved_at if which == "resolution" else case.responded_at
    state, label = "none", "—"
    if due is None:
        pass
    elif done_at is not None:
        state = "late" if done_at > due else "met"
        label = (
            _("Late by %(span)s") % {"span": _span(done_at - due)} if state == "late" else _("Met")
        )
    elif case.status.is_final:
        state, label = "stopped", _("Stopped")
    elif case.status.is_paused:
        state, label = "paused", _("Paused")
    else:
        left = due - timezone.now()
        if left.total_seconds() < 0:
            state, label = "overdue", _("Overdue %(span)s") % {"span": _span(left)}
        else:
            state = "soon" if left.total_seconds() < 3600 else "running"
            label = _("%(span)s left") % {"span": _span(left)}
    return {"due": due, "state": state, "label": label, "which": which}


@register.filter
def status_tone(status):
    return "neutral" if status is None else status.tone
