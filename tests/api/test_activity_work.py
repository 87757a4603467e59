"""An activity worked through the API as on its page: complete it, or perform it later."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity
from processes.models import ProcessInstance, Step
from tests.activities.factories import one_step_process, start, waiting_step

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"
TASK = 'flowdesk:page="task" flowdesk:results="Reached;No answer"'


def step_activity(user, code="call"):
    instance = start(one_step_process(code, TASK, name="Follow up"), user=user)
    step = waiting_step(instance)
    return instance, step, Activity.objects.get(step=step)


def test_completing_a_steps_activity_with_one_of_its_results_moves_the_process_on(
    agent, outsider, token_client
):
    instance, step, activity = step_activity(agent)
    api = token_client(agent)
    url = f"/api/activities/{activity.pk}/complete"
    wrong = api.post(url, {"result": "Maybe"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "result"
    assert "Reached, No answer" in wrong.json()["detail"]
    stranger = token_client(outsider).post(url, {"result": "Reached"})
    assert stranger.status_code == 403 and stranger["Content-Type"] == PROBLEM

    done = api.post(url, {"result": "Reached"})
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "completed" and done.json()["result"] == "Reached"
    assert Step.objects.get(pk=step.pk).status == "completed"
    assert ProcessInstance.objects.get(pk=instance.pk).status == "completed"
    again = api.post(url, {"result": "Reached"})
    assert again.status_code == 409 and again["Content-Type"] == PROBLEM


def test_performing_an_activity_later_postpones_its_step_and_refuses_a_due_before_start(
    agent, token_client
):
    _instance, step, activity = step_activity(agent, code="later")
    api = token_client(agent)
    url = f"/api/activities/{activity.pk}/schedule"
    later = timezone.now() + timedelta(days=2)
    backwards = api.post(
        url, {"start_at": later.isoformat(), "due_at": (later - timedelta(hours=1)).isoformat()}
    )
    assert backwards.status_code == 400 and backwards.json()["field"] == "due_at"
    moved = api.post(
        url, {"start_at": later.isoformat(), "due_at": (later + timedelta(hours=1)).isoformat()}
    )
    assert moved.status_code == 200, moved.content
    assert Activity.objects.get(pk=activity.pk).start_at == later
    assert Step.objects.get(pk=step.pk).postponed_until == later
