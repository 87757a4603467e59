"""Mail goes out through the outbox: a mail server that is down for ten minutes loses
nothing and sends nothing twice, and the case History says where each email is."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.correspondence.messages import message_send
from outbox.models import Effect
from outbox.retention import effects_prune
from outbox.services import effect_deliver, effects_deliver_due
from tests.cases.factories import make_case
from tests.support.smtp_sink import SMTPSink

pytestmark = pytest.mark.django_db

DELIVERY = re.compile(r'class="history-delivery ([^"]*)">([^<]*)<')


@pytest.fixture
def sink(settings):
    sink = SMTPSink()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": sink.port, "timeout": 5},
        }
    }
    yield sink
    sink.shutdown()


def deliveries(client, case) -> list[str]:
    """What the History shows of each sent email's delivery, newest first."""
    page = client.get(case.get_absolute_url()).content.decode()
    return [text.strip() for _classes, text in DELIVERY.findall(page)]


def test_mail_written_during_a_ten_minute_outage_is_all_sent_once_when_the_server_is_back(
    client, agent, sink, django_capture_on_commit_callbacks
):
    case = make_case(by=agent)
    client.force_login(agent)
    # The worker has not picked the mail up yet: the callbacks that would ask it are held.
    with django_capture_on_commit_callbacks(execute=False):
        for number in range(5):
            message_send(
                case=case, user=agent, channel="email", subject=f"Update {number}", body="News."
            )
    queued = deliveries(client, case)  # with the acknowledgement of the case, if any
    assert len(queued) >= 5
    assert set(queued) == {"Queued"}

    down_at = timezone.now()
    for minute in range(11):  # the mail server is down for ten minutes
        effects_deliver_due(now=down_at + timedelta(minutes=minute))
    assert sink.received() == []
    shown = deliveries(client, case)
    assert len(shown) == len(queued)
    assert all(text.startswith("Not sent yet, retrying:") for text in shown), shown
    assert all("Connection refused" in text for text in shown), shown

    sink.start()
    minute = 11
    while Effect.objects.filter(status="pending").exists() and minute < 120:
        effects_deliver_due(now=down_at + timedelta(minutes=minute))
        minute += 1

    emails = Effect.objects.filter(kind="email")
    assert set(emails.values_list("status", flat=True)) == {"done"}
    received = sink.received()
    assert len(received) == emails.count()
    assert len({m["Message-ID"] for m in received}) == len(received), "none sent twice"
    subjects = sorted(m["Subject"] for m in received if "Update" in m["Subject"])
    assert subjects == [f"[{case.number}] Update {n}" for n in range(5)]
    assert deliveries(client, case) == ["Sent"] * len(queued)
    assert minute - 11 <= 10, "sent within ten minutes of the server coming back"


def test_a_message_the_server_keeps_refusing_is_marked_failed_with_the_reason(
    client, agent, sink, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    case = make_case(by=agent)
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=False):
        message_send(case=case, user=agent, channel="email", subject="Hello", body="Hi.")
    start = timezone.now()
    for hour in range(5):
        effects_deliver_due(now=start + timedelta(hours=hour))

    effect = Effect.objects.get(kind="email", payload__subject__endswith="Hello")
    assert (effect.status, effect.attempts) == ("failed", 3)
    shown = deliveries(client, case)[0]
    assert shown.startswith("Not sent:") and "Connection refused" in shown


def test_a_message_delivered_already_is_not_sent_again(
    agent, sink, django_capture_on_commit_callbacks
):
    sink.start()
    case = make_case(by=agent)
    with django_capture_on_commit_callbacks(execute=False):
        message_send(case=case, user=agent, channel="email", subject="Once", body="Once.")
    effect = Effect.objects.get(kind="email", payload__subject__endswith="Once")

    assert effect_deliver(effect_id=effect.pk) == "done"
    assert effect_deliver(effect_id=effect.pk) is None  # a second worker, a redelivered task
    assert effects_deliver_due() == 0
    assert [m["Subject"] for m in sink.received()].count(f"[{case.number}] Once") == 1


def test_an_email_sent_long_ago_still_shows_sent_once_its_outbox_row_is_pruned(
    client, agent, sink, settings, django_capture_on_commit_callbacks
):
    sink.start()
    settings.FLOWDESK_RETAIN_DAYS = 30
    case = make_case(by=agent)
    client.force_login(agent)
    with django_capture_on_commit_callbacks(execute=False):
        message_send(case=case, user=agent, channel="email", subject="Long ago", body="Hi.")
    effects_deliver_due()
    assert set(deliveries(client, case)) == {"Sent"}
    Effect.objects.update(done_at=timezone.now() - timedelta(days=31))

    assert effects_prune()["outbox.Effect"] >= 1
    assert not Effect.objects.filter(kind="email").exists()
    assert set(deliveries(client, case)) == {"Sent"}
