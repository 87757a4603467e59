"""Exclusive, parallel, inclusive and event-based gateways.

A converging gateway keeps one waiting step per scope that counts arrivals by
incoming flow (`data['arrived']`) and how many incoming flows still have
none (`data['missing']`), so each arrival costs O(1). It fires when every
incoming flow has a token or, once the instance is at rest, when no other
open token of the scope can still reach an incoming flow that has none
(BPMN's inclusive-join rule, which also lets a loop re-enter a parallel join).
For an inclusive gateway a token that can also reach an incoming flow which
already delivered does not hold it back (SpiffWorkflow's behaviour).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import FlowError, describe_error
from .graph import Element
from .state import Step

if TYPE_CHECKING:
    from .runtime import Run


def exclusive_gateway(run: Run, step: Step, element: Element) -> None:
    """Take the first outgoing flow whose condition holds, else the default."""
    flows = run.graph.flows
    default = None
    for flow_id in element.outgoing:
        flow = flows[flow_id]
        if flow.is_default:
            default = flow
            continue
        if flow.condition is None or run.evaluate(flow.condition, step):
            run.take(step, (flow,))
            run.complete(step)
            return
    if default is None:
        raise FlowError("no outgoing flow condition is true and there is no default flow")
    run.take(step, (default,))
    run.complete(step)


def parallel_gateway(run: Run, step: Step, element: Element) -> None:
    """Split to every outgoing flow, or (converging) wait for every incoming one."""
    if "arrived" in step.data:  # a join retried after an error
        fire_join(run, step, element)
        return
    if len(element.incoming) > 1:
        _arrive(run, step, element)
        return
    run.take(step, [run.graph.flows[f] for f in element.outgoing])
    run.complete(step)


def inclusive_gateway(run: Run, step: Step, element: Element) -> None:
    """Split to every flow whose condition holds, or (converging) wait as BPMN says."""
    if "arrived" in step.data:  # a join retried after an error
        fire_join(run, step, element)
        return
    if len(element.incoming) > 1:
        _arrive(run, step, element)
        return
    run.take(step, run.select_outgoing(step, element))
    run.complete(step)


def event_based_gateway(run: Run, step: Step, element: Element) -> None:
    """Wait at every following catch event; the first to fire cancels the others."""
    for flow_id in element.outgoing:
        flow = run.graph.flows[flow_id]
        run.new_step(flow.target, step.scope_id, data={"flow": flow.id, "race": step.id})
    run.complete(step)


def _arrive(run: Run, step: Step, element: Element) -> None:
    key = (step.scope_id, element.id)
    flow = step.data.get("flow", "")
    join_id = run.joins.get(key)
    join = run.state.steps.get(join_id) if join_id is not None else None
    if join is None or join is step or join.status != "waiting":
        join = step
        join.status = "waiting"
        join.data["arrived"] = {}
        join.data["missing"] = len(set(element.incoming))
        run.joins[key] = join.id
    else:
        step.result = "merged"
        run.complete(step)
    arrived = join.data["arrived"]
    count = arrived.get(flow, 0)
    arrived[flow] = count + 1
    if count == 0:
        join.data["missing"] -= 1
    run.touch(join)
    if join.data["missing"] <= 0:
        fire_join(run, join, element)


def fire_join(run: Run, join: Step, element: Element) -> None:
    """Pass a converging gateway: consume one token per arrived flow (parallel)
    or all of them (inclusive), then split."""
    if element.kind == "inclusiveGateway":
        flows = run.select_outgoing(join, element)
        leftovers = {}
    else:
        flows = [run.graph.flows[f] for f in element.outgoing]
        leftovers = {f: n - 1 for f, n in join.data["arrived"].items() if n > 1}
    run.take(join, flows)
    run.complete(join)
    if leftovers:
        again = run.new_step(
            element.id,
            join.scope_id,
            status="waiting",
            data={
                "arrived": leftovers,
                "missing": len(set(element.incoming) - set(leftovers)),
            },
        )
        run.joins[(join.scope_id, element.id)] = again.id
        if again.data["missing"] <= 0:
            fire_join(run, again, element)


def release_joins(run: Run) -> bool:
    """At rest: fire waiting joins that no open token can still reach through an
    incoming flow without a token. Returns True when one fired."""
    if not run.joins:
        return False
    steps = run.state.steps
    fired = False
    for join_id in sorted(run.joins.values()):
        join = steps.get(join_id)
        if join is None or join.status != "waiting":
            continue
        element = run.graph.elements[join.element_id]
        if _blocked(run, join, element):
            continue
        try:
            fire_join(run, join, element)
        except FlowError as exc:
            run.fail(join, f"{element.label}: {exc}")
        except Exception as exc:
            run.fail(join, describe_error(exc))
        fired = True
    return fired


def _blocked(run: Run, join: Step, element: Element) -> bool:
    """Whether another open token of the scope can still bring a token the join
    must wait for. Parallel: one that can reach an incoming flow with no token.
    Inclusive (SpiffWorkflow's rule): one that can reach the gateway but none of
    the incoming flows that already delivered."""
    reach = run.graph.join_reach(element.id)
    arrived = join.data["arrived"]
    steps = run.state.steps
    inclusive = element.kind == "inclusiveGateway"
    for other_id in run.children.get(join.scope_id, ()):
        if other_id == join.id:
            continue
        flows = reach.get(steps[other_id].element_id)
        if not flows:
            continue
        if inclusive:
            if not any(arrived.get(f) for f in flows):
                return True
        elif any(not arrived.get(f) for f in flows):
            return True
    return False
