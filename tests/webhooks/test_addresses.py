"""Where webhooks may go: https to public addresses; private, loopback and link-local
hosts (and plain http to them) only with WEBHOOKS_ALLOW_PRIVATE — on save and on send."""

import pytest

from tests.support.webhook_receiver import Receiver
from webhooks import events, services
from webhooks.addresses import AddressRefused, target_check
from webhooks.forms import SubscriptionForm
from webhooks.models import Delivery

PUBLIC = "93.184.216.34"


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://files.example/hook", "Use an https:// URL."),
        ("javascript:alert(1)", "Use an https:// URL."),
        (f"http://{PUBLIC}/hook", "plain http is allowed only for private or local hosts"),
        ("https://127.0.0.1/hook", "127.0.0.1, a private, loopback or link-local address"),
        ("https://localhost:8443/hook", "loopback"),
        ("https://10.1.2.3/hook", "10.1.2.3"),
        ("https://192.168.0.10/hook", "192.168.0.10"),
        ("https://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("https://[::1]/hook", "::1"),
        ("https://[::ffff:127.0.0.1]/hook", "::ffff:127.0.0.1"),
        ("https://0.0.0.0/hook", "0.0.0.0"),  # noqa: S104 - a URL refused, not a bind
        (f"https://user:pw@{PUBLIC}/hook", "Leave user names and passwords out"),
        ("https:///hook", "names no host"),
        ("https://" + "a" * 2000 + ".example/", "longer than 2000 characters"),
    ],
)
def test_refused_urls_say_why(settings, url, reason):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    with pytest.raises(AddressRefused, match=reason.replace("?", r"\?").replace("(", r"\(")):
        target_check(url)


def test_a_public_https_address_is_accepted_with_the_ip_to_connect_to(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    target = target_check(f"https://{PUBLIC}:8443/hooks/in?source=flowdesk")
    assert (target.address, target.port, target.path) == (PUBLIC, 8443, "/hooks/in?source=flowdesk")
    assert target.host_header == f"{PUBLIC}:8443"


def test_the_setting_lets_local_hosts_in_even_over_http_but_never_public_http(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert target_check("http://127.0.0.1:8000/hook").address == "127.0.0.1"
    assert target_check("https://10.1.2.3/hook").address == "10.1.2.3"
    with pytest.raises(AddressRefused, match="plain http"):
        target_check(f"http://{PUBLIC}/hook")


def test_the_form_shows_the_refusal_on_the_url_field(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    form = SubscriptionForm(
        {"name": "Metadata", "url": "https://169.254.169.254/", "events": [events.CASE_CREATED]}
    )
    assert not form.is_valid()
    assert "link-local" in form.errors["url"][0]
    assert set(form.errors) == {"url"}


@pytest.mark.django_db
def test_a_url_that_became_private_is_refused_at_send_time(settings, committed):
    """Saved while allowed; the setting is off by the time the worker sends: nothing is sent."""
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    with Receiver() as receiver:
        subscription = services.subscription_create(
            name="Inside", url=receiver.url, events=[events.CASE_CREATED]
        )
        settings.WEBHOOKS_ALLOW_PRIVATE = False
        with committed():
            services.test_event_send(subscription=subscription)
        assert receiver.requests == []
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.RETRYING
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert "private, loopback or link-local" in attempt.error
