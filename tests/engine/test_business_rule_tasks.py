"""Business-rule tasks call decisions: Camunda 7, Zeebe, SpiffWorkflow and Flowdesk attributes."""

from __future__ import annotations

from processes.engine.bpmn import parse_bpmn
from processes.engine.dmn import decision_provider, parse_dmn

from .test_runtime import Harness, flows

DMN = (
    '<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" namespace="urn:r" name="r">'
    '<inputData id="i" name="amount"><variable name="amount" typeRef="number"/></inputData>'
    '<decision id="approval" name="Approval"><informationRequirement><requiredInput href="#i"/>'
    '</informationRequirement><decisionTable hitPolicy="UNIQUE"><input><inputExpression><text>'
    "amount</text>"
    '</inputExpression></input><output name="approved"/>'
    "<rule><inputEntry><text>&lt; 1000</text></inputEntry><outputEntry><text>true</text>"
    "</outputEntry></rule>"
    "<rule id='no'><inputEntry><text>&gt;= 500</text></inputEntry><outputEntry><text>false</text>"
    "</outputEntry></rule>"
    "</decisionTable></decision></definitions>"
)
ZEEBE = 'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"'


def run(task: str, amount: int):
    h = Harness(
        f'<bpmn:startEvent id="s"/>{task}<bpmn:userTask id="u"/>' + flows("s>b", "b>u"),
        decisions=decision_provider([parse_dmn(DMN)]),
    )
    state = h.engine.start("p", {"amount": amount}).state
    return h, state


def test_a_camunda_decision_ref_stores_the_mapped_result():
    task = (
        '<bpmn:businessRuleTask id="b" camunda:decisionRef="approval" camunda:resultVariable="ok" '
        'camunda:mapDecisionResult="singleEntry"/>'
    )
    h, state = run(task, 100)
    assert state.variables["ok"] is True
    assert h.waiting(state) == ["u"]


def test_the_flowdesk_attribute_stores_the_decision_value():
    task = (
        '<bpmn:businessRuleTask id="b" flowdesk:decision="Approval" flowdesk:resultVariable="ok"/>'
    )
    _, state = run(task, 2000)
    assert state.variables["ok"] is False


def test_a_failing_decision_puts_the_step_in_error_with_the_reason():
    task = (
        '<bpmn:businessRuleTask id="b" flowdesk:decision="Approval" flowdesk:resultVariable="ok"/>'
    )
    h, state = run(task, 700)  # both rules match a UNIQUE table
    step = h.step(state, "b")
    assert step.status == "error"
    assert "UNIQUE" in (step.error or "")
    assert "ok" not in state.variables


def test_zeebe_and_spiff_references_are_read_at_import():
    xml = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        f'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" {ZEEBE} id="d">'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>'
        '<bpmn:businessRuleTask id="z"><bpmn:extensionElements>'
        '<zeebe:calledDecision decisionId="approval" '
        'resultVariable="ok"/></bpmn:extensionElements></bpmn:businessRuleTask>'
        '<bpmn:businessRuleTask id="w"><bpmn:extensionElements><spiffworkflow:calledDecisionId>'
        "approval"
        "</spiffworkflow:calledDecisionId></bpmn:extensionElements></bpmn:businessRuleTask>"
        + flows("s>z", "z>w")
        + "</bpmn:process></bpmn:definitions>"
    )
    graph = parse_bpmn(xml).processes[0]
    assert graph.elements["z"].ext["decision"] == "approval"
    assert graph.elements["z"].ext["decisionResultVariable"] == "ok"
    assert graph.elements["w"].ext["decision"] == "approval"


def test_the_step_keeps_which_rules_of_the_table_matched():
    task = (
        '<bpmn:businessRuleTask id="b" flowdesk:decision="Approval" flowdesk:resultVariable="ok"/>'
    )
    h = Harness(
        f'<bpmn:startEvent id="s"/>{task}<bpmn:userTask id="u"/>' + flows("s>b", "b>u"),
        decisions=decision_provider([parse_dmn(DMN)]),
    )
    result = h.engine.start("p", {"amount": 2000})
    (step,) = [s for s in result.finished_steps if s.element_id == "b"]
    assert step.data["matched_rules"] == [
        {"decision": "Approval", "rules": [{"number": 2, "id": "no"}]}
    ]


def test_an_engine_without_decisions_puts_the_step_in_error_saying_so():
    h = Harness(
        '<bpmn:startEvent id="s"/><bpmn:businessRuleTask id="b" flowdesk:decision="approval"/>'
        + flows("s>b")
    )
    state = h.engine.start("p", {"amount": 1}).state
    step = h.step(state, "b")
    assert step.status == "error"
    assert "no decisions deployed" in step.error
