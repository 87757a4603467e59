"""The communication panel's state, rendered the same way for a page, a poll and a push."""

from functools import cached_property

from django.template.loader import render_to_string

from notifications import selectors


class PanelState:
    """Counters and lists for the panel; each is read from the database on first use."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread_count(self) -> int:
        return selectors.unread_count(self.user)

    @cached_property
    def recent(self):
        return selectors.recent_notifications(self.user)

    # The process engine fills the Business process tasks tab in a later issue.
    process_tasks = ()
    process_tasks_count = 0


def render_panel_update(user, *, toast=None, request=None) -> str:
    """The out-of-band fragments that bring an open page's panel up to date."""
    return render_to_string(
        "notifications/includes/panel_update.html",
        {"panel": PanelState(user), "toast": toast},
        request=request,
    )
