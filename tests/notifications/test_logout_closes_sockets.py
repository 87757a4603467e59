"""Signing out closes the live sockets of that browser session, and only those."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.urls import reverse

from bpm_project.asgi import application
from notifications.consumers import CLOSE_UNAUTHENTICATED
from notifications.push import push_html

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def _signed_in(user):
    client = Client()
    client.force_login(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    return client, [ORIGIN, (b"cookie", cookie.encode())]


def _socket(headers):
    return WebsocketCommunicator(application, "/ws/live/", headers=headers)


def test_signing_out_closes_every_open_page_of_that_session_as_signed_out(agent):
    client, headers = _signed_in(agent)

    async def scenario():
        tabs = [_socket(headers) for _ in range(2)]
        for tab in tabs:
            assert (await tab.connect(timeout=10))[0]
        response = await sync_to_async(client.post)(reverse("crm:logout"))
        closed = [await tab.receive_output(timeout=10) for tab in tabs]
        for tab in tabs:
            await tab.disconnect(timeout=10)
        return response, closed

    response, closed = async_to_sync(scenario)()
    assert response.status_code == 302
    for event in closed:
        assert event == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


def test_signing_out_leaves_the_same_users_other_sessions_open(agent):
    laptop, laptop_headers = _signed_in(agent)
    _phone, phone_headers = _signed_in(agent)

    async def scenario():
        on_laptop, on_phone = _socket(laptop_headers), _socket(phone_headers)
        assert (await on_laptop.connect(timeout=10))[0]
        assert (await on_phone.connect(timeout=10))[0]
        await sync_to_async(laptop.post)(reverse("crm:logout"))
        laptop_closed = await on_laptop.receive_output(timeout=10)
        await sync_to_async(push_html)(agent.pk, '<span id="probe">still here</span>')
        phone_received = await on_phone.receive_from(timeout=10)
        await on_laptop.disconnect(timeout=10)
        await on_phone.disconnect(timeout=10)
        return laptop_closed, phone_received

    laptop_closed, phone_received = async_to_sync(scenario)()
    assert laptop_closed["code"] == CLOSE_UNAUTHENTICATED
    assert phone_received == '<span id="probe">still here</span>'
