"""Camunda 7, Zeebe and SpiffArena extensions: bound, waiting, mapped or reported, never
silently skipped. No database."""

import datetime as dt

import pytest

from processes.engine import Engine, EngineError
from processes.engine.actions import register_action, unregister_action
from processes.engine.bindings import unbound_tasks
from processes.engine.bpmn import BpmnImportError, parse_bpmn
from processes.user_steps.spec import spec_of

from .conformance import load_state, save_state
from .test_runtime import flows

T0 = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:flowdesk="https://flowdesk.dev/bpmn" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"'
)


def graph_of(body: str):
    xml = (
        f'<bpmn:definitions {NS} id="d"><bpmn:process id="p" isExecutable="true">'
        f"{body}</bpmn:process></bpmn:definitions>"
    )
    return parse_bpmn(xml).processes[0]


def engine_for(graph):
    return Engine({graph.id: graph}.__getitem__, clock=lambda: T0)


def only_step(state, element_id):
    [step] = [s for s in state.steps.values() if s.element_id == element_id]
    return step


@pytest.fixture
def action():
    """Register actions for one test and remove them after it."""
    names = []

    def register(name, fn):
        register_action(name)(fn)
        names.append(name)

    yield register
    for name in names:
        unregister_action(name)


CHARGE = (
    '<bpmn:startEvent id="s"/>'
    '<bpmn:serviceTask id="charge" name="Charge card" camunda:class="com.acme.Charge">'
    "<bpmn:extensionElements>"
    '<camunda:field name="currency" stringValue="EUR"/>'
    '<camunda:inputOutput><camunda:inputParameter name="amount">${price * 2}'
    "</camunda:inputParameter></camunda:inputOutput>"
    "</bpmn:extensionElements></bpmn:serviceTask>"
    '<bpmn:userTask id="t"/>' + flows("s>charge", "charge>t")
)


def test_a_java_class_task_is_unbound_until_an_action_carries_its_name(action):
    graph = graph_of(CHARGE)
    [missing] = unbound_tasks(graph)
    assert (missing.element_id, missing.implementation, missing.binding) == (
        "charge",
        "camunda:class",
        "com.acme.Charge",
    )
    assert "charge" in missing.describe() and "com.acme.Charge" in missing.describe()

    seen = {}

    def charge(ctx):
        seen.update(ctx.params)
        ctx.variables["charged"] = True

    action("com.acme.Charge", charge)
    assert unbound_tasks(graph) == []
    state = engine_for(graph).start("p", {"price": 5}).state
    assert seen == {"currency": "EUR", "amount": 10}
    assert state.variables["charged"] is True
    assert only_step(state, "t").status == "waiting"


def test_an_external_task_waits_on_its_topic_until_its_worker_completes_it():
    graph = graph_of(
        '<bpmn:startEvent id="s"/>'
        '<bpmn:serviceTask id="ship" camunda:type="external" camunda:topic="shipping"/>'
        '<bpmn:endEvent id="e"/>' + flows("s>ship", "ship>e")
    )
    assert unbound_tasks(graph) == []
    engine = engine_for(graph)
    state = load_state(save_state(engine.start("p").state))
    step = only_step(state, "ship")
    assert (step.status, step.data["topic"]) == ("waiting", "shipping")
    with pytest.raises(EngineError):
        engine.complete_step(state, step.id)  # not a user step
    with pytest.raises(EngineError, match="shipping"):
        engine.complete_external_task(state, step.id, topic="billing")
    engine.complete_external_task(state, step.id, topic="shipping", variables={"parcel": "P1"})
    assert state.status == "completed"
    assert state.variables == {"parcel": "P1"}


def test_a_zeebe_task_definition_type_is_the_external_topic():
    graph = graph_of(
        '<bpmn:startEvent id="s"/><bpmn:serviceTask id="pay"><bpmn:extensionElements>'
        '<zeebe:taskDefinition type="payment" retries="3"/>'
        '<zeebe:taskHeaders><zeebe:header key="method" value="card"/></zeebe:taskHeaders>'
        "</bpmn:extensionElements></bpmn:serviceTask>"
        '<bpmn:endEvent id="e"/>' + flows("s>pay", "pay>e")
    )
    state = engine_for(graph).start("p").state
    assert only_step(state, "pay").data["topic"] == "payment"
    assert '"method": "card"' in graph.elements["pay"].vendor["taskHeaders"]


def test_an_expression_task_flowdesk_can_evaluate_runs_it():
    graph = graph_of(
        '<bpmn:startEvent id="s"/>'
        '<bpmn:serviceTask id="mark" '
        "camunda:expression=\"${execution.setVariable('done', true)}\"/>"
        '<bpmn:endEvent id="e"/>' + flows("s>mark", "mark>e")
    )
    assert unbound_tasks(graph) == []
    state = engine_for(graph).start("p").state
    assert state.status == "completed" and state.variables["done"] is True


def test_a_bean_call_expression_and_a_task_with_no_implementation_are_unbound():
    graph = graph_of(
        '<bpmn:startEvent id="s"/>'
        '<bpmn:serviceTask id="bean" camunda:expression="${mailer.send(execution)}"/>'
        '<bpmn:serviceTask id="empty"/><bpmn:businessRuleTask id="rules"/>'
        '<bpmn:sendTask id="tell"/><bpmn:endEvent id="e"/>'
        + flows("s>bean", "bean>empty", "empty>rules", "rules>tell", "tell>e")
    )
    assert [(u.element_id, u.implementation) for u in unbound_tasks(graph)] == [
        ("bean", "camunda:expression"),
        ("empty", "no implementation"),
        ("rules", "no decision or implementation"),
    ]


def test_a_groovy_script_imports_and_is_bound_by_process_and_task_id(action):
    graph = graph_of(
        '<bpmn:startEvent id="s"/><bpmn:scriptTask id="calc" scriptFormat="groovy">'
        "<bpmn:script>execution.setVariable('x', 1)</bpmn:script></bpmn:scriptTask>"
        '<bpmn:endEvent id="e"/>' + flows("s>calc", "calc>e")
    )
    [missing] = unbound_tasks(graph)
    assert (missing.implementation, missing.binding) == ("script:groovy", "p.calc")
    action("p.calc", lambda ctx: ctx.variables.update(x=1))
    state = engine_for(graph).start("p").state
    assert state.status == "completed" and state.variables == {"x": 1}


def test_spiff_pre_and_post_scripts_run_around_the_task():
    graph = graph_of(
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t"><bpmn:extensionElements>'
        "<spiffworkflow:preScript>before = 1</spiffworkflow:preScript>"
        "<spiffworkflow:postScript>after = answer * 2</spiffworkflow:postScript>"
        "<spiffworkflow:instructionsForEndUser>Check the order"
        "</spiffworkflow:instructionsForEndUser>"
        "</bpmn:extensionElements></bpmn:userTask>"
        '<bpmn:endEvent id="e"/>' + flows("s>t", "t>e")
    )
    engine = engine_for(graph)
    state = engine.start("p").state
    assert state.variables == {"before": 1}
    assert graph.elements["t"].settings["hint"] == "Check the order"
    engine.complete_step(state, only_step(state, "t").id, variables={"answer": 4})
    assert state.status == "completed" and state.variables["after"] == 8


def test_camunda_user_task_attributes_map_onto_owner_role_and_page_fields():
    graph = graph_of(
        '<bpmn:startEvent id="s"/>'
        '<bpmn:userTask id="t" camunda:assignee="${approver}" camunda:candidateGroups="sales, ops"'
        ' camunda:formKey="embedded:app:forms/approve.html" camunda:dueDate="${due}">'
        "<bpmn:extensionElements><camunda:formData>"
        '<camunda:formField id="amount" label="Amount: EUR" type="long">'
        '<camunda:validation><camunda:constraint name="required"/></camunda:validation>'
        "</camunda:formField>"
        '<camunda:formField id="ok" label="Approved" type="boolean"/>'
        "</camunda:formData></bpmn:extensionElements></bpmn:userTask>"
        '<bpmn:userTask id="mine" flowdesk:owner="anna" camunda:assignee="bob"/>'
        + flows("s>t", "t>mine")
    )
    settings = graph.elements["t"].settings
    assert settings["owner"] == "${approver}"
    assert settings["ownerRole"] == "sales"
    assert settings["formKey"] == "embedded:app:forms/approve.html"
    assert settings["page"] == "auto"
    assert settings["fields"] == "amount:number:Amount EUR:required; ok:bool:Approved"
    spec = spec_of(graph.elements["t"])
    assert (spec.page, spec.form_key, spec.due_date) == (
        "auto",
        "embedded:app:forms/approve.html",
        "${due}",
    )
    # A flowdesk: attribute wins over the vendor one.
    assert graph.elements["mine"].settings["owner"] == "anna"


def test_the_import_notes_every_vendor_extension_with_what_flowdesk_does():
    graph = graph_of(
        '<bpmn:startEvent id="s"><bpmn:extensionElements>'
        '<camunda:executionListener event="start" class="com.acme.Audit"/>'
        '<camunda:executionListener event="take" class="com.acme.Audit"/>'
        "</bpmn:extensionElements></bpmn:startEvent>"
        '<bpmn:userTask id="t" camunda:asyncBefore="true" camunda:jobPriority="5"/>' + flows("s>t")
    )
    notes = {(n.element_id, n.extension): (n.treatment, n.reason) for n in graph.vendor_notes}
    listeners = [n.treatment for n in graph.vendor_notes if n.extension.endswith("Listener")]
    assert listeners == ["bound", "ignored"]
    ignored = [n for n in graph.vendor_notes if n.treatment == "ignored"]
    assert any("not at take" in n.reason for n in ignored)
    assert notes[("t", "camunda:asyncBefore")][0] == "honoured"
    assert notes[("t", "camunda:jobPriority")][0] == "ignored"


def test_camunda_listeners_run_at_start_and_end_or_wait_for_a_binding(action):
    graph = graph_of(
        '<bpmn:startEvent id="s"/><bpmn:userTask id="t"><bpmn:extensionElements>'
        '<camunda:executionListener event="start" '
        "expression=\"${execution.setVariable('started', true)}\"/>"
        '<camunda:taskListener event="complete" class="com.acme.Audit"/>'
        "</bpmn:extensionElements></bpmn:userTask>"
        '<bpmn:endEvent id="e"/>' + flows("s>t", "t>e")
    )
    [missing] = unbound_tasks(graph)
    assert (missing.element_id, missing.binding) == ("t", "com.acme.Audit")
    action("com.acme.Audit", lambda ctx: ctx.variables.update(audited=ctx.element_id))
    assert unbound_tasks(graph) == []
    engine = engine_for(graph)
    state = engine.start("p").state
    assert state.variables == {"started": True}
    engine.complete_step(state, only_step(state, "t").id)
    assert state.status == "completed" and state.variables["audited"] == "t"


IO_TASK = (
    '<bpmn:startEvent id="s"/>'
    '<bpmn:userTask id="t" name="Approve"><bpmn:extensionElements><zeebe:ioMapping>'
    '<zeebe:input source="=order.total * 2" target="doubled"/>'
    '<zeebe:input source="=doubled + 1" target="plus"/>'
    '<zeebe:input source="EUR" target="currency"/>'
    "{outputs}"
    "</zeebe:ioMapping></bpmn:extensionElements></bpmn:userTask>"
    '<bpmn:endEvent id="e"/>'
)


def test_zeebe_input_mappings_are_the_steps_own_variables_and_outputs_pass_out():
    outputs = (
        '<zeebe:output source="=approved and doubled &gt; 10" target="decision.ok"/>'
        '<zeebe:output source="=currency" target="decision.currency"/>'
    )
    graph = graph_of(IO_TASK.format(outputs=outputs) + flows("s>t", "t>e"))
    engine = engine_for(graph)
    state = engine.start("p", {"order": {"total": 7}, "decision": {"by": "ann"}}).state
    step = only_step(state, "t")

    seen = engine.step_variables(state, step.id)
    assert (seen["doubled"], seen["plus"], seen["currency"]) == (14, 15, "EUR")
    assert "doubled" not in state.variables

    engine.complete_step(state, step.id, variables={"approved": True})
    assert state.status == "completed"
    # Only the outputs leave the step: what the step set stays with it.
    assert state.variables == {
        "order": {"total": 7},
        "decision": {"by": "ann", "ok": True, "currency": "EUR"},
    }


def test_with_inputs_and_no_outputs_what_the_step_set_passes_out_but_not_its_inputs():
    graph = graph_of(IO_TASK.format(outputs="") + flows("s>t", "t>e"))
    engine = engine_for(graph)
    state = engine.start("p", {"order": {"total": 1}}).state

    engine.complete_step(state, only_step(state, "t").id, variables={"approved": False})

    assert state.variables == {"order": {"total": 1}, "approved": False}


def test_a_zeebe_mapping_target_that_is_no_variable_name_is_refused_at_import():
    with pytest.raises(BpmnImportError, match="is not a variable name"):
        graph_of(
            '<bpmn:startEvent id="s"/><bpmn:userTask id="t"><bpmn:extensionElements>'
            '<zeebe:ioMapping><zeebe:input source="=1" target="my total"/></zeebe:ioMapping>'
            "</bpmn:extensionElements></bpmn:userTask>" + flows("s>t")
        )
