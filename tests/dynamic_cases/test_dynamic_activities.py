"""A stage's task steps reach their owners' activities and calendar."""

import pytest
from django.urls import reverse

from activities.models import Activity
from tests.dynamic_cases.dynamic_factories import make_opportunity, save_case, small_case

pytestmark = pytest.mark.django_db


def test_a_new_stage_puts_its_task_in_the_owners_calendar(
    client, agent, django_capture_on_commit_callbacks
):
    save_case(small_case())
    with django_capture_on_commit_callbacks(execute=True):
        opportunity = make_opportunity(by=agent, owner=agent)

    activity = Activity.objects.get(title="Qualify the needs")
    assert activity.owner == agent
    assert activity.record_id == str(opportunity.pk)

    client.force_login(agent)
    calendar = client.get(reverse("activities:calendar"), {"view": "week"})
    assert "Qualify the needs" in calendar.content.decode()
