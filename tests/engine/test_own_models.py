"""The engine runs the project's own BPMN models (tests/engine/models/): every
element kind it supports, with the path taken and the variables checked, in
memory and without ../shared (scenarios: tests/engine/own_models.py)."""

import pytest

from processes.engine import EngineError, start_events
from processes.engine.bpmn import export_bpmn, list_process_ids, parse_bpmn
from processes.engine.graph import FLOW_NODE_KINDS

from .conformance import World, run_scenario
from .own_models import MODELS, OWN_SCENARIOS

MODEL_FILES = sorted(p.name for p in MODELS.glob("*.bpmn"))


@pytest.mark.parametrize("scenario", list(OWN_SCENARIOS.values()), ids=list(OWN_SCENARIOS))
def test_own_model_takes_the_expected_path(scenario):
    run_scenario(scenario)


def test_every_model_file_has_a_scenario_or_a_test_here():
    used = {s.file for s in OWN_SCENARIOS.values()} | {"start_record.bpmn"}
    assert sorted(used) == MODEL_FILES


def _all_process_ids() -> set[str]:
    return {pid for name in MODEL_FILES for pid in list_process_ids((MODELS / name).read_bytes())}


@pytest.mark.parametrize("name", MODEL_FILES)
def test_own_model_imports_and_round_trips_losslessly(name):
    data = (MODELS / name).read_bytes()
    document = parse_bpmn(data, known_processes=_all_process_ids())
    again = parse_bpmn(export_bpmn(document), known_processes=_all_process_ids())
    assert again.processes == document.processes


def _used(graph, seen: set[tuple[str, str]]) -> None:
    for element in graph.elements.values():
        definition = getattr(element, "definition", None)
        seen.add((element.kind, definition.kind if definition is not None else ""))
        if element.loop is not None:
            seen.add(("multiInstance", "sequential" if element.loop.is_sequential else "parallel"))
        if element.kind == "boundaryEvent":
            kind = "interrupting" if element.cancel_activity else "non-interrupting"
            seen.add((f"boundaryEvent {kind}", definition.kind))
        if element.kind == "userTask":
            seen.add(("page", element.ext.get("page", "task")))
        if getattr(element, "default", None):
            seen.add((element.kind, "default"))


def test_the_models_cover_every_element_kind_the_engine_runs():
    seen: set[tuple[str, str]] = set()
    for name in MODEL_FILES:
        document = parse_bpmn((MODELS / name).read_bytes(), known_processes=_all_process_ids())
        for graph in document.processes:
            _used(graph, seen)
    kinds = {kind for kind, _ in seen}
    assert FLOW_NODE_KINDS - kinds == set()
    expected = {
        *(("startEvent", k) for k in ("none", "timer", "message", "signal", "record")),
        *(("endEvent", k) for k in ("none", "terminate", "error", "message", "signal")),
        *(("intermediateCatchEvent", k) for k in ("timer", "message", "signal")),
        *(("intermediateThrowEvent", k) for k in ("none", "message", "signal")),
        *(("boundaryEvent interrupting", k) for k in ("timer", "error", "message")),
        *(("boundaryEvent non-interrupting", k) for k in ("timer", "signal")),
        ("exclusiveGateway", "default"),
        ("inclusiveGateway", "default"),
        ("multiInstance", "sequential"),
        ("multiInstance", "parallel"),
        *(("page", k) for k in ("task", "question", "edit", "auto", "email")),
    }
    assert expected - seen == set()


# -- what a scenario table cannot say ------------------------------------------------


def test_a_result_the_step_does_not_offer_is_refused_and_the_step_stays_open():
    world = World(["user_steps.bpmn"], directory=MODELS)
    world.start("own_user_steps")
    with pytest.raises(EngineError, match="'Maybe' is not a result of Call the customer"):
        world.complete("Call the customer", result="Maybe")
    assert world.task_names() == ["Call the customer"]
    world.complete("Call the customer", result="Not reached")
    assert world.main.log[-1].element_id == "call"
    assert world.main.log[-1].result == "Not reached"


def test_user_steps_keep_their_page_attributes_for_the_page_to_read():
    world = World(["user_steps.bpmn"], directory=MODELS)
    world.start("own_user_steps")
    world.complete("Call the customer", result="Reached")
    [(_, _, question)] = world.user_steps()
    assert question.ext == {"page": "question", "answers": "Yes,No", "variable": "interest"}
    world.complete("Is the customer interested?", {"interest": "Yes"})
    [(_, _, edit)] = world.user_steps()
    assert edit.ext["model"] == "crm.Contact"
    assert edit.ext["fields"] == "full_name*,email*,phone"
    world.complete("Complete the contact")
    world.complete("Agree the terms")
    [(_, _, email)] = world.user_steps()
    assert (email.ext["to"], email.ext["subject"]) == ("=record.email", "Your proposal")


def test_a_record_trigger_is_a_start_event_persistence_can_register():
    world = World(["start_record.bpmn"], directory=MODELS)
    triggers = {t.element_id: t for t in start_events(world.graphs["own_welcome"])}
    assert triggers["on_page"].kind == "none"
    added = triggers["on_added"]
    assert (added.kind, added.trigger, added.model, added.filter) == (
        "record",
        "added",
        "crm.Contact",
        "email != ''",
    )
    inst = world._start("own_welcome", {"record_id": 3}, start_event_id="on_added")
    assert world.path(inst) == ["on_added"]
    assert world.task_names() == ["Welcome the contact"]


def test_starting_a_process_by_hand_uses_only_its_plain_start_event():
    world = World(["start_record.bpmn"], directory=MODELS)
    world.start("own_welcome")
    assert world.task_names() == ["Welcome the contact"]
    assert world.path() == ["on_page"]


def test_after_a_long_gap_timers_fire_in_the_order_they_fell_due():
    world = World(["boundary_events.bpmn"], directory=MODELS)
    world.start("own_boundary_timers", {"reminders": 0})
    world.advance(86400)  # the reminders at 1 h and 2 h fell due before the deadline
    assert world.main.variables == {"reminders": 2}
    assert world.task_names() == ["Decide in place of the approver"]
