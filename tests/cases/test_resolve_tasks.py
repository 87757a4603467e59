"""Resolving a case with open tasks asks whether to complete, cancel or leave them."""

import pytest

from activities.models import Activity
from activities.services import activity_create
from cases.models import Case
from tests.cases.factories import make_case, status

pytestmark = pytest.mark.django_db


@pytest.fixture
def case_with_tasks(agent, other_agent):
    case = make_case(by=agent)
    activity_create(title="Call the customer back", owner=agent, record=case)
    activity_create(title="Order a spare part", owner=other_agent, record=case)
    return case


def _resolve(client, case, **extra):
    return client.post(
        f"/cases/{case.pk}/status/",
        {"status": status("resolved").pk, **extra},
        headers={"HX-Request": "true"},
    )


def test_the_workflow_bar_asks_before_resolving_a_case_with_open_tasks(
    client, agent, case_with_tasks
):
    client.force_login(agent)
    html = _resolve(client, case_with_tasks).content.decode()
    assert 'id="resolve-tasks"' in html and "The case has 2 open tasks" in html
    assert "Call the customer back" in html and "Order a spare part" in html
    assert Case.objects.get(pk=case_with_tasks.pk).status.code == "new"


@pytest.mark.parametrize(
    "choice, expected", [("complete", {"completed"}), ("cancel", {"canceled"}), ("leave", {"open"})]
)
def test_the_choice_is_applied_to_every_open_task(client, agent, case_with_tasks, choice, expected):
    client.force_login(agent)
    response = _resolve(client, case_with_tasks, tasks=choice)
    assert response.status_code == 200
    assert Case.objects.get(pk=case_with_tasks.pk).status.code == "resolved"
    assert set(Activity.objects.values_list("status", flat=True)) == expected


def test_a_case_without_open_tasks_resolves_at_once(client, agent):
    case = make_case(by=agent)
    client.force_login(agent)
    assert 'id="resolve-tasks"' not in _resolve(client, case).content.decode()
    assert Case.objects.get(pk=case.pk).status.code == "resolved"
