"""Every evaluation runs on a work budget (steps, sizes, time) enforced inside the
evaluator: hostile expressions end quickly with a clear error, and a step whose
expression exceeds it goes to Error like any other expression error."""

import dataclasses
import datetime as dt
import re
import time

import pytest

from processes.engine import Engine
from processes.engine.bpmn import BpmnImportError, parse_bpmn
from processes.engine.expressions import (
    LIMITS,
    ExpressionBudgetError,
    ExpressionError,
    ExpressionSyntaxError,
    budget,
    compile_expression,
    compile_script,
)
from processes.engine.limits import MAX_MULTI_INSTANCE

BUDGET = "expression exceeds its work budget: "
# Wall time is the backstop, so no attack may take much longer than it.
QUICKLY = LIMITS.max_seconds * 3
T0 = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)


def timed(action):
    started = time.monotonic()
    with pytest.raises(ExpressionError) as raised:
        action()
    elapsed = time.monotonic() - started
    assert elapsed < QUICKLY, f"took {elapsed:.1f} s"
    return raised.value


@pytest.mark.parametrize(
    ("text", "variables", "detail"),
    [
        ("'a' * 10**9", {}, "the repetition would be too large"),
        ("[0] * 10**9", {}, "the repetition would be too large"),
        ("10 ** 10 ** 9", {}, "the power would be too large"),
        ("round(1, -10**7)", {}, "round() to -10000000 digits"),
        ("round(1.5, 10**7)", {}, "round() to 10000000 digits"),
        ("'%s' % (['a' * 100000] * 100000,)", {}, "the formatted string would be too large"),
        ("'%s%s%s' % (s, s, s)", {"s": "a" * 40000}, "the formatted string would be too large"),
        ("('%1000d' * 10000) % tuple(range(10000))", {}, "the formatted string would be"),
        ("f'{[\"a\" * 100000] * 100000}'", {}, "the f-string value would be too large"),
        ("f'{s!r}'", {"s": "\x00" * 30000}, "the f-string value would be too large"),
        ("len(str(['a' * 100000] * 100000))", {}, "the text of str() would be too large"),
        ("print(['a' * 100000] * 100000)", {}, "the text of print() would be too large"),
        ("[[x for a in range(10000)] for x in range(10000)]", {}, "too many steps"),
        ("[('a' * 99990) + str(i) for i in range(1000)]", {}, "built too much data"),
        ("[len(sorted(list(range(100000)))) for i in range(100)]", {}, "elements visited"),
        ("${a}${a}", {"a": "x" * 60000}, "value too large"),
        ("${'items: '}${items}", {"items": ["x" * 90000, "y" * 20000]}, "the text would be"),
        ("${x * x}", {"x": 2**4000}, "the product would be too large"),
        ("= s + s", {"s": "x" * 60000}, "the string would be too large"),
        # FEEL's ** is left-associative (DMN 1.5): the parentheses make the huge power.
        ("= 10 ** (10 ** 9)", {}, "the power would be too large"),
    ],
)
def test_an_expression_that_would_build_too_much_ends_quickly_with_the_budget_error(
    text, variables, detail
):
    error = timed(lambda: compile_expression(text).evaluate(variables))
    assert isinstance(error, ExpressionBudgetError)
    assert error.message.startswith(BUDGET)
    assert detail in error.message


@pytest.mark.parametrize(
    ("script", "detail"),
    [
        ("for i in range(10000):\n    x = sorted(list(range(100000)))", "line 2: values are"),
        ("x = [0]\nfor i in range(30):\n    x.extend(x)", "line 3: the list would be too large"),
        ("s = 'a' * 99999\nfor i in range(10000):\n    t = s.upper()", "built too much data"),
        ("for i in range(10000):\n    for j in range(10000):\n        x = i", "too many steps"),
        ("def f(n):\n    return f(n + 1)\nf(0)", "too many nested function calls"),
    ],
)
def test_a_script_loop_is_bounded_by_its_work_not_only_by_its_count(script, detail):
    error = timed(lambda: compile_script(script).run({}))
    assert error.message.startswith(BUDGET)
    assert detail in error.message


def test_work_that_no_count_catches_is_stopped_by_the_wall_clock(monkeypatch):
    # Work the step count would catch too, with the step count out of reach: on a fast
    # machine 100,000 steps of it take under 2 s, and the count would answer first.
    monkeypatch.setattr(budget, "LIMITS", dataclasses.replace(LIMITS, max_steps=10**9))
    script = (
        "s = 'a' * 100000\nn = 0\n"
        "for i in range(10000):\n    for j in range(10000):\n        n += s.count('a')"
    )
    error = timed(lambda: compile_script(script).run({}))
    # The clock is read every few steps, so either line of the inner loop may be named.
    assert re.fullmatch(
        f"{BUDGET}line [45]: evaluation ran longer than {LIMITS.max_seconds:g} seconds",
        error.message,
    )


@pytest.mark.parametrize(
    "text", ["str(print)", "str([len])", "f'{print}'", "f'{print!r}'", "'%s' % print"]
)
def test_a_builtin_function_cannot_be_turned_into_text_that_shows_its_address(text):
    error = timed(lambda: compile_expression(text).evaluate({}))
    assert "0x" not in error.message
    assert "a function cannot be turned into text" in error.message


def test_an_engine_function_cannot_be_printed_either():
    def lookup():
        return 1

    with pytest.raises(ExpressionError, match="cannot be turned into text") as raised:
        compile_expression("str(lookup)").evaluate({}, {"lookup": lookup})
    assert "0x" not in raised.value.message


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("${" + "9" * 5000 + "}", "the number literal has 5000 digits"),
        ("#{x > " + "9" * 1300 + "}", "the number literal has 1300 digits"),
        ("= " + "9" * 5000, "the number literal has 5000 digits"),
        ("= 1." + "5" * 2000, "the number literal has 2001 digits"),
        ("9" * 5000, "invalid Python syntax"),
        ("x > " + "9" * 1300, "integer literal is too large"),
    ],
)
def test_a_huge_number_literal_is_a_clean_syntax_error_in_every_language(text, detail):
    with pytest.raises(ExpressionSyntaxError) as raised:
        compile_expression(text)
    assert detail in raised.value.message
    assert len(raised.value.message) < 400  # the text is not echoed in full


def test_a_model_with_a_huge_number_literal_is_refused_naming_the_element():
    xml = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        '<bpmn:process id="p" isExecutable="true">'
        '<bpmn:startEvent id="start"/><bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="big" sourceRef="start" targetRef="end">'
        "<bpmn:conditionExpression>${x == " + "9" * 5000 + "}</bpmn:conditionExpression>"
        "</bpmn:sequenceFlow></bpmn:process></bpmn:definitions>"
    )
    with pytest.raises(BpmnImportError) as raised:
        parse_bpmn(xml)
    assert raised.value.element_id == "big"
    assert "the number literal has 5000 digits" in str(raised.value)


NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
)


def run_process(body: str, variables: dict | None = None):
    xml = (
        f'<bpmn:definitions {NS} id="d"><bpmn:process id="p" isExecutable="true">'
        f"{body}</bpmn:process></bpmn:definitions>"
    )
    graphs = {g.id: g for g in parse_bpmn(xml).processes}
    engine = Engine(graphs.__getitem__, clock=lambda: T0)
    return engine.start("p", variables).state


def step_of(state, element_id):
    (step,) = [s for s in state.steps.values() if s.element_id == element_id]
    return step


def test_a_script_task_past_its_budget_puts_its_step_in_error():
    state = run_process(
        '<bpmn:startEvent id="start"/>'
        '<bpmn:scriptTask id="greedy"><bpmn:script>'
        "text = '%s' % (['a' * 100000] * 100000,)"
        "</bpmn:script></bpmn:scriptTask>"
        '<bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="greedy"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="greedy" targetRef="end"/>'
    )
    assert state.status == "error"
    step = step_of(state, "greedy")
    assert step.status == "error"
    assert BUDGET + "line 1: the formatted string would be too large" in step.error
    assert "text" not in state.variables


def test_a_flow_condition_past_its_budget_puts_the_gateway_in_error():
    state = run_process(
        '<bpmn:startEvent id="start"/><bpmn:exclusiveGateway id="choose"/>'
        '<bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="choose"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="choose" targetRef="end">'
        "<bpmn:conditionExpression>round(amount, -10**7) &gt; 0</bpmn:conditionExpression>"
        "</bpmn:sequenceFlow>",
        {"amount": 5},
    )
    assert state.status == "error"
    assert BUDGET + "round() to -10000000 digits" in step_of(state, "choose").error


def multi_instance(loop: str) -> str:
    return (
        '<bpmn:startEvent id="start"/>'
        f'<bpmn:scriptTask id="each">{loop}</bpmn:scriptTask>'
        '<bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="each"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="end"/>'
    )


def test_a_multi_instance_cardinality_past_the_limit_is_an_error_on_its_step():
    state = run_process(
        multi_instance(
            "<bpmn:multiInstanceLoopCharacteristics>"
            "<bpmn:loopCardinality>n</bpmn:loopCardinality>"
            "</bpmn:multiInstanceLoopCharacteristics>"
        ),
        {"n": MAX_MULTI_INSTANCE + 1},
    )
    step = step_of(state, "each")
    assert step.status == "error"
    assert f"cardinality {MAX_MULTI_INSTANCE + 1} is past the limit of 10,000" in step.error
    assert len(state.steps) == 1  # no instance was created


def test_a_multi_instance_collection_past_the_limit_is_an_error_on_its_step():
    state = run_process(
        multi_instance(
            '<bpmn:multiInstanceLoopCharacteristics camunda:collection="items" '
            'camunda:elementVariable="item"/>'
        ),
        {"items": list(range(MAX_MULTI_INSTANCE + 1))},
    )
    step = step_of(state, "each")
    assert step.status == "error"
    assert "'items' has 10001 items; the limit is 10,000 instances" in step.error
    assert len(state.steps) == 1


def test_a_multi_instance_within_the_limit_still_runs_every_instance():
    state = run_process(
        multi_instance(
            "<bpmn:multiInstanceLoopCharacteristics>"
            "<bpmn:loopCardinality>n</bpmn:loopCardinality>"
            "</bpmn:multiInstanceLoopCharacteristics>"
        ),
        {"n": 50},
    )
    assert state.status == "completed"


def test_normal_expressions_stay_well_inside_the_budget():
    # What real models do: a condition over a few hundred items, a formatted total.
    items = [{"amount": n, "name": f"line {n}"} for n in range(500)]
    text = "f'{len(items)} lines, total {sum(i[\"amount\"] for i in items)}'"
    assert compile_expression(text).evaluate({"items": items}) == "500 lines, total 124750"
    script = "names = []\nfor item in items:\n    names.append(item['name'].upper())\n"
    variables = {"items": items}
    compile_script(script).run(variables)
    assert variables["names"][-1] == "LINE 499"
