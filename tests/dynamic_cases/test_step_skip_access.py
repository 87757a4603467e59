"""Skipping an optional step is for its owner (or a member of its role), a supervisor
or staff; anyone else is refused with a sentence that says whose step it is."""

import html

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from crm.models import SystemSetting
from dynamic_cases import selectors, services
from dynamic_cases.models import RecordCaseStep
from processes.models import ProcessInstance
from tests.dynamic_cases.dynamic_factories import make_opportunity, save_case, small_case, step

pytestmark = pytest.mark.django_db


@pytest.fixture
def opportunity(agent):
    """Bob's opportunity: its optional "Is the budget confirmed?" step waits for Bob."""
    save_case(small_case())
    return make_opportunity(by=agent)


def _step(record, key):
    record_case = selectors.record_case_of(record)
    return RecordCaseStep.objects.get(record_case=record_case, round=record_case.round, key=key)


def _still_open(record, key):
    row = _step(record, key)
    return row.status == RecordCaseStep.Status.RUNNING and (
        row.instance.status == ProcessInstance.Status.RUNNING
    )


def test_another_agent_cannot_skip_the_owners_optional_step(opportunity, other_agent):
    with pytest.raises(
        services.DynamicCaseError,
        match="“Is the budget confirmed\\?” is Bob Agent's step: only they or a supervisor",
    ):
        services.step_skip(step=_step(opportunity, "budget"), user=other_agent)

    assert _still_open(opportunity, "budget")


def test_the_skip_url_refuses_another_agent_and_says_whose_step_it_is(
    client, opportunity, other_agent
):
    client.force_login(other_agent)
    url = reverse("dynamic_cases:step-skip", args=[_step(opportunity, "budget").pk])

    response = client.post(url, headers={"HX-Request": "true"})

    assert response["HX-Retarget"] == "#dynamic-case-bar"
    assert "is Bob Agent's step: only they or a supervisor can skip it." in html.unescape(
        response.content.decode()
    )
    assert _still_open(opportunity, "budget")


def test_the_page_offers_skip_to_the_owner_only(client, opportunity, agent, other_agent):
    client.force_login(other_agent)
    others_page = client.get(opportunity.get_absolute_url()).content.decode()
    client.force_login(agent)
    owners_page = client.get(opportunity.get_absolute_url()).content.decode()

    skip_url = reverse("dynamic_cases:step-skip", args=[_step(opportunity, "budget").pk])
    assert skip_url in owners_page
    assert skip_url not in others_page


def test_a_supervisor_may_skip_anyones_optional_step(opportunity, other_agent):
    other_agent.groups.add(Group.objects.get_or_create(name="Supervisors")[0])

    skipped = services.step_skip(step=_step(opportunity, "budget"), user=other_agent)

    assert skipped.status == RecordCaseStep.Status.SKIPPED
    assert skipped.instance.status == ProcessInstance.Status.CANCELED


def test_staff_may_skip_anyones_optional_step(opportunity, admin_user):
    skipped = services.step_skip(step=_step(opportunity, "budget"), user=admin_user)

    assert skipped.status == RecordCaseStep.Status.SKIPPED


def test_the_supervisor_role_is_the_one_the_system_setting_names(opportunity, other_agent):
    SystemSetting.objects.update_or_create(
        code=selectors.SUPERVISOR_ROLE_SETTING, defaults={"name": "Supervisors", "value": "Leads"}
    )
    other_agent.groups.add(Group.objects.get_or_create(name="Supervisors")[0])
    with pytest.raises(services.DynamicCaseError, match="Bob Agent's step"):
        services.step_skip(step=_step(opportunity, "budget"), user=other_agent)

    other_agent.groups.add(Group.objects.get_or_create(name="Leads")[0])
    skipped = services.step_skip(step=_step(opportunity, "budget"), user=other_agent)

    assert skipped.status == RecordCaseStep.Status.SKIPPED


def test_any_member_of_the_steps_role_may_skip_it(agent, other_agent, second_line_agent):
    data = small_case()
    data["stages"][0]["steps"][1].update(owner="", role="1st line support")
    save_case(data)
    opportunity = make_opportunity(by=agent)

    with pytest.raises(services.DynamicCaseError, match="is 1st line support's step"):
        services.step_skip(step=_step(opportunity, "budget"), user=second_line_agent)
    skipped = services.step_skip(step=_step(opportunity, "budget"), user=other_agent)

    assert skipped.status == RecordCaseStep.Status.SKIPPED


def test_a_step_waiting_for_another_is_skipped_only_by_the_owner_its_definition_names(
    agent, other_agent
):
    data = small_case()
    data["stages"][0]["steps"].append(
        step("followup", "Send the follow-up", required=False, start="qualify")
    )
    save_case(data)
    opportunity = make_opportunity(by=agent)
    assert _step(opportunity, "followup").status == RecordCaseStep.Status.PENDING

    with pytest.raises(services.DynamicCaseError, match="is Bob Agent's step"):
        services.step_skip(step=_step(opportunity, "followup"), user=other_agent)
    skipped = services.step_skip(step=_step(opportunity, "followup"), user=agent)

    assert skipped.status == RecordCaseStep.Status.SKIPPED
