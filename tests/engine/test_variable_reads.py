"""Variables no path can set: the import's warning rule (processes.engine.variable_reads).
It answers only for a process that declares its inputs, says nothing when an
element may set variables Flowdesk cannot list, and counts what scripts, pages,
mappings and JUEL `execution.setVariable` set."""

from processes.engine.bpmn import parse_bpmn
from processes.engine.variable_reads import unset_reads

from .test_vendor_extensions import NS


def graph_of(body: str):
    xml = (
        f'<bpmn:definitions {NS} id="d"><bpmn:process id="p" isExecutable="true">'
        f'<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="form"/>'
        '<bpmn:userTask id="form" flowdesk:page="auto" flowdesk:fields="amount:number:Amount"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="form" targetRef="calc"/>'
        '<bpmn:scriptTask id="calc"><bpmn:script>total = amount * rate\n'
        "tax = [x for x in range(2)]</bpmn:script></bpmn:scriptTask>"
        '<bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="g"/>'
        '<bpmn:exclusiveGateway id="g" default="small"/>'
        f"{body}"
        '<bpmn:sequenceFlow id="small" sourceRef="g" targetRef="e"/><bpmn:endEvent id="e"/>'
        "</bpmn:process></bpmn:definitions>"
    )
    return parse_bpmn(xml).processes[0]


def big(condition: str, language: str = "") -> str:
    lang = f' language="{language}"' if language else ""
    return (
        f'<bpmn:sequenceFlow id="big" sourceRef="g" targetRef="e">'
        f"<bpmn:conditionExpression{lang}>{condition}</bpmn:conditionExpression>"
        "</bpmn:sequenceFlow>"
    )


def test_a_misspelt_variable_is_named_with_the_flow_that_reads_it():
    graph = graph_of(big("totl &gt; 100 and amount &gt; 0"))
    # `rate` is read before anything sets it: an input would have to give it.
    assert unset_reads(graph, inputs={"rate"}) == [("big", "totl")]
    assert unset_reads(graph, inputs=set()) == [("calc", "rate"), ("big", "totl")]


def test_a_process_that_declares_no_inputs_is_not_judged():
    assert unset_reads(graph_of(big("totl &gt; 100")), inputs=None) is None


def test_an_element_that_sets_unlisted_variables_silences_the_check():
    bound = '<bpmn:serviceTask id="svc" flowdesk:action="charge"/>'
    assert unset_reads(graph_of(big("totl &gt; 100") + bound), inputs={"rate"}) is None


def test_juel_reads_and_sets_are_counted_and_feel_is_not_analysed():
    juel = big("${execution.getVariable('limit') &gt; totl}")
    assert unset_reads(graph_of(juel), inputs={"rate"}) == [("big", "limit"), ("big", "totl")]
    setter = (
        '<bpmn:serviceTask id="set" camunda:expression="${execution.setVariable(\'limit\', 5)}"/>'
    )
    assert ("big", "limit") not in unset_reads(graph_of(juel + setter), inputs={"rate"})
    assert unset_reads(graph_of(big("= totl &gt; 100")), inputs={"rate"}) == []


def test_registered_functions_and_built_in_variables_are_known():
    graph = graph_of(big("risk(amount) &gt; 1 and task_result == 'ok' and len(tax) &gt; 0"))
    assert unset_reads(graph, inputs={"rate"}, functions={"risk"}) == []
