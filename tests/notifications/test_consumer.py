"""The live socket through the real ASGI application: origin check, session auth, groups."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from bpm_project.asgi import application
from notifications.models import Notification
from notifications.push import push_html, push_to_users
from notifications.services import notification_create

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _session_headers(client, user):
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return [ORIGIN, (b"cookie", cookie.encode())]


def test_an_anonymous_socket_is_closed_as_signed_out():
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/live/", headers=[ORIGIN])
        connected, _ = await communicator.connect(timeout=10)
        closed = await communicator.receive_output(timeout=10)
        await communicator.disconnect(timeout=10)
        return connected, closed

    connected, closed = async_to_sync(scenario)()
    # Accepted first, so the browser learns why (4401) instead of a bare 1006.
    assert connected
    assert closed["type"] == "websocket.close" and closed["code"] == 4401


def test_a_socket_from_a_foreign_origin_is_refused(client, agent):
    headers = _session_headers(client, agent)
    headers[0] = (b"origin", b"https://evil.example")

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
        connected, _ = await communicator.connect(timeout=10)
        await communicator.disconnect(timeout=10)
        return connected

    assert async_to_sync(scenario)() is False


def test_a_signed_in_user_receives_html_pushed_to_them_and_no_one_else(client, agent, other_agent):
    headers = _session_headers(client, agent)

    other_headers = _session_headers(Client(), other_agent)

    async def scenario():
        mine = WebsocketCommunicator(application, "/ws/live/", headers=headers)
        theirs = WebsocketCommunicator(application, "/ws/live/", headers=other_headers)
        assert (await mine.connect(timeout=10))[0] and (await theirs.connect(timeout=10))[0]
        await sync_to_async(push_html)(agent.pk, '<span id="probe">hello</span>')
        received = await mine.receive_from(timeout=10)
        nothing_for_them = await theirs.receive_nothing(timeout=0.3)
        await mine.disconnect(timeout=10)
        await theirs.disconnect(timeout=10)
        return received, nothing_for_them

    received, nothing_for_them = async_to_sync(scenario)()
    assert received == '<span id="probe">hello</span>'
    assert nothing_for_them


def test_every_open_tab_of_a_user_receives_the_push(client, agent):
    headers = _session_headers(client, agent)

    async def scenario():
        tabs = [WebsocketCommunicator(application, "/ws/live/", headers=headers) for _ in range(2)]
        for tab in tabs:
            assert (await tab.connect(timeout=10))[0]
        await sync_to_async(push_to_users)([agent.pk], '<span id="probe">both</span>')
        received = [await tab.receive_from(timeout=10) for tab in tabs]
        for tab in tabs:
            await tab.disconnect(timeout=10)
        return received

    assert async_to_sync(scenario)() == ['<span id="probe">both</span>'] * 2


def test_a_new_notification_arrives_as_panel_fragments(client, agent):
    headers = _session_headers(client, agent)

    async def scenario():
        tab = WebsocketCommunicator(application, "/ws/live/", headers=headers)
        assert (await tab.connect(timeout=10))[0]
        await sync_to_async(notification_create)(recipient=agent, title="Case 7 escalated")
        received = await tab.receive_from(timeout=10)
        await tab.disconnect(timeout=10)
        return received

    html = async_to_sync(scenario)()
    assert 'id="notifications-count"' in html and "Case 7 escalated" in html


def test_what_the_socket_sends_from_the_page_changes_nothing(client, agent):
    headers = _session_headers(client, agent)

    async def scenario():
        tab = WebsocketCommunicator(application, "/ws/live/", headers=headers)
        assert (await tab.connect(timeout=10))[0]
        await tab.send_to(text_data='{"HEADERS": {}, "title": "forged"}')
        quiet = await tab.receive_nothing(timeout=0.3)
        await tab.disconnect(timeout=10)
        return quiet

    assert async_to_sync(scenario)()

    assert not Notification.objects.exists()
