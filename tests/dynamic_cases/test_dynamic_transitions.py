"""Moving a record along its case: next stages, the unsuccessful stage from anywhere,
required steps that block, optional steps skipped, steps that move the stage on."""

import pytest

from dynamic_cases import selectors, services
from dynamic_cases.models import RecordCaseStep
from processes.models import ProcessInstance, Step
from tests.dynamic_cases.dynamic_factories import (
    category,
    make_opportunity,
    medium_case,
    save_case,
    small_case,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunity(agent):
    save_case(small_case())
    return make_opportunity(by=agent)


def _step(record, key):
    record_case = selectors.record_case_of(record)
    return RecordCaseStep.objects.get(record_case=record_case, round=record_case.round, key=key)


def _perform(committed, record, key, user, answer=""):
    with committed():
        services.step_perform(step=_step(record, key), user=user, answer=answer)
    return _step(record, key)


def test_a_new_stage_starts_its_steps_as_waiting_user_steps_for_their_owners(opportunity, agent):
    # The activities these steps become are checked in test_dynamic_activities.py.
    waiting = Step.objects.filter(is_user_step=True, status="waiting").order_by("name")

    assert [(s.name, s.owner) for s in waiting] == [
        ("Is the budget confirmed?", agent),
        ("Qualify the needs", agent),
    ]
    instance = waiting[0].instance
    assert (instance.record_type.model, instance.record_id) == ("opportunity", str(opportunity.pk))


def test_required_steps_block_the_move_and_are_named(opportunity, agent):
    with pytest.raises(services.DynamicCaseError, match="Qualify the needs") as refused:
        services.record_case_move(record=opportunity, stage="Presentation", user=agent)

    assert "Is the budget confirmed?" not in str(refused.value)
    assert selectors.record_case_of(opportunity).stage == "Qualification"


def test_a_stage_that_is_not_next_is_refused_with_the_possible_ones(opportunity, agent, committed):
    _perform(committed, opportunity, "qualify", agent)

    with pytest.raises(
        services.DynamicCaseError, match="Possible next stages: Presentation, Closed lost"
    ):
        services.record_case_move(record=opportunity, stage="Closed won", user=agent)


def test_done_required_steps_let_the_record_move_and_cancel_what_is_left(
    opportunity, agent, committed
):
    _perform(committed, opportunity, "qualify", agent)

    with committed():
        services.record_case_move(record=opportunity, stage="Presentation", user=agent)

    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Presentation"
    budget = RecordCaseStep.objects.get(key="budget")
    assert budget.status == RecordCaseStep.Status.CANCELED
    assert budget.instance.status == ProcessInstance.Status.CANCELED
    assert [
        s.key
        for s in selectors.current_steps(selectors.record_case_of(opportunity))
        if s.status == "running"
    ] == ["prepare"]


def test_the_unsuccessful_stage_is_reachable_from_any_stage(opportunity, agent, committed):
    with committed():
        services.record_case_move(record=opportunity, stage="Closed lost", user=agent)

    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Closed lost"
    assert not Step.objects.filter(status="waiting").exists()


def test_an_optional_step_can_be_skipped_and_a_required_one_cannot(opportunity, agent):
    with pytest.raises(services.DynamicCaseError, match="required"):
        services.step_skip(step=_step(opportunity, "qualify"), user=agent)

    skipped = services.step_skip(step=_step(opportunity, "budget"), user=agent)

    assert skipped.status == RecordCaseStep.Status.SKIPPED
    assert skipped.instance.status == ProcessInstance.Status.CANCELED


def test_a_question_takes_one_of_its_answers(opportunity, agent, committed):
    with pytest.raises(services.DynamicCaseError, match="Yes, No"):
        services.step_perform(step=_step(opportunity, "budget"), user=agent, answer="Maybe")

    done = _perform(committed, opportunity, "budget", agent, answer="Yes")

    assert done.status == RecordCaseStep.Status.DONE
    assert done.instance.variables["answer"] == "Yes"


def test_only_the_owner_performs_a_step_and_the_refusal_says_whose(opportunity, other_agent):
    with pytest.raises(services.DynamicCaseError, match="Bob Agent's step"):
        services.step_perform(step=_step(opportunity, "qualify"), user=other_agent)


def test_a_step_after_another_starts_when_that_one_is_done(opportunity, agent, committed):
    _perform(committed, opportunity, "qualify", agent)
    with committed():
        services.record_case_move(record=opportunity, stage="Presentation", user=agent)
    assert _step(opportunity, "present").status == RecordCaseStep.Status.PENDING

    _perform(committed, opportunity, "prepare", agent)

    assert _step(opportunity, "present").status == RecordCaseStep.Status.RUNNING


def test_a_step_marked_move_when_done_moves_the_record_on(opportunity, agent, committed):
    _perform(committed, opportunity, "qualify", agent)
    with committed():
        services.record_case_move(record=opportunity, stage="Presentation", user=agent)
    _perform(committed, opportunity, "prepare", agent)
    present = _step(opportunity, "present")

    with committed():
        services.step_perform(step=present, user=agent)

    present.refresh_from_db()
    assert present.status == RecordCaseStep.Status.DONE
    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Closed won"
    assert selectors.record_case_of(opportunity).visited == [
        "Qualification",
        "Presentation",
        "Closed won",
    ]


def test_no_stage_moves_by_itself_without_the_flag(agent, committed):
    save_case(medium_case())
    opportunity = make_opportunity(category_name="Medium business", by=agent)

    _perform(committed, opportunity, "m0", agent)

    assert selectors.record_case_of(opportunity).stage == "Qualification"


def test_changing_case_cancels_the_old_steps_and_keeps_a_shared_stage(
    opportunity, agent, committed
):
    save_case(medium_case())
    old = _step(opportunity, "qualify")
    opportunity.category = category("Medium business")
    opportunity.save()

    with committed():
        record_case = services.record_case_change(record=opportunity, user=agent)

    old.refresh_from_db()
    assert old.status == RecordCaseStep.Status.CANCELED
    assert old.instance.status == ProcessInstance.Status.CANCELED
    assert (record_case.version.case.code, record_case.stage) == ("medium", "Qualification")
    assert [s.key for s in selectors.current_steps(record_case)] == ["m0"]


def test_changing_to_a_case_without_the_stage_starts_at_its_first(agent, committed):
    save_case(medium_case())
    save_case(small_case())
    opportunity = make_opportunity(category_name="Medium business", by=agent)
    _perform(committed, opportunity, "m0", agent)
    with committed():
        services.record_case_move(record=opportunity, stage="Needs analysis", user=agent)
    opportunity.category = category("Small business")
    opportunity.save()

    with committed():
        record_case = services.record_case_change(record=opportunity, user=agent)

    opportunity.refresh_from_db()
    assert record_case.stage == "Qualification"
    assert opportunity.stage.name == "Qualification"


def test_change_case_is_refused_when_the_same_case_still_fits(opportunity, agent):
    with pytest.raises(services.DynamicCaseError, match="No other case"):
        services.record_case_change(record=opportunity, user=agent)
