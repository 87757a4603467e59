"""Activities listen to the process engine (processes.signals): a "Perform task" step
(or one with flowdesk:createActivity) gets an activity, which follows the step's
owner and postponement and closes with it. Connected in ActivitiesConfig.ready()."""

from activities.services import (
    activity_close_for_step,
    activity_create_for_step,
    activity_follow_step,
)
from processes import signals
from processes.models import Step
from processes.user_steps.spec import spec_for


def on_step_activated(sender, *, step, **kwargs):
    activity_create_for_step(step=step)


def on_step_closed(sender, *, step, status, **kwargs):
    if spec_for(step).has_activity:
        activity_close_for_step(step=step, status=status)


def on_step_changed(sender, *, step, **kwargs):
    if spec_for(step).has_activity:
        activity_follow_step(step=step)


def connect() -> None:
    signals.step_activated.connect(
        on_step_activated, sender=Step, dispatch_uid="activities.step_activated"
    )
    signals.step_closed.connect(on_step_closed, sender=Step, dispatch_uid="activities.step_closed")
    signals.step_changed.connect(
        on_step_changed, sender=Step, dispatch_uid="activities.step_changed"
    )
