"""Who hears of user steps, and how: the Business process tasks tab and the step page.

processes announces (processes.signals); this module listens. When a step
activates, every open page of its owner (for a role, of every member) gets its
panel brought up to date and, unless the step runs in the background, the step
page opening over whatever they are doing. Completed, canceled, postponed and
reassigned steps update the panels of everyone concerned (old and new owners).
`connect()` is called from NotificationsConfig.ready(); it is idempotent.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string

from notifications.panel import push_process_tasks_panels
from notifications.push import push_html
from notifications.tasks import push_process_tasks
from outbox.after_commit import add_for_commit
from processes import signals
from processes.models import Step
from processes.user_steps import pages
from processes.user_steps.rendering import render_step_fragment
from processes.user_steps.spec import spec_for


def concerned_user_ids(*, owner_id=None, role_id=None) -> set[int]:
    ids = set()
    if owner_id:
        ids.add(owner_id)
    if role_id:
        ids.update(
            get_user_model()
            .objects.filter(groups=role_id, is_active=True)
            .values_list("pk", flat=True)
        )
    return ids


def queue_panels(user_ids) -> None:
    """Bring the panels up to date from the worker after commit (the request answers
    without waiting), once per user and transaction: a completion that closes one step
    and opens the next for the same owner refreshes their panel once."""
    add_for_commit("notifications.panels", (int(pk) for pk in user_ids), _send_panels)


def _send_panels(user_ids: list[int]) -> None:
    ids = sorted(set(user_ids))
    try:
        push_process_tasks.delay(ids)
    except Exception:  # the broker is away: render here rather than lose the update
        push_process_tasks_panels(ids)


def step_dialog_html(step) -> str:
    """The dialog that opens the step's page; it carries the page when processes renders
    it (the form posts with the page's CSRF header), else it loads it when shown."""
    return render_to_string(
        "processes/includes/step_dialog.html",
        {"step": step, "url": pages.page_url(step), "page_html": render_step_fragment(step)},
    )


def on_step_activated(sender, *, step, **kwargs):
    users = concerned_user_ids(owner_id=step.owner_id, role_id=step.owner_role_id)
    if not users:
        return
    spec = spec_for(step)
    if not spec.background and not step.postponed_until:
        # The page first, on its own: it is what the owner waits for. Rendered after
        # commit (the signal comes inside the stepping transaction), as it is pushed.
        def push_dialog():
            dialog = step_dialog_html(step)
            for user_id in sorted(users):
                push_html(user_id, dialog)

        transaction.on_commit(push_dialog)
    queue_panels(users)


def on_step_closed(sender, *, step, status, **kwargs):
    queue_panels(concerned_user_ids(owner_id=step.owner_id, role_id=step.owner_role_id))


def on_step_changed(sender, *, step, previous_owner_id=None, previous_role_id=None, **kwargs):
    users = concerned_user_ids(owner_id=step.owner_id, role_id=step.owner_role_id)
    users |= concerned_user_ids(owner_id=previous_owner_id, role_id=previous_role_id)
    queue_panels(users)


def connect() -> None:
    signals.step_activated.connect(
        on_step_activated, sender=Step, dispatch_uid="notifications.step_activated"
    )
    signals.step_closed.connect(
        on_step_closed, sender=Step, dispatch_uid="notifications.step_closed"
    )
    signals.step_changed.connect(
        on_step_changed, sender=Step, dispatch_uid="notifications.step_changed"
    )
