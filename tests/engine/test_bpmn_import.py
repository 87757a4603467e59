"""BPMN import refuses what cannot run, naming the element; export is lossless."""

import dataclasses
from functools import cache
from pathlib import Path

import pytest

from processes.engine.bpmn import (
    BpmnImportError,
    export_bpmn,
    list_process_ids,
    parse_bpmn,
)
from tests.support.paths import BPMN_CORPUS, require_bpmn_corpus

DATA = Path(__file__).parent / "data"
# One parameter per corpus file; without ../shared/bpmn a single one that skips.
CONFORMANCE_FILES = sorted(p.name for p in BPMN_CORPUS.glob("*.bpmn")) or ["corpus-missing"]


@cache
def all_process_ids() -> frozenset[str]:
    corpus = require_bpmn_corpus("conformance model imports")
    return frozenset(
        pid for path in sorted(corpus.glob("*.bpmn")) for pid in list_process_ids(path.read_bytes())
    )


def bpmn(body: str, *, extra: str = "", process_id: str = "p") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:flowdesk="https://flowdesk.dev/bpmn" id="d">'
        f'{extra}<bpmn:process id="{process_id}" isExecutable="true">{body}</bpmn:process>'
        "</bpmn:definitions>"
    )


START = '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="t"/>'


def refused(xml: str, **kwargs) -> BpmnImportError:
    with pytest.raises(BpmnImportError) as caught:
        parse_bpmn(xml, **kwargs)
    return caught.value


# -- the conformance models ------------------------------------------------------


@pytest.mark.parametrize("name", CONFORMANCE_FILES)
def test_conformance_model_imports_and_round_trips_losslessly(name):
    known = all_process_ids()
    data = (BPMN_CORPUS / name).read_bytes()
    document = parse_bpmn(data, known_processes=known)
    assert document.processes
    exported = export_bpmn(document)
    again = parse_bpmn(exported, known_processes=known)
    assert again.processes == document.processes
    assert again.collaborations == document.collaborations
    assert exported.count("BPMNShape") == data.decode("utf-8").count("BPMNShape")


def test_export_keeps_the_diagram_so_a_viewer_can_draw_it():
    corpus = require_bpmn_corpus("the diagram export check")
    data = (corpus / "spiff_lanes.bpmn").read_text(encoding="utf-8")
    exported = export_bpmn(parse_bpmn(data))
    assert "<bpmndi:BPMNDiagram" in exported
    assert exported.count("<dc:Bounds") == data.count("<dc:Bounds")
    assert exported.count("<di:waypoint") == data.count("<di:waypoint")
    assert 'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"' in exported


def test_signavio_files_with_a_default_namespace_export_without_prefixes_invented():
    corpus = require_bpmn_corpus("the Signavio namespace export check")
    data = (corpus / "spiff_TW_Messages.bpmn").read_text(encoding="utf-8")
    exported = export_bpmn(parse_bpmn(data))
    assert "<definitions" in exported
    assert parse_bpmn(exported).processes == parse_bpmn(data).processes


# -- our extension attributes -------------------------------------------------------


def test_every_flowdesk_attribute_is_kept_on_its_element():
    document = parse_bpmn((DATA / "flowdesk_extensions.bpmn").read_bytes())
    graph = document.process("support_ticket")
    assert graph.elements["triage"].ext == {
        "owner": "role:1st line support",
        "background": "false",
        "page": "question",
        "answers": "Bug,Question,Feature",
        "multiple": "false",
        "hint": "Read the ticket, then choose",
        "results": "Bug,Question,Feature",
        "createActivity": "true",
    }
    assert graph.elements["fill_in"].ext["fields"] == "subject,priority,product"
    assert graph.elements["score"].ext["formula"] == "priority_weight * 10"
    assert graph.elements["score"].action == "cases.score_ticket"
    assert graph.elements["update_case"].ext == {
        "action": "data.modify",
        "model": "cases.Case",
        "operation": "modify",
        "filter": "id == case_id",
    }
    start = graph.elements["ticket_added"]
    assert start.definition.kind == "record"
    assert start.definition.trigger == "added"
    assert {graph.elements[e].ext.get("page") for e in ("fill_in", "notify", "review", "done")} == {
        "edit",
        "email",
        "auto",
        "task",
    }


def test_flowdesk_file_round_trips_losslessly():
    data = (DATA / "flowdesk_extensions.bpmn").read_bytes()
    document = parse_bpmn(data)
    exported = export_bpmn(document)
    assert 'xmlns:flowdesk="https://flowdesk.dev/bpmn"' in exported
    assert parse_bpmn(exported).processes == document.processes


def test_export_writes_changed_flowdesk_attributes_back():
    document = parse_bpmn((DATA / "flowdesk_extensions.bpmn").read_bytes())
    graph = document.process("support_ticket")
    triage = graph.elements["triage"]
    changed = dataclasses.replace(triage, ext={**triage.ext, "owner": "user:bob", "hint": "New"})
    document.processes[0] = dataclasses.replace(
        graph, elements={**graph.elements, "triage": changed}
    )
    again = parse_bpmn(export_bpmn(document))
    assert again.process("support_ticket").elements["triage"].ext["owner"] == "user:bob"
    assert again.process("support_ticket").elements["triage"].ext["hint"] == "New"


def test_flowdesk_attributes_added_to_a_file_without_our_namespace_are_declared():
    corpus = require_bpmn_corpus("the namespace declaration check")
    document = parse_bpmn((corpus / "camunda_ExclusiveGw_Diverging.bpmn").read_bytes())
    graph = document.processes[0]
    task = graph.elements["theTask1"]
    document.processes[0] = dataclasses.replace(
        graph,
        elements={**graph.elements, "theTask1": dataclasses.replace(task, ext={"page": "edit"})},
    )
    exported = export_bpmn(document)
    assert 'xmlns:flowdesk="https://flowdesk.dev/bpmn"' in exported
    assert parse_bpmn(exported).processes[0].elements["theTask1"].ext == {"page": "edit"}


def test_an_unknown_page_kind_is_refused():
    error = refused(bpmn(START + '<bpmn:userTask id="t" flowdesk:page="popup"/>'))
    assert error.element_id == "t"
    assert "flowdesk:page" in str(error)


def test_a_record_trigger_without_a_model_is_refused():
    error = refused(bpmn('<bpmn:startEvent id="s" flowdesk:trigger="added"/>'))
    assert str(error) == "Element 's' (startEvent): a record trigger needs flowdesk:model"


# -- refusals ------------------------------------------------------------------------


def test_a_gateway_with_no_way_out_is_refused_by_name():
    xml = bpmn(
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="Gateway_1"/>'
        '<bpmn:exclusiveGateway id="Gateway_1"/>'
    )
    assert str(refused(xml)) == "Element 'Gateway_1' (exclusiveGateway): has no outgoing flow"


def test_malformed_xml_is_refused():
    error = refused('<bpmn:definitions xmlns:bpmn="x"><oops></bpmn:definitions>')
    assert "not well-formed XML" in str(error)


def test_a_file_that_is_not_bpmn_is_refused():
    assert "not BPMN 2.0" in str(refused("<html><body/></html>"))


def test_an_xml_bomb_is_refused():
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n<!ENTITY lol "lol">\n'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
            for i in range(1, 10)
        )
        + ']>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        "&lol9;</bpmn:definitions>"
    )
    assert "DTD or entities" in str(refused(bomb))


def test_an_external_entity_is_refused():
    xxe = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;'
        "</bpmn:definitions>"
    )
    assert "DTD or entities" in str(refused(xxe))


def test_an_unsupported_element_inside_a_process_is_refused():
    xml = bpmn(START + '<bpmn:complexGateway id="t"/>')
    error = refused(xml)
    assert error.element_id == "t"
    assert "not supported" in str(error)


def test_an_element_from_another_namespace_inside_a_process_is_refused():
    xml = bpmn(START + '<bpmn:userTask id="t"/><x:widget xmlns:x="urn:x" id="w"/>')
    error = refused(xml)
    assert error.element_id == "w"
    assert "unknown element" in str(error)


def test_an_unsupported_event_definition_is_refused():
    xml = bpmn(
        START + '<bpmn:intermediateThrowEvent id="t">'
        "<bpmn:conditionalEventDefinition><bpmn:condition>x</bpmn:condition>"
        "</bpmn:conditionalEventDefinition></bpmn:intermediateThrowEvent>"
    )
    assert str(refused(xml)) == (
        "Element 't' (intermediateThrowEvent): "
        "a conditional intermediateThrowEvent is not supported"
    )


def test_an_event_sub_process_with_a_plain_start_is_refused():
    xml = bpmn(
        START + '<bpmn:subProcess id="t" triggeredByEvent="true">'
        '<bpmn:startEvent id="t_start"/></bpmn:subProcess>'
    )
    assert "start event of an event sub-process needs a message, signal, timer" in str(refused(xml))


def test_a_flow_to_a_missing_target_is_refused():
    xml = bpmn(
        '<bpmn:startEvent id="s"/><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="gone"/>'
    )
    error = refused(xml)
    assert error.element_id == "f"
    assert "'gone' is not an element of this process" in str(error)


def test_a_condition_that_does_not_compile_is_refused():
    xml = bpmn(
        START + '<bpmn:exclusiveGateway id="t"/>'
        '<bpmn:sequenceFlow id="bad" sourceRef="t" targetRef="e">'
        "<bpmn:conditionExpression>x ==== 1</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:endEvent id="e"/>'
    )
    error = refused(xml)
    assert error.element_id == "bad"
    assert "does not compile" in str(error)


def test_a_script_that_does_not_compile_is_refused():
    xml = bpmn(
        START + '<bpmn:scriptTask id="t"><bpmn:script>x = = 1</bpmn:script></bpmn:scriptTask>'
    )
    assert str(refused(xml)).startswith("Element 't' (scriptTask): script does not compile")


def test_a_script_that_would_import_python_is_refused():
    xml = bpmn(
        START + '<bpmn:scriptTask id="t"><bpmn:script>import os</bpmn:script></bpmn:scriptTask>'
    )
    assert refused(xml).element_id == "t"


def test_a_timer_that_does_not_parse_is_refused():
    xml = bpmn(
        START + '<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition>'
        "<bpmn:timeDuration>PT5X</bpmn:timeDuration></bpmn:timerEventDefinition>"
        "</bpmn:intermediateCatchEvent>"
    )
    error = refused(xml)
    assert error.element_id == "t"
    assert "timeDuration" in str(error)


def test_a_timer_expression_that_does_not_compile_is_refused():
    xml = bpmn(
        START + '<bpmn:intermediateCatchEvent id="t"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration>"PT5M" +</bpmn:timeDuration></bpmn:timerEventDefinition>'
        "</bpmn:intermediateCatchEvent>"
    )
    assert refused(xml).element_id == "t"


def test_a_multi_instance_expression_that_does_not_compile_is_refused():
    xml = bpmn(
        START + '<bpmn:userTask id="t"><bpmn:multiInstanceLoopCharacteristics>'
        "<bpmn:loopCardinality>3 +* 2</bpmn:loopCardinality>"
        "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>"
    )
    assert refused(xml).element_id == "t"


def test_a_flowdesk_filter_that_does_not_compile_is_refused():
    xml = bpmn(
        '<bpmn:startEvent id="s" flowdesk:trigger="modified" flowdesk:model="crm.Lead" '
        'flowdesk:filter="status = "/>'
    )
    assert refused(xml).element_id == "s"


def test_a_call_to_an_unknown_process_is_refused():
    xml = bpmn(START + '<bpmn:callActivity id="t" calledElement="elsewhere"/>')
    assert str(refused(xml)) == (
        "Element 't' (callActivity): calls process 'elsewhere', "
        "which is neither in this file nor deployed"
    )


def test_a_call_to_a_deployed_process_imports():
    xml = bpmn(START + '<bpmn:callActivity id="t" calledElement="elsewhere"/>')
    document = parse_bpmn(xml, known_processes=["elsewhere"])
    assert document.processes[0].elements["t"].called_element == "elsewhere"


def test_a_boundary_event_on_something_that_is_not_an_activity_is_refused():
    xml = bpmn(
        START + '<bpmn:userTask id="t"/><bpmn:boundaryEvent id="b" attachedToRef="start">'
        "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )
    assert refused(xml).element_id == "b"


def test_a_sub_process_without_a_start_event_is_refused():
    xml = bpmn(START + '<bpmn:subProcess id="t"><bpmn:userTask id="inner"/></bpmn:subProcess>')
    assert str(refused(xml)) == "Element 't' (subProcess): has no start event"


def test_a_flow_crossing_a_sub_process_border_is_refused():
    xml = bpmn(
        START + '<bpmn:subProcess id="t"><bpmn:startEvent id="in"/>'
        '<bpmn:sequenceFlow id="cross" sourceRef="in" targetRef="out"/></bpmn:subProcess>'
        '<bpmn:userTask id="out"/>'
    )
    assert refused(xml).element_id == "cross"


def test_a_default_flow_that_does_not_leave_the_gateway_is_refused():
    xml = bpmn(
        START + '<bpmn:exclusiveGateway id="t" default="nope"/>'
        '<bpmn:sequenceFlow id="a" sourceRef="t" targetRef="e"/><bpmn:endEvent id="e"/>'
    )
    assert refused(xml).element_id == "t"


def test_non_executable_processes_are_left_out():
    xml = bpmn(START + '<bpmn:userTask id="t"/>').replace(
        "</bpmn:definitions>",
        '<bpmn:process id="doc_only" isExecutable="false"><bpmn:complexGateway id="x"/>'
        "</bpmn:process></bpmn:definitions>",
    )
    assert [p.id for p in parse_bpmn(xml).processes] == ["p"]
