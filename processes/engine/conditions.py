"""Conditional events: intermediate catch, boundary and event sub-process starts.

A step waiting for a condition keeps the condition's last value in
`data['condition']`. Whenever the instance comes to rest (after every engine
call that ran anything, so after every change of variables) each waiting
condition is evaluated again with the variables its step sees, and the step
fires when the value turned from false to true: a condition already true when
its event is reached fires at once; a non-interrupting one fires again only
after it was false in between. A condition that cannot be evaluated (a
variable not set yet) counts as false.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .events import trigger
from .state import Step

if TYPE_CHECKING:
    from .runtime import Run


def evaluate_waiting(run: Run) -> bool:
    """Fire the waiting conditional events whose condition turned true.
    Returns True when one fired."""
    waiting = [
        s
        for s in run.state.steps.values()
        if s.status == "waiting" and s.data.get("condition") is not None
    ]
    fired = False
    for step in sorted(waiting, key=lambda s: s.id):
        if step.status != "waiting" or step.id not in run.state.steps:
            continue  # withdrawn by an earlier firing
        if _holds(run, step):
            if step.data["condition"] is True:
                continue
            step.data["condition"] = True
            run.touch(step)
            trigger(run, step)
            fired = True
        elif step.data["condition"] is True:
            step.data["condition"] = False
            run.touch(step)
    return fired


def _holds(run: Run, step: Step) -> bool:
    element = run.graph.elements[step.element_id]
    code = element.definition.condition  # type: ignore[attr-defined]
    try:
        return bool(run.evaluate(code, step))
    except Exception:  # a condition on a variable not set yet is not true yet
        return False
