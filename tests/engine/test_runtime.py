"""The executor on small models: no database, no Celery."""

import datetime as dt
import json

import pytest

from processes.engine import (
    BpmnError,
    CancelChild,
    Engine,
    EngineError,
    ErrorThrown,
    InstanceFinished,
    StartChild,
    ThrowSignal,
    UserStepActivated,
    UserStepClosed,
    start_events,
)
from processes.engine.actions import get_action, register_action, unregister_action
from processes.engine.bpmn import parse_bpmn

from .conformance import load_state, save_state

T0 = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:flowdesk="https://flowdesk.dev/bpmn" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
)


def flows(*pairs: str) -> str:
    """'a>b' pairs as sequence flows; 'a>b:cond' adds a condition, 'a>b!' marks none."""
    out = []
    for n, pair in enumerate(pairs):
        pair, _, condition = pair.partition(":")
        source, target = pair.split(">")
        cond = ""
        if condition:
            cond = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>"
        out.append(
            f'<bpmn:sequenceFlow id="{source}_{target}_{n}" sourceRef="{source}" '
            f'targetRef="{target}">{cond}</bpmn:sequenceFlow>'
        )
    return "".join(out)


class Harness:
    """One engine over one BPMN document, with a clock the test moves."""

    def __init__(self, body: str, *, extra: str = "", more_processes: str = "", **engine_kwargs):
        xml = (
            f'<bpmn:definitions {NS} id="d">{extra}'
            f'<bpmn:process id="p" isExecutable="true">{body}</bpmn:process>'
            f"{more_processes}</bpmn:definitions>"
        )
        self.document = parse_bpmn(xml)
        self.graphs = {g.id: g for g in self.document.processes}
        self.now = T0
        self.engine = Engine(self.graphs.__getitem__, clock=lambda: self.now, **engine_kwargs)

    def waiting(self, state, kind=None):
        graph = self.graphs[state.process_id]
        return sorted(
            graph.elements[s.element_id].id
            for s in state.steps.values()
            if s.status == "waiting" and (kind is None or graph.elements[s.element_id].kind == kind)
        )

    def step(self, state, element_id):
        matches = [s for s in state.steps.values() if s.element_id == element_id]
        assert len(matches) == 1, matches
        return matches[0]

    def complete(self, state, element_id, **kwargs):
        return self.engine.complete_step(state, self.step(state, element_id).id, **kwargs)


def test_a_straight_process_waits_at_its_user_task_then_completes():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t" name="Do it"/><bpmn:endEvent id="e"/>'
        + flows("s>t", "t>e")
    )
    result = h.engine.start("p", {"a": 1})
    state = result.state
    assert state.status == "running"
    assert h.waiting(state) == ["t"]
    assert [s.element_id for s in result.finished_steps] == ["s"]
    assert [s.element_id for s in result.changed_steps] == ["t"]
    assert any(isinstance(e, UserStepActivated) for e in result.effects)
    result = h.complete(state, "t", variables={"b": 2})
    assert state.status == "completed"
    assert state.variables == {"a": 1, "b": 2}
    assert state.steps == {}
    assert [s.element_id for s in result.finished_steps] == ["t", "e"]
    assert any(isinstance(e, UserStepClosed) and e.status == "completed" for e in result.effects)
    assert any(isinstance(e, InstanceFinished) for e in result.effects)


def test_running_twice_is_harmless():
    h = Harness('<bpmn:startEvent id="s"/><bpmn:userTask id="t"/>' + flows("s>t"))
    state = h.engine.start("p").state
    before = save_state(state)
    again = h.engine.run(state)
    assert again.finished_steps == [] and again.changed_steps == [] and again.effects == []
    assert save_state(state) == before


def test_state_survives_a_json_round_trip_between_calls():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        '<bpmn:userTask id="a"/><bpmn:userTask id="b"/><bpmn:parallelGateway id="join"/>'
        '<bpmn:endEvent id="e"/>'
        + flows("s>fork", "fork>a", "fork>b", "a>join", "b>join", "join>e")
    )
    state = load_state(save_state(h.engine.start("p", {"when": T0}).state))
    assert state.variables == {"when": T0.isoformat()}
    state = load_state(save_state(h.complete(state, "a").state))
    assert h.waiting(state) == ["b", "join"]
    state = load_state(save_state(h.complete(state, "b").state))
    assert state.status == "completed"


def test_a_failing_script_puts_its_step_and_the_instance_in_error_and_retry_resumes():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:scriptTask id="calc"><bpmn:script>'
        "total = price * quantity</bpmn:script></bpmn:scriptTask>"
        '<bpmn:userTask id="t"/>' + flows("s>calc", "calc>t")
    )
    state = h.engine.start("p", {"price": 3}).state
    step = h.step(state, "calc")
    assert (step.status, state.status) == ("error", "error")
    assert "quantity" in step.error
    assert h.engine.run(state).changed_steps == []  # an error stays put until retried
    state.variables["quantity"] = 2
    h.engine.retry_step(state, step.id)
    assert state.status == "running"
    assert state.variables["total"] == 6
    assert h.waiting(state) == ["t"]


def test_an_exclusive_gateway_with_no_true_flow_and_no_default_is_an_error_that_can_be_retried():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" name="Route"/>'
        '<bpmn:userTask id="big"/><bpmn:userTask id="small"/>'
        + flows("s>g", "g>big:x &gt; 10", "g>small:x &lt; 5")
    )
    state = h.engine.start("p", {"x": 7}).state
    gateway = h.step(state, "g")
    assert gateway.status == "error" and state.status == "error"
    assert gateway.error == (
        "Route: no outgoing flow condition is true and there is no default flow"
    )
    state.variables["x"] = 11
    h.engine.retry_step(state, gateway.id)
    assert h.waiting(state) == ["big"]


def test_an_exclusive_gateway_takes_the_first_true_flow_in_document_order():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>'
        '<bpmn:userTask id="one"/><bpmn:userTask id="two"/>'
        + flows("s>g", "g>one:x &gt; 1", "g>two:x &gt; 0")
    )
    assert h.waiting(h.engine.start("p", {"x": 5}).state) == ["one"]


def test_one_failing_branch_does_not_stop_the_others():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        '<bpmn:scriptTask id="bad"><bpmn:script>y = 1 / 0</bpmn:script></bpmn:scriptTask>'
        '<bpmn:userTask id="good"/>' + flows("s>fork", "fork>bad", "fork>good")
    )
    state = h.engine.start("p").state
    assert state.status == "error"
    assert h.step(state, "bad").status == "error"
    assert h.waiting(state) == ["good"]


def test_an_action_runs_from_the_registry_and_an_unknown_action_is_an_error():
    calls = []

    @register_action("tests.stamp")
    def stamp(ctx):
        calls.append(ctx.element_id)
        ctx.variables["stamped"] = True
        return "ok"

    try:
        assert get_action("tests.stamp") is stamp
        h = Harness(
            '<bpmn:startEvent id="s"/>'
            '<bpmn:scriptTask id="a" flowdesk:action="tests.stamp"/>'
            '<bpmn:serviceTask id="b" flowdesk:action="tests.missing"/>' + flows("s>a", "a>b")
        )
        state = h.engine.start("p").state
        assert calls == ["a"]
        assert state.variables == {"stamped": True}
        assert "No action named 'tests.missing' is registered." in h.step(state, "b").error
    finally:
        unregister_action("tests.stamp")


def test_engine_actions_override_the_registry():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:serviceTask id="a" flowdesk:action="x"/>' + flows("s>a"),
        actions={"x": lambda ctx: ctx.variables.update(done=1)},
    )
    assert h.engine.start("p").state.variables == {"done": 1}


def test_an_action_raising_a_bpmn_error_is_caught_by_the_boundary_error_event():
    def refuse(ctx):
        raise BpmnError("CREDIT", "credit refused", payload={"limit": 10})

    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:serviceTask id="check" flowdesk:action="refuse"/>'
        '<bpmn:boundaryEvent id="caught" attachedToRef="check">'
        '<bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>'
        '<bpmn:userTask id="handle"/><bpmn:userTask id="normal"/>'
        + flows("s>check", "check>normal", "caught>handle"),
        extra='<bpmn:error id="E" errorCode="CREDIT"/>',
        actions={"refuse": refuse},
    )
    state = h.engine.start("p").state
    assert state.status == "running"
    assert h.waiting(state) == ["handle"]
    assert state.variables == {"limit": 10}


INCLUSIVE = (
    '<bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="split" default="to_c"/>'
    '<bpmn:userTask id="a"/><bpmn:userTask id="b"/><bpmn:userTask id="c"/>'
    '<bpmn:inclusiveGateway id="merge"/><bpmn:userTask id="after"/>'
    '<bpmn:sequenceFlow id="to_c" sourceRef="split" targetRef="c"/>'
    + flows(
        "s>split",
        "split>a:want_a",
        "split>b:want_b",
        "a>merge",
        "b>merge",
        "c>merge",
        "merge>after",
    )
)


def test_an_inclusive_split_takes_every_true_flow_and_the_merge_waits_for_them_only():
    h = Harness(INCLUSIVE)
    state = h.engine.start("p", {"want_a": True, "want_b": True}).state
    assert h.waiting(state) == ["a", "b"]
    h.complete(state, "a")
    assert h.waiting(state) == ["b", "merge"]
    h.complete(state, "b")
    assert h.waiting(state) == ["after"]


def test_an_inclusive_merge_passes_at_once_when_only_one_branch_was_taken():
    h = Harness(INCLUSIVE)
    state = h.engine.start("p", {"want_a": False, "want_b": True}).state
    assert h.waiting(state) == ["b"]
    h.complete(state, "b")
    assert h.waiting(state) == ["after"]


def test_an_inclusive_split_takes_the_default_when_nothing_is_true():
    h = Harness(INCLUSIVE)
    state = h.engine.start("p", {"want_a": False, "want_b": False}).state
    assert h.waiting(state) == ["c"]


def test_an_inclusive_merge_is_released_when_the_other_branch_ends_elsewhere():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        '<bpmn:userTask id="a"/><bpmn:userTask id="b"/><bpmn:exclusiveGateway id="x"/>'
        '<bpmn:endEvent id="away"/><bpmn:inclusiveGateway id="merge"/><bpmn:userTask id="after"/>'
        + flows(
            "s>fork",
            "fork>a",
            "fork>b",
            "a>merge",
            "b>x",
            "x>merge:go",
            "x>away:not go",
            "merge>after",
        )
    )
    state = h.engine.start("p", {"go": False}).state
    h.complete(state, "a")
    assert h.waiting(state) == ["b", "merge"]
    h.complete(state, "b")
    assert h.waiting(state) == ["after"]


def test_a_parallel_join_counts_arrivals_per_scope_and_fires_once_all_are_in():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        + "".join(f'<bpmn:userTask id="t{i}"/>' for i in range(5))
        + '<bpmn:parallelGateway id="join"/><bpmn:endEvent id="e"/>'
        + flows(
            "s>fork", *[f"fork>t{i}" for i in range(5)], *[f"t{i}>join" for i in range(5)], "join>e"
        )
    )
    state = h.engine.start("p").state
    for i in range(4):
        h.complete(state, f"t{i}")
        assert state.status == "running"
    join = h.step(state, "join")
    assert join.data["missing"] == 1
    h.complete(state, "t4")
    assert state.status == "completed"


def test_terminate_ends_the_whole_instance():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        '<bpmn:userTask id="a"/><bpmn:userTask id="b"/>'
        '<bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>'
        + flows("s>fork", "fork>a", "fork>b", "a>stop")
    )
    state = h.engine.start("p").state
    result = h.complete(state, "a")
    assert state.status == "completed"
    assert state.steps == {}
    assert [s.element_id for s in result.finished_steps if s.status == "canceled"] == ["b"]


def test_terminate_inside_a_sub_process_ends_only_the_sub_process():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub">'
        '<bpmn:startEvent id="in"/><bpmn:parallelGateway id="fork"/>'
        '<bpmn:userTask id="a"/><bpmn:userTask id="b"/>'
        '<bpmn:endEvent id="stop"><bpmn:terminateEventDefinition/></bpmn:endEvent>'
        + flows("in>fork", "fork>a", "fork>b", "a>stop")
        + '</bpmn:subProcess><bpmn:userTask id="after"/>'
        + flows("s>sub", "sub>after")
    )
    state = h.engine.start("p").state
    assert h.waiting(state) == ["a", "b", "sub"]
    h.complete(state, "a", variables={"inner": 1})
    assert h.waiting(state) == ["after"]
    assert state.variables == {"inner": 1}


def test_variables_written_inside_an_interrupted_sub_process_are_dropped():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="in"/>'
        '<bpmn:userTask id="a"/><bpmn:userTask id="b"/>'
        + flows("in>a", "a>b")
        + '</bpmn:subProcess><bpmn:boundaryEvent id="late" attachedToRef="sub">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration>"
        '</bpmn:timerEventDefinition></bpmn:boundaryEvent><bpmn:userTask id="escalate"/>'
        + flows("s>sub", "late>escalate")
    )
    state = h.engine.start("p").state
    h.complete(state, "a", variables={"draft": "x"})
    assert h.engine.step_variables(state, h.step(state, "b").id) == {"draft": "x"}
    result = h.engine.fire_due_timers(state, T0 + dt.timedelta(hours=2))
    assert h.waiting(state) == ["escalate"]
    assert state.variables == {}
    assert {s.element_id for s in result.finished_steps if s.status == "canceled"} == {"sub", "b"}


def test_an_interrupting_timer_on_a_user_task_closes_it_for_its_owner():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t"/>'
        '<bpmn:boundaryEvent id="late" attachedToRef="t"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT30M</bpmn:timeDuration></bpmn:timerEventDefinition>"
        '</bpmn:boundaryEvent><bpmn:userTask id="remind"/>' + flows("s>t", "late>remind")
    )
    state = h.engine.start("p").state
    timer = h.step(state, "late")
    assert timer.due_at == T0 + dt.timedelta(minutes=30)
    assert h.engine.fire_due_timers(state, T0 + dt.timedelta(minutes=29)).finished_steps == []
    result = h.engine.fire_due_timers(state, T0 + dt.timedelta(minutes=30))
    assert h.waiting(state) == ["remind"]
    assert any(isinstance(e, UserStepClosed) and e.status == "canceled" for e in result.effects)


def test_cancel_closes_every_open_step_and_cancels_child_instances():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/><bpmn:userTask id="a"/>'
        '<bpmn:callActivity id="call" calledElement="child"/>'
        + flows("s>fork", "fork>a", "fork>call"),
        more_processes='<bpmn:process id="child"><bpmn:startEvent id="cs"/></bpmn:process>',
    )
    state = h.engine.start("p").state
    call = h.step(state, "call")
    result = h.engine.cancel(state)
    assert state.status == "canceled"
    assert state.steps == {}
    assert CancelChild(call.id) in result.effects
    with pytest.raises(EngineError):
        h.engine.complete_step(state, call.id)


def test_a_loop_without_wait_states_stops_with_an_error_instead_of_hanging():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:scriptTask id="spin"><bpmn:script>n += 1'
        '</bpmn:script></bpmn:scriptTask><bpmn:exclusiveGateway id="g"/>'
        + flows("s>spin", "spin>g", "g>spin"),
        max_steps_per_run=200,
    )
    state = h.engine.start("p", {"n": 0}).state
    assert state.status == "error"
    errors = [s for s in state.steps.values() if s.status == "error"]
    assert len(errors) == 1 and "More than 200 steps" in errors[0].error


def test_completing_a_step_that_is_not_a_waiting_user_step_is_refused():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait">'
        '<bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>'
        + flows("s>wait"),
        extra='<bpmn:message id="m" name="go"/>',
    )
    state = h.engine.start("p").state
    with pytest.raises(EngineError, match="not a user step"):
        h.complete(state, "wait")
    with pytest.raises(EngineError, match="not a waiting step"):
        h.engine.complete_step(state, 999)


def test_a_result_outside_the_allowed_results_is_refused():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t" flowdesk:results="Yes,No"/>' + flows("s>t")
    )
    state = h.engine.start("p").state
    with pytest.raises(EngineError, match="choose one of: Yes, No"):
        h.complete(state, "t", result="Maybe")
    result = h.complete(state, "t", result="Yes")
    assert result.finished_steps[0].result == "Yes"


def test_results_may_be_separated_by_commas_or_semicolons_as_on_the_step_page():
    h = Harness(
        '<bpmn:startEvent id="s"/>'
        '<bpmn:userTask id="t" flowdesk:results="Reached; No answer, ;Call back"/>' + flows("s>t")
    )
    state = h.engine.start("p").state
    with pytest.raises(EngineError, match="choose one of: Reached, No answer, Call back"):
        h.complete(state, "t", result="Reached; No answer")
    result = h.complete(state, "t", result="No answer")
    assert result.finished_steps[0].result == "No answer"


def test_a_message_reaches_the_waiting_catch_event_and_its_payload_lands_in_variables():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:intermediateCatchEvent id="wait">'
        '<bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>'
        '<bpmn:userTask id="t"/>' + flows("s>wait", "wait>t"),
        extra='<bpmn:message id="m" name="paid"/>',
    )
    state = h.engine.start("p").state
    assert h.step(state, "wait").data["message"] == "paid"
    assert h.engine.deliver_message(state, "other").matched == 0
    result = h.engine.deliver_message(state, "paid", {"amount": 5})
    assert result.matched == 1
    assert state.variables == {"amount": 5}
    assert h.waiting(state) == ["t"]


def test_a_signal_throw_is_an_effect_the_caller_routes_back():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        '<bpmn:intermediateThrowEvent id="shout">'
        '<bpmn:signalEventDefinition signalRef="g"/>'
        '</bpmn:intermediateThrowEvent><bpmn:intermediateCatchEvent id="hear">'
        '<bpmn:signalEventDefinition signalRef="g"/></bpmn:intermediateCatchEvent>'
        '<bpmn:userTask id="t"/>' + flows("s>fork", "fork>hear", "fork>shout", "hear>t"),
        extra='<bpmn:signal id="g" name="go"/>',
    )
    result = h.engine.start("p")
    state = result.state
    assert ThrowSignal("go") in result.effects
    assert h.waiting(state) == ["hear"]
    assert h.engine.broadcast_signal(state, "go").matched == 1
    assert h.waiting(state) == ["t"]


def test_a_call_activity_starts_a_child_and_maps_variables_with_camunda_mappings():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:callActivity id="call" calledElement="child">'
        '<bpmn:extensionElements><camunda:in source="order" target="order_id"/>'
        '<camunda:out source="total" target="order_total"/></bpmn:extensionElements>'
        '</bpmn:callActivity><bpmn:userTask id="t"/>' + flows("s>call", "call>t"),
        more_processes='<bpmn:process id="child"><bpmn:startEvent id="cs"/></bpmn:process>',
    )
    result = h.engine.start("p", {"order": 7, "secret": "x"})
    state = result.state
    call = h.step(state, "call")
    assert StartChild(call.id, "child", {"order_id": 7}) in result.effects
    h.engine.child_finished(state, call.id, variables={"total": 99, "junk": 1})
    assert state.variables == {"order": 7, "secret": "x", "order_total": 99}
    assert h.waiting(state) == ["t"]


def test_a_call_activity_without_mappings_takes_the_child_variables_back_whole():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:callActivity id="call" calledElement="child"/>'
        '<bpmn:userTask id="t"/>' + flows("s>call", "call>t"),
        more_processes='<bpmn:process id="child"><bpmn:startEvent id="cs"/></bpmn:process>',
    )
    state = h.engine.start("p", {"keep": 1, "drop": 2}).state
    h.engine.child_finished(state, h.step(state, "call").id, variables={"keep": 1, "new": 3})
    assert state.variables == {"keep": 1, "new": 3}


def test_an_uncaught_error_end_is_reported_and_a_parent_boundary_can_catch_it():
    child_xml = (
        '<bpmn:process id="child"><bpmn:startEvent id="cs"/>'
        '<bpmn:endEvent id="fail"><bpmn:errorEventDefinition errorRef="E"/></bpmn:endEvent>'
        '<bpmn:sequenceFlow id="cf" sourceRef="cs" targetRef="fail"/></bpmn:process>'
    )
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:callActivity id="call" calledElement="child"/>'
        '<bpmn:boundaryEvent id="oops" attachedToRef="call">'
        '<bpmn:errorEventDefinition errorRef="E"/></bpmn:boundaryEvent>'
        '<bpmn:userTask id="recover"/>' + flows("s>call", "oops>recover"),
        extra='<bpmn:error id="E" errorCode="BOOM"/>',
        more_processes=child_xml,
    )
    child = h.engine.start("child")
    assert child.state.status == "error"
    assert ErrorThrown("BOOM", "E") in child.effects
    parent = h.engine.start("p").state
    h.engine.child_finished(parent, h.step(parent, "call").id, variables={}, error_code="BOOM")
    assert h.waiting(parent) == ["recover"]


def test_a_non_interrupting_cycle_timer_fires_its_repetitions_then_stops():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t"/>'
        '<bpmn:boundaryEvent id="nag" attachedToRef="t" cancelActivity="false">'
        "<bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
        '<bpmn:scriptTask id="count"><bpmn:script>nags = nags + 1</bpmn:script></bpmn:scriptTask>'
        + flows("s>t", "nag>count"),
    )
    state = h.engine.start("p", {"nags": 0}).state
    h.engine.fire_due_timers(state, T0 + dt.timedelta(hours=1))
    assert state.variables["nags"] == 1
    assert h.step(state, "nag").due_at == T0 + dt.timedelta(hours=2)
    h.engine.fire_due_timers(state, T0 + dt.timedelta(hours=10))
    assert state.variables["nags"] == 3
    assert h.waiting(state) == ["t"]


def test_an_event_based_gateway_lets_the_first_event_win():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:eventBasedGateway id="race"/>'
        '<bpmn:intermediateCatchEvent id="paid"><bpmn:messageEventDefinition messageRef="m"/>'
        '</bpmn:intermediateCatchEvent><bpmn:intermediateCatchEvent id="timeout">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
        '<bpmn:userTask id="ship"/><bpmn:userTask id="chase"/>'
        + flows("s>race", "race>paid", "race>timeout", "paid>ship", "timeout>chase"),
        extra='<bpmn:message id="m" name="paid"/>',
    )
    state = h.engine.start("p").state
    assert h.waiting(state) == ["paid", "timeout"]
    h.engine.deliver_message(state, "paid")
    assert h.waiting(state) == ["ship"]
    assert h.engine.fire_due_timers(state, T0 + dt.timedelta(days=2)).matched == 0


def test_a_multi_instance_user_task_collects_outputs_in_order():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:userTask id="review">'
        "<bpmn:multiInstanceLoopCharacteristics>"
        "<bpmn:loopDataInputRef>people</bpmn:loopDataInputRef>"
        "<bpmn:loopDataOutputRef>votes</bpmn:loopDataOutputRef>"
        '<bpmn:inputDataItem id="person"/><bpmn:outputDataItem id="vote"/>'
        '</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask><bpmn:endEvent id="e"/>'
        + flows("s>review", "review>e")
    )
    state = h.engine.start("p", {"people": ["ann", "ben", "cy"]}).state
    instances = sorted(
        (s for s in state.steps.values() if "mi_index" in s.data), key=lambda s: s.id
    )
    assert [h.engine.step_variables(state, s.id)["person"] for s in instances] == [
        "ann",
        "ben",
        "cy",
    ]
    for step in reversed(instances):
        h.engine.complete_step(state, step.id, variables={"vote": step.data["mi_index"] * 10})
    assert state.status == "completed"
    assert state.variables == {"people": ["ann", "ben", "cy"], "votes": [0, 10, 20]}


def test_a_waiting_user_step_records_its_lane():
    h = Harness(
        '<bpmn:laneSet><bpmn:lane id="l1" name="Sales"><bpmn:flowNodeRef>t</bpmn:flowNodeRef>'
        '</bpmn:lane></bpmn:laneSet><bpmn:startEvent id="s"/><bpmn:userTask id="t"/>' + flows("s>t")
    )
    state = h.engine.start("p").state
    assert h.step(state, "t").data["lane"] == "Sales"


def test_start_events_describe_how_a_process_can_start():
    h = Harness(
        '<bpmn:startEvent id="plain"/>'
        '<bpmn:startEvent id="nightly"><bpmn:timerEventDefinition>'
        "<bpmn:timeCycle>0 2 * * *</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>"
        '<bpmn:startEvent id="quoted"><bpmn:timerEventDefinition>'
        '<bpmn:timeCycle>"R2/PT1M"</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>'
        '<bpmn:startEvent id="order"><bpmn:messageEventDefinition messageRef="m"/>'
        "</bpmn:startEvent>"
        '<bpmn:startEvent id="alarm"><bpmn:signalEventDefinition signalRef="g"/></bpmn:startEvent>'
        '<bpmn:startEvent id="lead" flowdesk:trigger="modified" flowdesk:model="crm.Lead" '
        'flowdesk:filter="status == \'won\'"/><bpmn:userTask id="t"/>'
        + flows("plain>t", "nightly>t", "quoted>t", "order>t", "alarm>t", "lead>t"),
        extra='<bpmn:message id="m" name="order placed"/><bpmn:signal id="g" name="fire"/>',
    )
    triggers = {t.element_id: t for t in start_events(h.graphs["p"])}
    assert triggers["plain"].kind == "none"
    assert (triggers["nightly"].timer_kind, triggers["nightly"].timer_value) == (
        "timeCycle",
        "0 2 * * *",
    )
    assert triggers["quoted"].timer_value == "R2/PT1M"
    assert triggers["order"].message == "order placed"
    assert triggers["alarm"].signal == "fire"
    lead = triggers["lead"]
    assert (lead.kind, lead.trigger, lead.model, lead.filter) == (
        "record",
        "modified",
        "crm.Lead",
        "status == 'won'",
    )
    state = h.engine.start("p", start_event_id="order").state
    assert h.waiting(state) == ["t"]


def test_every_open_step_and_variable_is_json_serialisable():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:scriptTask id="make"><bpmn:script>'
        "things = (1, 2)\nseen = {3}\n</bpmn:script></bpmn:scriptTask>"
        '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
        "<bpmn:timeDate>2031-01-01T00:00:00Z</bpmn:timeDate></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>" + flows("s>make", "make>wait")
    )
    state = h.engine.start("p").state
    json.dumps(state.variables)
    for step in state.steps.values():
        json.dumps(step.data)
    assert h.step(state, "wait").due_at == dt.datetime(2031, 1, 1, tzinfo=dt.UTC)


def test_a_message_boundary_interrupts_a_sub_process_and_a_signal_boundary_does_not():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="sub"><bpmn:startEvent id="in"/>'
        '<bpmn:userTask id="work"/>' + flows("in>work") + "</bpmn:subProcess>"
        '<bpmn:boundaryEvent id="stop" attachedToRef="sub">'
        '<bpmn:messageEventDefinition messageRef="m"/></bpmn:boundaryEvent>'
        '<bpmn:boundaryEvent id="note" attachedToRef="sub" cancelActivity="false">'
        '<bpmn:signalEventDefinition signalRef="g"/></bpmn:boundaryEvent>'
        '<bpmn:userTask id="noted"/><bpmn:userTask id="stopped"/>'
        + flows("s>sub", "stop>stopped", "note>noted"),
        extra='<bpmn:message id="m" name="stop"/><bpmn:signal id="g" name="note"/>',
    )
    state = h.engine.start("p").state
    assert h.waiting(state) == ["note", "stop", "sub", "work"]
    h.engine.broadcast_signal(state, "note")
    h.engine.broadcast_signal(state, "note")
    assert h.waiting(state, "userTask") == ["noted", "noted", "work"]
    h.engine.deliver_message(state, "stop", {"why": "customer left"})
    assert h.waiting(state, "userTask") == ["noted", "noted", "stopped"]
    assert "note" not in h.waiting(state)
    assert state.variables == {"why": "customer left"}


def test_a_retried_call_activity_arms_its_boundary_events_once():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:callActivity id="call" calledElement="child"/>'
        '<bpmn:boundaryEvent id="late" attachedToRef="call"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>"
        '</bpmn:boundaryEvent><bpmn:endEvent id="e"/>' + flows("s>call", "late>e"),
        more_processes='<bpmn:process id="child"><bpmn:startEvent id="cs"/></bpmn:process>',
    )
    state = h.engine.start("p").state
    call = h.step(state, "call")
    h.engine.child_finished(state, call.id, variables={}, error="child crashed")
    assert call.status == "error"
    result = h.engine.retry_step(state, call.id)
    assert [type(e).__name__ for e in result.effects] == ["StartChild"]
    assert len([s for s in state.steps.values() if s.element_id == "late"]) == 1
