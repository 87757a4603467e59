"""Formula tasks: one expression, its value stored in a variable."""

from .test_runtime import Harness, flows


def test_a_formula_stores_its_value_in_the_result_variable():
    harness = Harness(
        '<bpmn:startEvent id="s"/>'
        '<bpmn:scriptTask id="total" flowdesk:formula="price * quantity"'
        ' flowdesk:resultVariable="amount"/>'
        '<bpmn:endEvent id="e"/>' + flows("s>total", "total>e")
    )

    result = harness.engine.start("p", {"price": 2.5, "quantity": 4})

    assert result.state.status == "completed"
    assert result.state.variables["amount"] == 10.0


def test_a_formula_that_fails_puts_its_step_in_error():
    harness = Harness(
        '<bpmn:startEvent id="s"/>'
        '<bpmn:scriptTask id="ratio" flowdesk:formula="done / total"/>'
        '<bpmn:endEvent id="e"/>' + flows("s>ratio", "ratio>e")
    )

    result = harness.engine.start("p", {"done": 1, "total": 0})

    assert result.state.status == "error"
    [failed] = [s for s in result.state.steps.values() if s.status == "error"]
    assert failed.element_id == "ratio" and "zero" in failed.error
