"""The Business process tasks tab: who sees which step, and every page brought up to date."""

import json
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.test import Client
from django.utils import timezone

from notifications import panel, process_receivers
from notifications.panel import PanelState
from notifications.push import user_group
from processes import services
from processes.models import Step
from tests.activities.factories import one_step_process, start, waiting_step
from tests.crm.factories import make_contact

pytestmark = pytest.mark.django_db(transaction=True)

QUESTION = 'flowdesk:page="question" flowdesk:answers="Yes;No"'


@pytest.fixture
def pushes(monkeypatch):
    """(user_id, html) of every push the receivers make, in order."""
    sent = []

    def record(uid, html):
        sent.append((uid, html))

    # The step page is pushed by the receivers, the panels by the panel module.
    monkeypatch.setattr(process_receivers, "push_html", record)
    monkeypatch.setattr(panel, "push_html", record)
    return sent


def to(pushes, user):
    return [html for uid, html in pushes if uid == user.pk]


def test_a_foreground_step_opens_its_page_for_its_owner_and_updates_their_panel(agent, pushes):
    contact = make_contact("Maria Anders")
    instance = start(one_step_process("fg", QUESTION, name="Approve"), user=agent, record=contact)
    step = waiting_step(instance)
    html = "".join(to(pushes, agent))
    assert 'hx-swap-oob="beforeend:#modal-root"' in html
    assert f'data-step-url="/processes/steps/{step.instance_id}/{step.number}/"' in html
    assert 'id="process-task-list"' in html and 'id="process-tasks-count"' in html
    assert "Maria Anders" in html and 'data-count="1"' in html


def test_a_background_step_only_reaches_the_panel_of_its_owner(agent, other_agent, pushes):
    start(one_step_process("bg", QUESTION + ' flowdesk:background="true"'), user=agent)
    html = "".join(to(pushes, agent))
    assert "#modal-root" not in html and 'data-count="1"' in html
    assert to(pushes, other_agent) == []
    assert [s.element_id for s in PanelState(other_agent).process_tasks] == []


def test_a_role_step_reaches_every_member_and_no_one_else(agent, other_agent, outsider, pushes):
    start(
        one_step_process("role", QUESTION + ' flowdesk:owner="role:1st line support"'),
        user=outsider,
    )
    assert "#modal-root" in "".join(to(pushes, agent)) and to(pushes, other_agent)
    assert to(pushes, outsider) == []
    assert PanelState(other_agent).process_tasks_count == 1


def test_completing_a_step_clears_it_from_the_panel_and_the_counter_disappears(agent, pushes):
    step = waiting_step(start(one_step_process("done", QUESTION), user=agent))
    pushes.clear()
    services.step_submit_page(
        instance_id=step.instance_id,
        step_number=step.number,
        user=agent,
        variables={"answer": "Yes"},
    )
    html = "".join(to(pushes, agent))
    assert 'data-count="0"' in html and " hidden" in html.split('id="process-tasks-count"')[1]
    assert "No process tasks" in html


def test_a_step_handing_over_to_the_next_refreshes_the_owners_panel_once(
    agent, other_agent, pushes
):
    # Completing "ask" closes it and opens "next" for the same owner in one commit:
    # one panel refresh shows both changes (it used to be two, one per step).
    background = QUESTION + ' flowdesk:background="true"'
    definition = one_step_process("handover", background, tail_task=background)
    step = waiting_step(start(definition, user=agent))
    pushes.clear()

    services.step_submit_page(
        instance_id=step.instance_id,
        step_number=step.number,
        user=agent,
        variables={"answer": "Yes"},
    )

    panels = [html for html in to(pushes, agent) if 'id="process-task-list"' in html]
    assert len(panels) == 1
    assert "Next page" in panels[0] and 'data-count="1"' in panels[0]
    assert to(pushes, other_agent) == []


def test_a_rolled_back_change_refreshes_no_panel_and_the_next_commit_does(agent, pushes):
    step = waiting_step(start(one_step_process("rolled", QUESTION), user=agent))
    pushes.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        process_receivers.queue_panels([agent.pk])
        raise RuntimeError("the change fails")
    assert pushes == []

    with transaction.atomic():
        process_receivers.queue_panels([agent.pk])
    panels = [html for html in to(pushes, agent) if 'id="process-task-list"' in html]
    assert len(panels) == 1 and "Ask" in panels[0]
    assert step.pk


def test_canceling_the_instance_updates_the_panel(agent, pushes):
    instance = start(one_step_process("cancel", QUESTION), user=agent)
    pushes.clear()
    services.instance_cancel(instance_id=instance.pk)
    assert 'data-count="0"' in to(pushes, agent)[0]


def test_postponing_shows_the_new_time_and_stops_counting_until_it_comes(agent, pushes):
    step = waiting_step(start(one_step_process("later", QUESTION), user=agent))
    pushes.clear()
    until = timezone.now() + timedelta(days=2)
    services.step_postpone(
        instance_id=step.instance_id, step_number=step.number, user=agent, until=until
    )
    html = "".join(to(pushes, agent))
    assert "Postponed to" in html and 'data-count="0"' in html
    assert PanelState(agent).process_tasks_count == 0
    assert len(PanelState(agent).process_tasks) == 1

    Step.objects.filter(pk=step.pk).update(postponed_until=timezone.now() - timedelta(seconds=1))
    pushes.clear()
    assert services.steps_release_postponed() == 1
    assert services.steps_release_postponed() == 0  # announced once
    html = "".join(to(pushes, agent))
    assert 'data-count="1"' in html and "Postponed to" not in html


def test_reassigning_updates_the_old_and_the_new_owner(agent, second_line_agent, pushes):
    step = waiting_step(start(one_step_process("re", QUESTION), user=agent))
    pushes.clear()
    services.step_reassign(
        instance_id=step.instance_id, step_number=step.number, user=agent, owner=second_line_agent
    )
    assert 'data-count="0"' in to(pushes, agent)[0]
    assert 'data-count="1"' in to(pushes, second_line_agent)[0]
    assert PanelState(second_line_agent).process_tasks[0].pk == step.pk


def test_the_push_goes_through_the_channel_layer_to_the_owners_group(agent):
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(agent.pk), channel)
    try:
        start(one_step_process("layer", QUESTION), user=agent)
        message = async_to_sync(layer.receive)(channel)
    finally:
        async_to_sync(layer.group_discard)(user_group(agent.pk), channel)
    assert message["type"] == "push.html"
    assert json.loads(json.dumps(message))["html"].count('<dialog class="step-dialog"') == 1


def test_the_poll_answers_the_process_tasks_too(agent):
    start(one_step_process("poll", QUESTION + ' flowdesk:background="true"'), user=agent)
    client = Client()
    client.force_login(agent)
    html = client.get("/notifications/panel/").content.decode()
    assert 'id="process-task-list" class="comm-list task-list" hx-swap-oob="true"' in html
    assert "Ask" in html and 'data-count="1"' in html


def test_the_panel_reads_its_steps_in_flat_queries(agent, django_assert_max_num_queries):
    for index in range(6):
        start(
            one_step_process(f"flat{index}", QUESTION),
            user=agent,
            record=make_contact(f"Contact {index}"),
        )
    with django_assert_max_num_queries(4):
        state = PanelState(agent)
        assert len(state.process_tasks) == 6
        assert all(step.record is not None for step in state.process_tasks)
        assert state.process_tasks_count == 6
