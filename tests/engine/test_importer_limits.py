"""The importer refuses models nested past its stated depth, naming the element,
and imports long chains of joins in linear time."""

import datetime as dt

import pytest

from processes.engine import Engine
from processes.engine.bpmn import BpmnImportError, export_bpmn, parse_bpmn
from processes.engine.limits import MAX_SUBPROCESS_DEPTH, MAX_XML_DEPTH

T0 = dt.datetime(2030, 1, 7, 9, 0, tzinfo=dt.UTC)
HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
    '<bpmn:process id="p" isExecutable="true">'
)
TAIL = "</bpmn:process></bpmn:definitions>"


def nested_sub_processes(depth: int) -> str:
    """sp1 holds sp2 ... holds sp<depth>, each scope: start -> inner -> end."""
    inner = '<bpmn:startEvent id="s{n}"/><bpmn:endEvent id="e{n}"/>'
    body = inner.format(n=depth) + (
        f'<bpmn:sequenceFlow id="f{depth}" sourceRef="s{depth}" targetRef="e{depth}"/>'
    )
    for n in range(depth, 0, -1):
        sp = f'<bpmn:subProcess id="sp{n}">{body}</bpmn:subProcess>'
        level = n - 1
        body = (
            f'<bpmn:startEvent id="s{level}"/>{sp}<bpmn:endEvent id="e{level}"/>'
            f'<bpmn:sequenceFlow id="in{level}" sourceRef="s{level}" targetRef="sp{n}"/>'
            f'<bpmn:sequenceFlow id="out{level}" sourceRef="sp{n}" targetRef="e{level}"/>'
        )
    return HEAD + body + TAIL


def test_sub_processes_nested_up_to_the_limit_import_export_and_run():
    xml = nested_sub_processes(MAX_SUBPROCESS_DEPTH)
    document = parse_bpmn(xml)
    again = parse_bpmn(export_bpmn(document))
    assert set(again.process("p").elements) == set(document.process("p").elements)
    graphs = {"p": document.process("p")}
    state = Engine(graphs.__getitem__, clock=lambda: T0).start("p").state
    assert state.status == "completed"


def test_one_level_past_the_sub_process_limit_is_refused_naming_the_element():
    with pytest.raises(BpmnImportError) as raised:
        parse_bpmn(nested_sub_processes(MAX_SUBPROCESS_DEPTH + 1))
    assert raised.value.element_id == f"sp{MAX_SUBPROCESS_DEPTH + 1}"
    assert str(raised.value) == (
        f"Element 'sp{MAX_SUBPROCESS_DEPTH + 1}' (subProcess): sub-processes are nested "
        f"more than {MAX_SUBPROCESS_DEPTH} deep; flatten the model or use call activities"
    )


def test_twelve_hundred_nested_sub_processes_are_refused_not_a_recursion_error():
    with pytest.raises(BpmnImportError) as raised:
        parse_bpmn(nested_sub_processes(1200))
    # definitions and process are the first two levels of the XML: the sub-process
    # at the limit is named, as the one whose content goes too deep.
    assert str(raised.value) == (
        f"Element 'sp{MAX_XML_DEPTH - 2}' (subProcess): its content nests elements more "
        f"than {MAX_XML_DEPTH} levels deep (sub-processes inside sub-processes?); "
        "flatten the model"
    )


def test_deeply_nested_xml_outside_any_sub_process_is_refused_too():
    deep = "<bpmn:documentation>" * 500 + "</bpmn:documentation>" * 500
    xml = HEAD + f'<bpmn:startEvent id="start">{deep}</bpmn:startEvent>' + TAIL
    with pytest.raises(BpmnImportError, match=f"more than {MAX_XML_DEPTH} levels deep") as raised:
        parse_bpmn(xml)
    assert raised.value.element_id == "start"


def chained_joins(count: int) -> str:
    """start -> split -> (a0, b0) -> j0 -> (a1, b1) -> j1 ... -> end."""
    parts = [
        '<bpmn:startEvent id="start"/><bpmn:parallelGateway id="split"/>',
        '<bpmn:sequenceFlow id="fs" sourceRef="start" targetRef="split"/>',
    ]
    previous = "split"
    for k in range(count):
        parts.append(
            f'<bpmn:scriptTask id="a{k}"/><bpmn:scriptTask id="b{k}"/>'
            f'<bpmn:parallelGateway id="j{k}"/>'
            f'<bpmn:sequenceFlow id="fa{k}" sourceRef="{previous}" targetRef="a{k}"/>'
            f'<bpmn:sequenceFlow id="fb{k}" sourceRef="{previous}" targetRef="b{k}"/>'
            f'<bpmn:sequenceFlow id="ja{k}" sourceRef="a{k}" targetRef="j{k}"/>'
            f'<bpmn:sequenceFlow id="jb{k}" sourceRef="b{k}" targetRef="j{k}"/>'
        )
        previous = f"j{k}"
    parts.append(
        f'<bpmn:endEvent id="end"/><bpmn:sequenceFlow id="fe" sourceRef="{previous}" '
        'targetRef="end"/>'
    )
    return HEAD + "".join(parts) + TAIL


def test_two_thousand_chained_joins_import_and_run_to_the_end():
    graph = parse_bpmn(chained_joins(2000)).process("p")
    assert len(graph.elements) == 3 * 2000 + 3
    assert graph.join_reaches == {}  # nothing is analysed at import
    result = Engine({"p": graph}.__getitem__, clock=lambda: T0).start("p")
    assert result.state.status == "completed"
    joins = [s for s in result.finished_steps if s.element_id.startswith("j")]
    # Each join fired once; the second arrival at each was merged into it.
    assert sum(1 for s in joins if s.result != "merged") == 2000
    assert sum(1 for s in joins if s.result == "merged") == 2000


def test_the_reach_of_a_join_deep_in_a_chain_is_what_the_tokens_can_reach():
    graph = parse_bpmn(chained_joins(2000)).process("p")
    reach = graph.join_reach("j1999")
    assert reach["a1999"] == {"ja1999"}
    assert reach["b1999"] == {"jb1999"}
    assert reach["j1998"] == {"ja1999", "jb1999"}
    assert reach["start"] == {"ja1999", "jb1999"}
    assert "end" not in reach
    assert graph.join_reach("j0") == {
        "a0": {"ja0"},
        "b0": {"jb0"},
        "split": {"ja0", "jb0"},
        "start": {"ja0", "jb0"},
    }


def test_a_join_released_at_rest_in_a_long_chain_waits_for_the_branch_still_open():
    # b0 is a user task: j0 must hold a0's token until b0 completes.
    xml = chained_joins(2000).replace('<bpmn:scriptTask id="b0"/>', '<bpmn:userTask id="b0"/>', 1)
    graph = parse_bpmn(xml).process("p")
    engine = Engine({"p": graph}.__getitem__, clock=lambda: T0)
    state = engine.start("p").state
    waiting = sorted(s.element_id for s in state.steps.values() if s.status == "waiting")
    assert waiting == ["b0", "j0"]
    (b0,) = [s for s in state.steps.values() if s.element_id == "b0"]
    assert engine.complete_step(state, b0.id).state.status == "completed"
