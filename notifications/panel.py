"""The communication panel's state, rendered the same way for a page, a poll and a push."""

from functools import cached_property

from django.contrib.auth import get_user_model
from django.template.loader import render_to_string

from notifications import selectors
from notifications.push import push_html
from processes.selectors import steps_for_user
from processes.user_steps import pages
from processes.user_steps.spec import spec_for


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

    @cached_property
    def process_tasks(self):
        """The waiting user steps of the user and their roles, with their page URLs and
        whether each opens over the page (as its push does) rather than in the background."""
        steps = steps_for_user(self.user)
        for step in steps:
            step.page_url = pages.page_url(step)
            step.opens_in_front = not spec_for(step).background and not step.postponed
        return steps

    @cached_property
    def process_tasks_count(self) -> int:
        return sum(1 for step in self.process_tasks if not step.postponed)


def render_panel_update(user, *, toast=None, request=None) -> str:
    """The out-of-band fragments that bring an open page's panel up to date."""
    return render_to_string(
        "notifications/includes/panel_update.html",
        {"panel": PanelState(user), "toast": toast},
        request=request,
    )


def render_process_tasks_update(user) -> str:
    """The Business process tasks tab and its counter, as out-of-band fragments."""
    return render_to_string(
        "notifications/includes/process_tasks_update.html", {"panel": PanelState(user)}
    )


def push_process_tasks_panels(user_ids) -> None:
    """Each user's own Business process tasks tab (and counter), to their open pages."""
    for user in get_user_model().objects.filter(pk__in=user_ids, is_active=True):
        push_html(user.pk, render_process_tasks_update(user))
