"""The Process log: filters, the instance page, cancel, Run item, editing variables."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from processes import clock
from processes.models import ProcessDefinition, ProcessInstance, Step
from processes.services import (
    ProcessError,
    instance_start,
    instance_update_variables,
    process_import,
)

DATA = Path(__file__).parent / "data"
DEMO = Path(__file__).resolve().parents[2] / "processes" / "demo_bpmn"
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def budget():
    definition = process_import(data=(DEMO / "budget_split.bpmn").read_bytes())[0].definition
    ProcessDefinition.objects.filter(pk=definition.pk).update(tracing=True)
    definition.refresh_from_db()
    return definition


@pytest.fixture
def review():
    return process_import(data=(DATA / "review.bpmn").read_bytes())[0].definition


def start(definition, user, **variables):
    return instance_start(definition=definition, variables=variables, user=user, run_now=True)


def refreshed(instance):
    return ProcessInstance.objects.get(pk=instance.pk)


def test_an_agent_is_refused_the_process_log(client, agent, admin_user, budget):
    instance = start(budget, admin_user, budget=10, people=2)
    client.force_login(agent)

    assert client.get(reverse("processes:log")).status_code == 403
    assert client.get(instance.get_absolute_url()).status_code == 403
    assert client.post(reverse("processes:log-cancel", args=[instance.pk])).status_code == 403


def test_the_log_filters_by_process_status_owner_and_date(
    admin_client, admin_user, agent, budget, review
):
    done = start(budget, admin_user, budget=10, people=2)
    failed = start(budget, agent, budget=10, people=0)
    waiting = start(review, agent, amount=1)
    with clock.frozen_at(timezone.now() - timedelta(days=10)):
        old = start(budget, admin_user, budget=1, people=1)
    url = reverse("processes:log")

    def shown(**params):
        body = admin_client.get(url, params).content.decode()
        return {i.pk for i in (done, failed, waiting, old) if f">#{i.pk}<" in body}

    assert shown() == {done.pk, failed.pk, waiting.pk, old.pk}
    assert shown(process=review.pk) == {waiting.pk}
    assert shown(status="error") == {failed.pk}
    assert shown(owner=agent.pk) == {failed.pk, waiting.pk}
    today = timezone.localdate()
    assert shown(started_from=(today - timedelta(days=1)).isoformat()) == {
        done.pk,
        failed.pk,
        waiting.pk,
    }
    assert shown(started_to=(today - timedelta(days=5)).isoformat()) == {old.pk}


def test_a_date_range_that_ends_before_it_starts_is_explained(admin_client):
    response = admin_client.get(
        reverse("processes:log"), {"started_from": "2025-05-02", "started_to": "2025-05-01"}
    )

    assert "The end date is before the start date." in response.content.decode()


def test_the_log_list_takes_the_same_number_of_queries_for_3_or_30_instances(
    admin_client, admin_user, agent, budget, django_assert_num_queries
):
    for n in range(3):
        start(budget, admin_user if n % 2 else agent, budget=n, people=1)
    url = reverse("processes:log")
    admin_client.get(url)
    with CaptureQueriesContext(connection) as three:
        admin_client.get(url)
    for n in range(27):
        start(budget, admin_user if n % 2 else agent, budget=n, people=1)

    with django_assert_num_queries(len(three)):
        response = admin_client.get(url)
    assert response.content.decode().count('class="cell-primary"') == 25


def test_the_instance_page_shows_its_steps_owner_and_highlights_the_failed_element(
    admin_client, admin_user, budget
):
    instance = start(budget, admin_user, budget=10, people=0)

    response = admin_client.get(instance.get_absolute_url())

    body = response.content.decode()
    assert refreshed(instance).status == "error"
    assert "Divide per person" in body and "division by zero" in body
    assert "Alice Admin" in body
    assert response.context["element_states"] == {"start": "completed", "divide": "error"}
    assert "Run item" in body and "Cancel execution" in body


def test_the_error_of_an_instance_in_error_comes_first_on_its_page(
    admin_client, admin_user, budget
):
    instance = start(budget, admin_user, budget=10, people=0)

    body = admin_client.get(instance.get_absolute_url()).content.decode()

    main = body[body.index('id="main"') :]
    error = main.index('id="instance-error"')
    assert error < main.index('id="diagram-title"') < main.index('id="steps-title"')
    assert "division by zero" in main[error : main.index('id="diagram-title"')]
    assert "Go to the failed step: Divide per person" in body


def test_a_running_instance_polls_its_live_fragment_and_a_finished_one_does_not(
    admin_client, admin_user, review, budget
):
    running = start(review, admin_user, amount=1)
    finished = start(budget, admin_user, budget=10, people=2)

    page = admin_client.get(running.get_absolute_url()).content.decode()
    fragment = admin_client.get(
        running.get_absolute_url(), {"fragment": "live"}, headers={"HX-Request": "true"}
    ).content.decode()
    done = admin_client.get(finished.get_absolute_url()).content.decode()

    assert 'hx-trigger="every 2s"' in page
    assert fragment.lstrip().startswith('<div id="instance-live"')
    assert '"approve": "active"' in fragment
    assert 'hx-trigger="every 2s"' not in done


def test_a_child_instance_links_to_its_parent_and_the_parent_lists_it(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    process_import(data=(DATA / "call_parent.bpmn").read_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        parent = instance_start(code="call_parent", variables={"amount": 5}, user=admin_user)
    child = ProcessInstance.objects.get(parent=parent)

    parent_page = admin_client.get(parent.get_absolute_url()).content.decode()
    child_page = admin_client.get(child.get_absolute_url()).content.decode()

    assert refreshed(parent).status == "completed"
    assert child.get_absolute_url() in parent_page
    assert parent.get_absolute_url() in child_page


def test_cancel_execution_cancels_a_running_instance(admin_client, admin_user, review):
    instance = start(review, admin_user, amount=1)

    response = admin_client.post(reverse("processes:log-cancel", args=[instance.pk]), follow=True)

    assert refreshed(instance).status == "canceled"
    assert "The instance was canceled." in response.content.decode()
    assert not Step.objects.filter(instance=instance, status="waiting").exists()


def test_canceling_a_finished_instance_is_refused_and_changes_nothing(
    admin_client, admin_user, budget
):
    instance = start(budget, admin_user, budget=10, people=2)

    response = admin_client.post(reverse("processes:log-cancel", args=[instance.pk]), follow=True)

    assert refreshed(instance).status == "completed"
    assert "Only a running instance can be canceled." in response.content.decode()


def test_run_item_on_a_step_that_is_not_in_error_is_refused(admin_client, admin_user, review):
    instance = start(review, admin_user, amount=1)
    step = Step.objects.get(instance=instance, element_id="approve")

    response = admin_client.post(
        reverse("processes:log-retry", args=[instance.pk, step.number]), follow=True
    )

    assert "Only a step in error can be run again." in response.content.decode()
    step.refresh_from_db()
    assert step.status == "waiting"


def test_run_item_before_fixing_the_cause_fails_again_and_says_why(
    admin_client, admin_user, budget
):
    instance = start(budget, admin_user, budget=10, people=0)
    step = Step.objects.get(instance=instance, element_id="divide")

    response = admin_client.post(
        reverse("processes:log-retry", args=[instance.pk, step.number]), follow=True
    )

    assert refreshed(instance).status == "error"
    assert "ran again and failed" in response.content.decode()


def test_fixing_the_variables_then_run_item_completes_the_instance(
    admin_client, admin_user, budget, django_capture_on_commit_callbacks
):
    instance = start(budget, admin_user, budget=1200, people=0)
    step = Step.objects.get(instance=instance, element_id="divide")

    saved = admin_client.post(
        reverse("processes:log-variables", args=[instance.pk]),
        {"variables": '{"budget": 1200, "people": 4}'},
    )
    with django_capture_on_commit_callbacks(execute=True):
        retried = admin_client.post(
            reverse("processes:log-retry", args=[instance.pk, step.number]), follow=True
        )

    assert saved.status_code == 302
    instance = refreshed(instance)
    assert instance.status == "completed"
    assert instance.variables["share"] == 300
    assert "The item ran again." in retried.content.decode()


def test_invalid_variables_are_explained_and_what_was_typed_is_kept(
    admin_client, admin_user, budget
):
    instance = start(budget, admin_user, budget=1200, people=0)

    response = admin_client.post(
        reverse("processes:log-variables", args=[instance.pk]), {"variables": '{"people": 4,}'}
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert "This is not valid JSON" in body
    assert "{&quot;people&quot;: 4,}" in body
    assert refreshed(instance).variables == {"budget": 1200, "people": 0}


def test_variables_of_a_finished_instance_cannot_be_changed(admin_user, budget):
    instance = start(budget, admin_user, budget=10, people=2)

    with pytest.raises(ProcessError, match="only a running or failed instance"):
        instance_update_variables(instance_id=instance.pk, variables={"x": 1}, user=admin_user)
    assert "x" not in refreshed(instance).variables


def test_trace_data_shows_the_variables_each_step_saw_when_tracing_is_on(
    admin_client, admin_user, budget
):
    instance = start(budget, admin_user, budget=900, people=3)

    body = admin_client.get(instance.get_absolute_url()).content.decode()

    assert "Trace data" in body
    assert "&quot;people&quot;: 3" in body
