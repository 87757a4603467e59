"""Which case a record runs: chosen by a column's value, active cases only, newest version."""

import pytest

from dynamic_cases import selectors, services
from dynamic_cases.models import RecordCase
from processes.models import ProcessDefinition
from tests.dynamic_cases.dynamic_factories import (
    category,
    make_opportunity,
    medium_case,
    save_case,
    small_case,
    stage,
)

pytestmark = pytest.mark.django_db


def test_a_record_runs_the_case_its_category_chooses(agent):
    save_case(small_case())
    save_case(medium_case())

    small = make_opportunity("Tablets", category_name="Small business", by=agent)
    medium = make_opportunity("Fleet", category_name="Medium business", by=agent)

    assert selectors.record_case_of(small).version.case.code == "small"
    assert selectors.record_case_of(medium).version.case.code == "medium"


def test_a_record_no_case_fits_runs_none(agent):
    save_case(small_case())

    large = make_opportunity("Laptops", category_name="Large business", by=agent)

    assert selectors.case_for(large) is None
    assert selectors.record_case_of(large) is None


def test_inactive_cases_are_not_chosen(agent):
    version = save_case(small_case())
    services.dynamic_case_set_active(case=version.case, active=False)

    opportunity = make_opportunity(by=agent)

    assert selectors.record_case_of(opportunity) is None


def test_a_case_without_a_condition_catches_what_no_other_case_takes(agent):
    save_case(small_case())
    save_case(medium_case(code="fallback", name="Any sale", choice_field="", choice_value=""))

    small = make_opportunity("Tablets", category_name="Small business", by=agent)
    large = make_opportunity("Laptops", category_name="Large business", by=agent)

    assert selectors.case_for(small).code == "small"
    assert selectors.case_for(large).code == "fallback"


def test_the_choosing_value_matches_whatever_its_case(agent):
    save_case(small_case(choice_value="small BUSINESS"))

    opportunity = make_opportunity(by=agent)

    assert selectors.record_case_of(opportunity) is not None


def test_records_keep_their_version_and_new_records_take_the_newest(agent):
    first = save_case(small_case())
    early = make_opportunity("Early", by=agent)

    second = save_case(small_case(name="Small business sale (revised)"))
    late = make_opportunity("Late", by=agent)

    assert (first.number, second.number) == (1, 2)
    assert selectors.record_case_of(early).version == first
    assert selectors.record_case_of(late).version == second
    assert second.case.name == "Small business sale (revised)"


def test_each_version_imports_its_steps_as_system_processes():
    save_case(small_case())
    save_case(small_case())

    codes = set(ProcessDefinition.objects.filter(is_system=True).values_list("code", flat=True))
    assert {"dyn_small_v1_qualify", "dyn_small_v2_qualify", "dyn_small_v2_present"} <= codes


def test_a_record_starts_at_its_own_stage_when_the_case_has_it(agent):
    save_case(small_case())

    opportunity = make_opportunity(stage=stage("Presentation"), by=agent)

    assert selectors.record_case_of(opportunity).stage == "Presentation"


def test_a_record_with_no_stage_starts_at_the_first_and_gets_it(agent):
    save_case(small_case())

    opportunity = make_opportunity(by=agent)
    opportunity.refresh_from_db()

    assert opportunity.stage.name == "Qualification"


def test_starting_on_demand_is_idempotent(agent):
    opportunity = make_opportunity(by=agent)
    save_case(small_case())

    first = services.record_case_start(record=opportunity, user=agent)
    again = services.record_case_start(record=opportunity, user=agent)

    assert first.pk == again.pk
    assert RecordCase.objects.count() == 1


def test_a_category_change_offers_the_other_case(agent):
    save_case(small_case())
    save_case(medium_case())
    opportunity = make_opportunity(by=agent)

    opportunity.category = category("Medium business")
    opportunity.save()

    panel = selectors.panel(opportunity, agent)
    assert panel["change_to"].code == "medium"
