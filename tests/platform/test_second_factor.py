"""An optional TOTP second factor for local accounts: with a device, the password alone
opens nothing until the code from the authenticator app is given."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from bpm_project.asgi import application

pytestmark = pytest.mark.django_db

DESKTOP = "/cases/desktop/"


def current_code(device):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def device(agent):
    return TOTPDevice.objects.create(user=agent, name="Phone", confirmed=True)


def sign_in(client, username="bob", password="password", next_url=DESKTOP):  # noqa: S107
    return client.post(
        reverse("crm:login"), {"username": username, "password": password, "next": next_url}
    )


def test_after_the_password_every_page_asks_for_the_code_first(client, agent, device):
    sign_in(client)
    response = client.get(DESKTOP)
    assert response.status_code == 302
    assert response.url == f"{reverse('login-code')}?next={DESKTOP}"
    page = client.get(response.url)
    assert "Enter your code" in page.content.decode()


def test_a_wrong_code_is_refused_and_says_why(client, agent, device):
    sign_in(client)
    response = client.post(reverse("login-code"), {"code": "000000", "next": DESKTOP})
    assert response.status_code == 200
    assert "That code is not right or has expired." in response.content.decode()
    assert client.get(DESKTOP).status_code == 302


def test_the_right_code_opens_the_page_first_asked_for(client, agent, device):
    sign_in(client)
    response = client.post(reverse("login-code"), {"code": current_code(device), "next": DESKTOP})
    assert response.status_code == 302 and response.url == DESKTOP
    assert client.get(DESKTOP).status_code == 200


def test_an_account_without_a_device_signs_in_with_the_password_alone(client, agent):
    sign_in(client)
    assert client.get(DESKTOP).status_code == 200


def test_an_unconfirmed_device_does_not_lock_its_owner_out(client, agent):
    TOTPDevice.objects.create(user=agent, name="Not set up yet", confirmed=False)
    sign_in(client)
    assert client.get(DESKTOP).status_code == 200


def socket_outcome(client):
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    headers = [(b"origin", b"http://127.0.0.1:8000"), (b"cookie", cookie.encode())]

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
        connected, _ = await communicator.connect(timeout=10)
        message = None
        if not await communicator.receive_nothing(timeout=1):
            message = await communicator.receive_output(timeout=5)
        await communicator.disconnect(timeout=10)
        return connected, message

    return async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
def test_the_live_socket_waits_for_the_code_too(client, agent):
    device = TOTPDevice.objects.create(user=agent, name="Phone", confirmed=True)
    sign_in(client)
    connected, message = socket_outcome(client)
    assert connected and message["type"] == "websocket.close" and message["code"] == 4401
    client.post(reverse("login-code"), {"code": current_code(device), "next": DESKTOP})
    connected, message = socket_outcome(client)
    assert connected
    assert message is None or message.get("code") != 4401
