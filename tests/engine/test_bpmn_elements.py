"""The BPMN elements and references of issue 13 beyond what a scenario table says:
references read as the source engines read them, refusals that name the feature,
conditions re-evaluated on every change of variables (scenarios of the elements:
tests/engine/own_models.py, models in tests/engine/models/)."""

import datetime as dt

import pytest

from processes.engine import Engine
from processes.engine.bpmn import BpmnImportError, list_process_ids, parse_bpmn
from processes.engine.expressions import ExpressionError, compile_expression

from .conformance import World
from .own_models import MODELS

KNOWN = {pid for path in MODELS.glob("*.bpmn") for pid in list_process_ids(path.read_bytes())}

DEFINITIONS = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:tns="urn:t" '
    'targetNamespace="urn:t" id="d">{extra}'
    '<bpmn:process id="p" isExecutable="true">{body}</bpmn:process></bpmn:definitions>'
)


def parse(body: str, extra: str = ""):
    return parse_bpmn(DEFINITIONS.format(body=body, extra=extra)).process("p")


def refused(body: str, extra: str = "") -> str:
    with pytest.raises(BpmnImportError) as caught:
        parse(body, extra)
    return str(caught.value)


START = '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="t"/>'


def test_a_prefixed_message_ref_names_the_declared_message():
    graph = parse(
        START + '<bpmn:intermediateCatchEvent id="t"><bpmn:messageEventDefinition '
        'messageRef="tns:newInvoice"/></bpmn:intermediateCatchEvent>',
        extra='<bpmn:message id="newInvoice" name="New invoice"/>',
    )
    assert graph.elements["t"].definition.name == "New invoice"


def test_a_prefixed_signal_ref_without_a_declaration_keeps_only_its_local_part():
    graph = parse(
        START + '<bpmn:intermediateCatchEvent id="t"><bpmn:signalEventDefinition '
        'signalRef="tns:alert"/></bpmn:intermediateCatchEvent>'
    )
    assert graph.elements["t"].definition.name == "alert"


def test_an_undeclared_error_ref_is_the_error_code():
    graph = parse(
        START + '<bpmn:endEvent id="t"><bpmn:errorEventDefinition errorRef="E42"/></bpmn:endEvent>'
    )
    assert graph.elements["t"].definition.error_code == "E42"


def test_a_declared_escalation_without_a_code_catches_every_escalation():
    graph = parse(
        START + '<bpmn:subProcess id="t"><bpmn:startEvent id="i"/></bpmn:subProcess>'
        '<bpmn:boundaryEvent id="b" attachedToRef="t"><bpmn:escalationEventDefinition '
        'escalationRef="any"/></bpmn:boundaryEvent>',
        extra='<bpmn:escalation id="any" name="Any"/>',
    )
    assert graph.elements["b"].definition.error_code == ""


def test_a_parallel_join_with_no_outgoing_flow_is_an_implicit_end():
    graph = parse(START + '<bpmn:parallelGateway id="t"/>')
    assert graph.elements["t"].outgoing == ()


def test_an_exclusive_gateway_with_no_outgoing_flow_is_still_refused():
    assert "has no outgoing flow" in refused(START + '<bpmn:exclusiveGateway id="t"/>')


def test_a_cmmn_case_call_is_refused_as_such():
    message = refused(START + '<bpmn:callActivity id="t" camunda:caseRef="oneTaskCase"/>')
    assert "calls CMMN case 'oneTaskCase'" in message
    assert "not CMMN cases" in message


def test_a_throwing_link_needs_a_catching_link_in_its_scope():
    message = refused(
        START + '<bpmn:intermediateThrowEvent id="t"><bpmn:linkEventDefinition name="A"/>'
        "</bpmn:intermediateThrowEvent>"
    )
    assert "no catching link event named 'A'" in message


def test_an_event_sub_process_cannot_have_sequence_flows():
    message = refused(
        START + '<bpmn:subProcess id="t" triggeredByEvent="true"><bpmn:startEvent id="i">'
        '<bpmn:signalEventDefinition signalRef="x"/></bpmn:startEvent></bpmn:subProcess>'
    )
    assert "an event sub-process cannot have sequence flows" in message


def test_an_error_start_event_must_interrupt():
    message = refused(
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="t" triggeredByEvent="true">'
        '<bpmn:startEvent id="i" isInterrupting="false"><bpmn:errorEventDefinition/>'
        "</bpmn:startEvent></bpmn:subProcess>"
    )
    assert "an error start event must be interrupting" in message


def test_a_non_interrupting_condition_fires_again_only_after_it_was_false():
    world = World(["conditional_events.bpmn"], directory=MODELS)
    world.start("own_conditional", {"pages": 0, "urgent": False})

    def set_variables(values: dict) -> None:
        world._settle(world.main, world.engine.set_variables(world.main.state, values))

    set_variables({"urgent": True})
    assert world.task_names() == ["Call the customer", "Collect the documents", "Mark the urgency"]
    set_variables({"pages": 1})  # still true: nothing new
    assert len(world.user_steps("Call the customer")) == 1
    set_variables({"urgent": False})
    set_variables({"urgent": True})
    assert len(world.user_steps("Call the customer")) == 2
    set_variables({"pages": 3})
    assert world.user_steps("Decide the claim") == []  # the join still waits for the task
    assert world.main.log[-1].element_id == "documents"


def test_the_models_cover_every_element_of_issue_13():
    seen: set[tuple[str, str]] = set()
    for path in sorted(MODELS.glob("*.bpmn")):
        for graph in parse_bpmn(path.read_bytes(), known_processes=KNOWN).processes:
            for element in graph.elements.values():
                definition = getattr(element, "definition", None)
                kind = definition.kind if definition is not None else ""
                scope = graph.elements.get(element.scope or "")
                if element.kind == "startEvent" and scope is not None and scope.triggered_by_event:
                    mode = "interrupting" if element.is_interrupting else "non-interrupting"
                    seen.add((f"event sub-process start {mode}", kind))
                if element.kind == "boundaryEvent":
                    mode = "interrupting" if element.cancel_activity else "non-interrupting"
                    seen.add((f"boundaryEvent {mode}", kind))
                seen.add((element.kind, kind))
    expected = {
        *(("event sub-process start interrupting", k) for k in ("message", "error", "conditional")),
        *(("event sub-process start non-interrupting", k) for k in ("timer", "signal")),
        ("event sub-process start non-interrupting", "escalation"),
        ("event sub-process start interrupting", "compensate"),
        ("intermediateThrowEvent", "escalation"),
        ("endEvent", "escalation"),
        ("boundaryEvent interrupting", "escalation"),
        ("boundaryEvent non-interrupting", "escalation"),
        ("intermediateCatchEvent", "conditional"),
        ("boundaryEvent non-interrupting", "conditional"),
        ("intermediateThrowEvent", "link"),
        ("intermediateCatchEvent", "link"),
        ("boundaryEvent interrupting", "compensate"),
        ("intermediateThrowEvent", "compensate"),
        ("endEvent", "compensate"),
        ("transaction", ""),
        ("endEvent", "cancel"),
        ("boundaryEvent interrupting", "cancel"),
    }
    assert expected - seen == set()


# -- JUEL's `execution`, as Camunda models use it --------------------------------------


def test_juel_reads_variables_through_execution():
    code = compile_expression(
        "${execution.hasVariable('vip') and execution.getVariable('amount') > 100}"
    )
    assert code.evaluate({"vip": True, "amount": 150}) is True
    assert code.evaluate({"amount": 150}) is False
    assert compile_expression("${execution.getVariables()}").evaluate({"a": 1}) == {"a": 1}


def test_juel_sets_and_removes_variables_through_execution():
    variables = {"count": 1, "old": "x"}
    compile_expression(
        "${execution.setVariable('count', execution.getVariable('count') + 1)}"
    ).evaluate(variables)
    compile_expression("${execution.removeVariable('old')}").evaluate(variables)
    assert variables == {"count": 2}


def test_juel_reaches_nothing_else_on_execution():
    with pytest.raises(
        ExpressionError, match="'execution.getProcessEngine\\(\\)' is not supported"
    ):
        compile_expression("${execution.getProcessEngine()}")
    with pytest.raises(ExpressionError, match="method calls such as '.getClass\\(\\)'"):
        compile_expression("${amount.getClass()}")
    with pytest.raises(ExpressionError, match="takes 2 argument"):
        compile_expression("${execution.setVariable('x')}").evaluate({})


def test_a_juel_set_variable_in_a_flow_condition_reaches_the_instance():
    graph = parse(
        START.replace('targetRef="t"', 'targetRef="g"')
        + '<bpmn:exclusiveGateway id="g" default="f2"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="big"><bpmn:conditionExpression>'
        "${execution.setVariable('checked', true) == null &amp;&amp; "
        "execution.getVariable('amount') &gt; 100}</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="small"/>'
        '<bpmn:endEvent id="big"/><bpmn:endEvent id="small"/>'
    )
    engine = Engine(lambda _: graph, clock=lambda: dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    result = engine.start("p", {"amount": 500})
    assert result.state.status == "completed"
    assert result.state.variables == {"amount": 500, "checked": True}
    assert [s.element_id for s in result.finished_steps][-1] == "big"


def test_a_sub_process_cannot_start_at_a_message_start():
    message = refused(
        START + '<bpmn:subProcess id="t"><bpmn:startEvent id="i"><bpmn:messageEventDefinition '
        'messageRef="m"/></bpmn:startEvent></bpmn:subProcess>'
    )
    assert "a sub-process starts at plain start events, not at a message start" in message


def test_an_escalation_boundary_on_a_task_is_refused():
    message = refused(
        START + '<bpmn:userTask id="t"/>'
        '<bpmn:boundaryEvent id="b" attachedToRef="t"><bpmn:escalationEventDefinition/>'
        "</bpmn:boundaryEvent>"
    )
    assert "belongs on a sub-process or a call activity" in message


def test_a_conditional_start_starts_when_its_condition_holds_for_the_start_variables():
    graph = parse(
        '<bpmn:startEvent id="s"><bpmn:conditionalEventDefinition><bpmn:condition>'
        "amount &gt; 100</bpmn:condition></bpmn:conditionalEventDefinition></bpmn:startEvent>"
        '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="e"/><bpmn:endEvent id="e"/>'
    )
    engine = Engine(lambda _: graph, clock=lambda: dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    assert engine.start("p", {"amount": 500}).state.status == "completed"
    waiting = engine.start("p", {"amount": 5}).state
    assert waiting.status == "running"
    assert engine.set_variables(waiting, {"amount": 101}).state.status == "completed"


def test_a_compensation_throw_names_an_activity_of_the_scope_it_compensates():
    message = refused(
        START + '<bpmn:subProcess id="t"><bpmn:startEvent id="i"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="i" targetRef="c"/>'
        '<bpmn:intermediateThrowEvent id="c"><bpmn:compensateEventDefinition activityRef="u"/>'
        '</bpmn:intermediateThrowEvent></bpmn:subProcess><bpmn:userTask id="u"/>'
    )
    assert "its activityRef 'u' is not in the scope the event compensates" in message


def test_a_compensation_event_sub_process_belongs_in_a_sub_process():
    message = refused(
        '<bpmn:startEvent id="s"/><bpmn:subProcess id="t" triggeredByEvent="true">'
        '<bpmn:startEvent id="i"><bpmn:compensateEventDefinition/></bpmn:startEvent>'
        "</bpmn:subProcess>"
    )
    assert "belongs in a sub-process, not at process level" in message
