"""The Process log shows what each waiting step waits for (signal, message and
key, timer due time); staff throw a signal from the Process library."""

from pathlib import Path

import pytest
from django.urls import reverse

from crm.templatetags.flowdesk import when
from processes.models import ProcessInstance
from processes.services import instance_start, process_import

from .test_message_correlation import KEYED_ORDER

DATA = Path(__file__).parent / "data"
pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def log_page(client, instance):
    response = client.get(reverse("processes:log-detail", args=[instance.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_log_shows_the_signal_a_step_waits_for(admin_client):
    process_import(data=(DATA / "signals.bpmn").read_bytes())
    instance = instance_start(code="signal_waiter", run_now=True)

    assert "Waits for signal “go”" in log_page(admin_client, instance)


def test_the_log_shows_the_message_and_key_a_step_waits_for(admin_client):
    process_import(data=KEYED_ORDER)
    instance = instance_start(
        code="keyed_order", variables={"order_no": "B-2"}, business_key="order B", run_now=True
    )

    page = log_page(admin_client, instance)
    assert "Waits for message “supplier_reply” with key “B-2”" in page
    assert "order B" in page  # the business key, in the summary


def test_the_log_shows_when_a_timer_is_due(admin_client, settings):
    settings.TIME_ZONE = "UTC"
    process_import(data=(DATA / "timer_wait.bpmn").read_bytes())
    instance = instance_start(code="timer_wait", run_now=True)
    due = instance.steps.get(status="waiting").due_at

    # In the one format every page writes a moment in (the reader's time zone).
    assert f"Timer due {when(due)}" in log_page(admin_client, instance)


def test_staff_throw_a_signal_from_the_library_and_the_waiting_instance_goes_on(
    admin_client, django_capture_on_commit_callbacks
):
    process_import(data=(DATA / "signals.bpmn").read_bytes())
    waiter = instance_start(code="signal_waiter", run_now=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("processes:library-signal"), {"name": "go", "payload": '{"by": "hand"}'}
        )

    assert response.status_code == 302
    waiter = ProcessInstance.objects.get(pk=waiter.pk)
    assert waiter.status == "completed"
    assert waiter.variables == {"by": "hand"}
    # The signal start process started too.
    assert ProcessInstance.objects.filter(definition__code="signal_started").count() == 1


def test_a_signal_with_a_broken_payload_is_refused_and_throws_nothing(admin_client):
    process_import(data=(DATA / "signals.bpmn").read_bytes())
    waiter = instance_start(code="signal_waiter", run_now=True)

    response = admin_client.post(
        reverse("processes:library-signal"), {"name": "go", "payload": "{not json"}
    )

    assert response.status_code == 400
    assert ProcessInstance.objects.get(pk=waiter.pk).status == "running"


def test_an_agent_cannot_throw_a_signal(client, agent):
    process_import(data=(DATA / "signals.bpmn").read_bytes())
    waiter = instance_start(code="signal_waiter", run_now=True)
    client.force_login(agent)

    assert client.post(reverse("processes:library-signal"), {"name": "go"}).status_code == 403
    assert ProcessInstance.objects.get(pk=waiter.pk).status == "running"
