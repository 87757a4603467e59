import asyncio
import json

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.urls import reverse

from notifications import push, selectors
from notifications.models import Notification
from notifications.push import user_group
from notifications.services import (
    notification_create,
    notification_mark_read,
    notifications_mark_all_read,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_pages(agent):
    """agent_pages() -> the HTML pushed to the agent's open pages so far, read from their
    group on the real channel layer, as a page's socket would."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(user_group(agent.pk), channel)

    async def drain(timeout):
        received = []
        while True:
            try:
                message = await asyncio.wait_for(layer.receive(channel), timeout)
            except TimeoutError:
                return received
            assert message["type"] == "push.html"
            received.append(json.loads(json.dumps(message))["html"])  # the event is JSON-safe

    yield lambda timeout=0.5: async_to_sync(drain)(timeout)
    async_to_sync(layer.group_discard)(user_group(agent.pk), channel)


def test_creating_a_notification_records_it_unread_for_its_recipient(agent):
    notification = notification_create(
        recipient=agent, title="Case 42 assigned to you", body="Printer on fire", url="/cases/42/"
    )
    assert notification.recipient == agent and notification.is_unread
    assert notification.kind == "info"
    assert selectors.unread_count(agent) == 1
    assert selectors.recent_notifications(agent) == [notification]


def test_a_notification_link_must_be_a_site_path_or_a_web_address(agent):
    with pytest.raises(ValueError, match="site path"):
        notification_create(recipient=agent, title="x", url="javascript:alert(1)")
    with pytest.raises(ValueError):
        notification_create(recipient=agent, title="x", url="//evil.example/")
    assert notification_create(recipient=agent, title="ok", url="https://example.com/a").url


def test_marking_one_read_lowers_the_unread_count(agent):
    first = notification_create(recipient=agent, title="One")
    notification_create(recipient=agent, title="Two")
    notification_mark_read(user=agent, notification_id=first.pk)
    notification_mark_read(user=agent, notification_id=first.pk)  # harmless twice
    assert selectors.unread_count(agent) == 1
    first.refresh_from_db()
    assert first.read_at is not None


def test_nobody_can_mark_another_users_notification_read(agent, other_agent):
    notification = notification_create(recipient=agent, title="Mine")
    with pytest.raises(Notification.DoesNotExist):
        notification_mark_read(user=other_agent, notification_id=notification.pk)
    assert selectors.unread_count(agent) == 1


def test_marking_all_read_clears_only_that_users_counter(agent, other_agent):
    for i in range(3):
        notification_create(recipient=agent, title=f"Agent {i}")
    notification_create(recipient=other_agent, title="Other")
    assert notifications_mark_all_read(user=agent) == 3
    assert selectors.unread_count(agent) == 0
    assert selectors.unread_count(other_agent) == 1


def test_the_push_after_commit_carries_the_counter_entry_and_a_toast(
    agent, agent_pages, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_create(recipient=agent, title="Case 42 <assigned>")
    sent = agent_pages()
    assert len(sent) == 1
    html = sent[0]
    assert 'id="notifications-count"' in html and 'hx-swap-oob="true"' in html
    assert ">1</span>" in html
    assert f'id="notification-{notification.pk}"' in html
    assert "Case 42 &lt;assigned&gt;" in html
    assert 'hx-swap-oob="beforeend:#toasts"' in html


def test_nothing_is_pushed_when_the_transaction_rolls_back(
    agent, agent_pages, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notification_create(recipient=agent, title="Never")
        raise RuntimeError
    assert callbacks == [] and agent_pages() == []
    assert not Notification.objects.exists()


def test_the_poll_and_the_push_render_the_same_panel_markup(
    client, agent, agent_pages, django_capture_on_commit_callbacks
):
    notification = notification_create(recipient=agent, title="Same everywhere")
    with django_capture_on_commit_callbacks(execute=True):
        notification_mark_read(user=agent, notification_id=notification.pk)
    sent = agent_pages()
    client.force_login(agent)
    polled = client.get(reverse("notifications:panel")).content.decode()
    assert polled.strip() == sent[-1].strip()


def test_one_push_to_many_users_reaches_each_of_their_pages_once(
    django_capture_on_commit_callbacks,
):
    layer = get_channel_layer()
    user_ids = list(range(900_001, 900_151))
    channels = {}
    for user_id in user_ids:
        channels[user_id] = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(user_group(user_id), channels[user_id])

    with django_capture_on_commit_callbacks(execute=True):
        push.push_to_users(user_ids, "<div id='panel-count'>3</div>")
        push.push_to_users(user_ids, "<div id='panel-count'>4</div>")

    async def received():
        # One loop and no cancelled receive (channels-redis may drop what a cancelled
        # receive had popped): each page takes its next two messages.
        return {
            user_id: [(await layer.receive(channel))["html"] for _ in range(2)]
            for user_id, channel in channels.items()
        }

    got = async_to_sync(asyncio.wait_for)(received(), 30)
    expected = ["<div id='panel-count'>3</div>", "<div id='panel-count'>4</div>"]
    # Each page got the first push once, then the second: none lost, none twice.
    assert got == {user_id: expected for user_id in user_ids}
