"""Standard loops (BPMN 2.0 section 10.2.8, `standardLoopCharacteristics`).

Each run of a looping activity is a step of its own (`data['loop_count']`:
the runs before it). When a run completes, the activity runs again while its
loopCondition holds (evaluated with the variables the step sees) and fewer
than loopMaximum runs were made; otherwise the token leaves as usual. With
testBefore the condition is also tested before the first run: false, and the
activity is passed over without running.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .graph import Element
from .state import Step

if TYPE_CHECKING:
    from .runtime import Run


def skip_first(run: Run, step: Step, element: Element) -> bool:
    """The first visit of a looping activity: with testBefore and a false condition,
    True (the caller passes the activity over)."""
    loop = element.standard_loop
    assert loop is not None
    step.data["loop_count"] = 0
    run.touch(step)
    if not loop.test_before:
        return False
    if loop.maximum == 0:
        return True
    return loop.condition is not None and not run.evaluate(loop.condition, step)


def again(run: Run, step: Step, element: Element) -> bool:
    """A run completed (or was passed over): start the next one and return True
    while the loop goes on; False lets the token leave."""
    loop = element.standard_loop
    assert loop is not None
    if step.data.get("loop_skipped"):
        return False
    runs = step.data.get("loop_count", 0) + 1
    if loop.maximum is not None and runs >= loop.maximum:
        return False
    if loop.condition is not None and not run.evaluate(loop.condition, step):
        return False
    run.complete(step)
    run.new_step(element.id, step.scope_id, data={"loop_count": runs})
    return True
