"""Tasks: user steps that wait, system steps that run at once, call activities."""

from __future__ import annotations

import copy
from collections import ChainMap
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from .actions import ActionContext, get_action, is_registered
from .dmn import DecisionOutcome
from .effects import SendMessage, StartChild, UserStepActivated
from .errors import BpmnError
from .events import arm_boundaries
from .expressions import compile_expression
from .graph import CallActivity, Element, Task
from .state import Step
from .values import clean_variables, to_json_value

if TYPE_CHECKING:
    from .runtime import Run


def user_task(run: Run, step: Step, element: Task) -> None:
    """userTask, manualTask, plain task and receiveTask wait for `complete_step`
    (a receive task with a message also completes when the message arrives)."""
    step.status = "waiting"
    if element.kind == "receiveTask" and element.message:
        step.data["message"] = element.message
    if element.lane:
        step.data["lane"] = element.lane
    run.touch(step)
    arm_boundaries(run, step, element)
    run.effects.append(UserStepActivated(step))


def script_task(run: Run, step: Step, element: Task) -> None:
    """Run a script task's formula, action or script with the step's variables, then leave it."""
    formula = element.ext.get("formula")
    if formula:
        # Formula: one expression whose value lands in flowdesk:resultVariable
        # (or a variable named after the element).
        value = compiled_formula(formula).evaluate(run.read_variables(step), run.functions)
        variable = element.ext.get("resultVariable") or element.result_variable or element.id
        run.write_variables(step, {variable: _plain(value)})
    if element.action:
        call_action(run, step, element, element.action)
    elif element.binding:
        call_bound(run, step, element)
    elif element.script is not None:
        run.run_script(element.script, step)
    run.leave(step, element)


@lru_cache(maxsize=1024)
def compiled_formula(text: str):
    """Formulas are validated at import; compile each text once per process."""
    return compile_expression(text)


def service_task(run: Run, step: Step, element: Task) -> None:
    """Run a service task's action, SpiffWorkflow operator or bound vendor implementation,
    storing its result, then leave it; a task with an external topic waits instead."""
    if element.kind == "businessRuleTask" and element.ext.get("decision"):
        business_rule_task(run, step, element)
        return
    if element.topic and not element.action and element.operator is None:
        external_task(run, step, element)
        return
    if element.binding and not element.action and element.operator is None:
        call_bound(run, step, element)
    elif element.action:
        call_action(run, step, element, element.action)
    elif element.operator is not None:
        operator = element.operator
        params = {name: run.evaluate(code, step) for name, code in operator.parameters}
        value = call_action(run, step, element, operator.name, params=params, store=False)
        variable = operator.result_variable or f"spiff__{element.id.replace('-', '_')}_result"
        run.write_variables(step, {variable: _plain(value)})
    run.leave(step, element)


class DecisionFailed(Exception):
    """A business-rule task's decision could not be evaluated; the step goes to Error."""


def business_rule_task(run: Run, step: Step, element: Task) -> None:
    """Evaluate the task's decision with the step's variables and store its result.

    The decision comes from the engine's decision provider (``engine.decisions``: a
    callable ``(decision_id, variables) -> value``, e.g. `dmn.decision_provider`). When
    it answers a `DecisionOutcome`, the step keeps the rules that matched in its data
    (``matched_rules``), for the Process log. ``mapDecisionResult`` shapes the stored
    value as Camunda 7 does; Zeebe, SpiffWorkflow and Flowdesk store the decision's
    value as it is.
    """
    decision_id = element.ext["decision"]
    provider = run.engine.decisions
    if provider is None:
        raise DecisionFailed(f"decision {decision_id!r}: this engine has no decisions deployed")
    chain = run.scope_chain(step)
    variables = dict(ChainMap(*(local for local, _ in chain), run.state.variables))
    try:
        result = provider(decision_id, variables)
    except Exception as exc:  # noqa: BLE001 - any failure is the step's error, with its reason
        raise DecisionFailed(f"decision {decision_id!r} failed: {exc}") from exc
    if isinstance(result, DecisionOutcome):
        step.data = {**step.data, "matched_rules": result.matched_json()}
        result = result.value
    value = map_decision_result(result, element.ext.get("mapDecisionResult") or "resultList")
    variable = element.ext.get("decisionResultVariable") or element.result_variable
    if not variable:
        variable = f"{decision_id}_result"
    run.write_variables(step, {variable: _plain(value)})
    run.leave(step, element)


def map_decision_result(result: Any, mapping: str) -> Any:
    """Camunda 7's mapDecisionResult (singleEntry, singleResult, collectEntries,
    resultList) over the decision's value; ``value`` keeps the value as it is."""
    if mapping == "value":
        return result
    results = result if isinstance(result, list) else ([] if result is None else [result])
    rows = [row if isinstance(row, dict) else {"result": row} for row in results]
    if mapping == "singleEntry":
        if len(rows) > 1 or any(len(row) != 1 for row in rows):
            raise DecisionFailed("mapDecisionResult singleEntry needs one rule with one output")
        return next(iter(rows[0].values())) if rows else None
    if mapping == "singleResult":
        if len(rows) > 1:
            raise DecisionFailed(
                f"mapDecisionResult singleResult needs one rule, {len(rows)} matched"
            )
        return rows[0] if rows else None
    if mapping == "collectEntries":
        if any(len(row) != 1 for row in rows):
            raise DecisionFailed("mapDecisionResult collectEntries needs a single output")
        return [next(iter(row.values())) for row in rows]
    return rows


def send_task(run: Run, step: Step, element: Task) -> None:
    """Hand a SendMessage effect to the caller and leave the step; a send task bound
    to an action runs it instead, one with an external topic waits for its worker."""
    if element.topic:
        external_task(run, step, element)
        return
    if element.binding:
        call_bound(run, step, element)
    elif element.action:
        call_action(run, step, element, element.action)
    else:
        run.effects.append(SendMessage(element.message or element.name or element.id))
    run.leave(step, element)


def external_task(run: Run, step: Step, element: Task) -> None:
    """Wait, like a receive task, until an external worker fetches the step by its
    topic and completes it (`Engine.complete_external_task`)."""
    step.status = "waiting"
    step.data["topic"] = element.topic
    run.touch(step)
    arm_boundaries(run, step, element)


def call_bound(run: Run, step: Step, element: Task) -> None:
    """Run the action a vendor implementation (camunda:class, delegateExpression,
    expression, connector) is bound to by name, with its fields and input parameters."""
    if element.expression is not None and not _registered(run, element.binding):
        value = run.evaluate(element.expression, step)
        if element.result_variable:
            run.write_variables(step, {element.result_variable: _plain(value)})
        return
    params = {
        name: code.source if code.language == "literal" else run.evaluate(code, step)
        for name, code in element.params
    }
    call_action(run, step, element, element.binding, params=params)


def run_listeners(run: Run, step: Step, element: Element, event: str) -> None:
    """Run an element's Camunda listeners for `event` ('start' or 'end')."""
    for listener in element.listeners:
        if listener.event != event:
            continue
        if listener.code is not None:
            if listener.is_script:
                run.run_script(listener.code, step)
            else:
                run.evaluate(listener.code, step)
        else:
            call_action(run, step, element, listener.binding, store=False)


def _registered(run: Run, name: str) -> bool:
    actions = run.engine.actions
    return (actions is not None and name in actions) or is_registered(name)


def call_action(
    run: Run,
    step: Step,
    element: Element,
    name: str,
    *,
    params: dict | None = None,
    store: bool = True,
) -> Any:
    """Run a named action with the variables the step sees; returns its value."""
    actions = run.engine.actions
    action = actions.get(name) if actions is not None else None
    if action is None:
        action = get_action(name)
    chain = run.scope_chain(step)
    if chain:
        variables = dict(ChainMap(*(local for local, _ in chain), run.state.variables))
        before = dict(variables)
    else:
        variables = run.state.variables
        before = None
    context = ActionContext(
        variables=variables,
        params=params or {},
        process_id=run.state.process_id,
        element_id=element.id,
        element_name=element.name,
        ext=element.ext,
        step_id=step.id,
        now=run.now,
    )
    try:
        value = action(context)
    except BpmnError:
        raise
    clean_variables(variables)
    if before is not None:
        changed = {k: v for k, v in variables.items() if k not in before or before[k] is not v}
        if changed:
            run.write_variables(step, changed)
        removed = [k for k in before if k not in variables]
        if removed:
            run.delete_variables(step, removed)
    if store:
        variable = getattr(element, "result_variable", "") or element.ext.get("resultVariable", "")
        if variable:
            run.write_variables(step, {variable: _plain(value)})
        if isinstance(value, str):
            step.result = value[:200]
    return value


def _plain(value: Any) -> Any:
    return to_json_value(value)


def call_activity(run: Run, step: Step, element: CallActivity) -> None:
    """Wait while a child instance runs: ask the caller to start it with the mapped variables."""
    step.status = "waiting"
    run.touch(step)
    arm_boundaries(run, step, element)
    visible = run.read_variables(step)
    if element.in_mappings:
        passed: dict = {}
        for source, target in element.in_mappings:
            if source == "*":
                passed.update(visible)
            elif source in visible:
                passed[target or source] = visible[source]
    else:
        passed = dict(visible)
    run.effects.append(StartChild(step.id, element.called_element, copy.deepcopy(passed)))


def finish_call(run: Run, step: Step, element: CallActivity, variables: dict) -> None:
    """Map a finished child's variables back: Camunda out-mappings when the model
    has them, else the child's variables replace the caller's (SpiffWorkflow)."""
    clean_variables(variables)
    if element.out_mappings:
        values: dict = {}
        for source, target in element.out_mappings:
            if source == "*":
                values.update(variables)
            elif source in variables:
                values[target or source] = variables[source]
        run.write_variables(step, values)
    elif run.scope_chain(step):
        run.write_variables(step, variables)
    else:
        run.state.variables.clear()
        run.state.variables.update(variables)
    run.leave(step, element)
