"""Events reach a real HTTP receiver, signed, from the outbox; failures are retried and logged."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from cases.correspondence.messages import message_receive
from cases.services import case_set_status
from outbox.models import Effect
from outbox.services import effects_deliver_due
from processes.models import Step
from processes.services import instance_start, process_import, step_complete
from tests.cases.factories import make_case, status
from tests.support.webhook_receiver import signature_verify
from webhooks import events, services
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db

DATA = Path(__file__).resolve().parents[1] / "processes" / "data"
CHAIN = DATA / "long_chain.bpmn"
REVIEW = DATA / "review.bpmn"


@pytest.fixture(autouse=True)
def _local_receivers_allowed(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True


def subscribe(receiver, *names, active=True):
    return services.subscription_create(
        name="Receiver", url=receiver.url, events=names, is_active=active
    )


def test_a_new_case_is_posted_to_its_subscriber_signed(receiver, committed):
    subscription = subscribe(receiver, events.CASE_CREATED)
    subscribe(receiver, events.CASE_CREATED, active=False)  # paused: hears nothing
    subscribe(receiver, events.INSTANCE_COMPLETED)  # another event: hears nothing

    with committed():
        case = make_case(subject="Printer on fire")

    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    delivery = Delivery.objects.get(subscription=subscription)
    assert request.headers["Flowdesk-Event"] == "case.created"
    assert request.headers["Flowdesk-Delivery"] == str(delivery.pk)
    assert request.headers["Content-Type"] == "application/json"
    assert signature_verify(
        subscription.secret, request.headers["Flowdesk-Signature"], request.body
    )
    assert not signature_verify("whsec_wrong", request.headers["Flowdesk-Signature"], request.body)
    assert not signature_verify(
        subscription.secret, request.headers["Flowdesk-Signature"], request.body + b" "
    )
    body = request.json
    assert set(body) == {"id", "event", "occurred_at", "data"}
    assert body["event"] == "case.created"
    assert body["id"] == str(delivery.event_id)
    assert body["data"]["case"]["number"] == case.number
    assert body["data"]["case"]["subject"] == "Printer on fire"

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    [attempt] = delivery.attempt_log.all()
    assert (attempt.number, attempt.status_code, attempt.response_body) == (1, 200, "ok")
    assert attempt.duration_ms is not None


def test_nothing_is_sent_when_the_change_rolls_back(receiver, committed):
    subscribe(receiver, events.CASE_CREATED)

    class Abandon(Exception):
        pass

    with committed(), pytest.raises(Abandon), transaction.atomic():
        make_case()
        raise Abandon

    assert receiver.requests == []
    assert not Delivery.objects.exists()


def test_an_instance_that_starts_and_completes_is_posted_twice(receiver, committed):
    subscription = subscribe(receiver, events.INSTANCE_STARTED, events.INSTANCE_COMPLETED)
    process_import(data=CHAIN.read_bytes())

    with committed():
        instance = instance_start(code="long_chain", variables={"visits": 0}, run_now=True)

    instance.refresh_from_db()
    assert instance.status == "completed"
    sent = [request.json for request in receiver.requests]
    assert [body["event"] for body in sent] == ["instance.started", "instance.completed"]
    completed = sent[1]["data"]["instance"]
    assert (completed["id"], completed["process"], completed["status"]) == (
        instance.pk,
        "long_chain",
        "completed",
    )
    for request in receiver.requests:
        assert signature_verify(
            subscription.secret, request.headers["Flowdesk-Signature"], request.body
        )


def test_a_user_step_is_posted_when_it_waits_and_when_it_is_done(receiver, committed, agent):
    subscribe(receiver, events.STEP_ACTIVATED, events.STEP_COMPLETED)
    process_import(data=REVIEW.read_bytes())
    with committed():
        instance = instance_start(code="review", variables={"amount": 1}, run_now=True)
    step = Step.objects.get(instance=instance, element_id="approve")

    with committed():
        step_complete(
            instance_id=instance.pk,
            step_number=step.number,
            user=agent,
            variables={"answer": "Yes"},
        )

    sent = [request.json for request in receiver.requests]
    assert [body["event"] for body in sent] == ["step.activated", "step.completed"]
    activated, completed = (body["data"]["step"] for body in sent)
    assert (activated["name"], activated["owner"], activated["status"]) == (
        "Approve the request",
        "bob",
        "waiting",
    )
    assert completed["status"] == "completed"
    assert completed["completed_at"] is not None


def test_a_case_status_change_is_posted_with_both_statuses(receiver, committed):
    subscribe(receiver, events.CASE_STATUS_CHANGED)
    case = make_case()

    with committed():
        case_set_status(case=case, status=status("waiting"))

    [request] = receiver.requests
    data = request.json["data"]
    assert data["old_status"]["code"] == "new"
    assert data["new_status"]["code"] == "waiting"


def test_a_customer_message_is_posted_with_its_text(receiver, committed):
    subscribe(receiver, events.CASE_MESSAGE_RECEIVED)
    case = make_case()

    with committed():
        message, _reopened = message_receive(
            case=case,
            channel="portal",
            subject="Still broken",
            body="The printer smokes again.",
            contact=case.contact,
            author_email=case.contact.email,
        )

    [request] = receiver.requests
    data = request.json["data"]
    assert data["case"]["number"] == case.number
    assert data["message"]["id"] == message.pk
    assert data["message"]["body"] == "The printer smokes again."
    assert data["message"]["channel"] == "portal"


def test_a_failing_receiver_gets_retries_with_backoff_until_it_answers(receiver, committed):
    subscription = subscribe(receiver, events.CASE_CREATED)
    receiver.answers = [(500, b"x" * 5000), (503, b"busy")]

    with committed():
        make_case()

    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.status == Delivery.Status.RETRYING
    effect = Effect.objects.get(key=f"webhook:{delivery.pk}")
    assert delivery.next_attempt_at == effect.available_at > timezone.now()

    # Nothing is due before the backoff has passed; then the outbox's sweep retries.
    assert effects_deliver_due() == 0
    later = timezone.now() + timedelta(hours=2)
    effects_deliver_due(now=later)
    effects_deliver_due(now=later + timedelta(hours=2))

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    attempts = list(delivery.attempt_log.all())
    assert [(a.number, a.status_code) for a in attempts] == [(1, 500), (2, 503), (3, 200)]
    assert attempts[0].error == "HTTP 500"
    assert len(attempts[0].response_body) == 2048  # only the first 2 KB are kept
    ids = {request.headers["Flowdesk-Delivery"] for request in receiver.requests}
    assert ids == {str(delivery.pk)}  # a retry is the same delivery


def test_an_unreachable_receiver_is_logged_and_retried(committed):
    subscription = services.subscription_create(
        name="Gone", url="http://127.0.0.1:9/hook", events=[events.CASE_CREATED]
    )

    with committed():
        make_case()

    delivery = Delivery.objects.get(subscription=subscription)
    assert delivery.status == Delivery.Status.RETRYING
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code is None
    assert attempt.error


def test_resend_and_test_event_make_new_deliveries(receiver, committed):
    subscription = subscribe(receiver, events.CASE_CREATED)
    with committed():
        make_case()
    first = Delivery.objects.get()

    with committed():
        again = services.delivery_resend(delivery=first)
        test = services.test_event_send(subscription=subscription)

    bodies = [request.json for request in receiver.requests]
    assert [body["event"] for body in bodies] == ["case.created", "case.created", "webhook.test"]
    assert bodies[1]["id"] == bodies[0]["id"]  # the same event …
    assert receiver.requests[1].headers["Flowdesk-Delivery"] == str(again.pk) != str(first.pk)
    again.refresh_from_db()
    test.refresh_from_db()
    assert again.status == test.status == Delivery.Status.SUCCEEDED
