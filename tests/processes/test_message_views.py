"""The Process log's Messages page: kept and undelivered messages, their filters and
pages, and Discard, which marks a kept message expired and never deletes it."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.templatetags.flowdesk import when
from processes import clock
from processes.models import KeptMessage, ProcessInstance
from processes.services import (
    instance_start,
    kept_messages_sweep,
    message_correlate,
    message_deliver_or_record,
    process_import,
)

from .test_message_correlation import KEYED_ORDER

pytestmark = pytest.mark.django_db

HOUR = dt.timedelta(hours=1)
URL = "/processes/log/messages/"


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def orders():
    process_import(data=KEYED_ORDER)


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


def keep(key, **extra):
    """A supplier reply no order waits for yet, kept for an hour."""
    assert (
        message_correlate(name="supplier_reply", correlation_key=key, keep_for=HOUR, **extra) == 0
    )
    return KeptMessage.objects.latest("pk")


def fail(name="invoice_paid", **extra):
    """A message the worker could not deliver (nobody waits, the sender refused a drop)."""
    message_deliver_or_record(name=name, if_unmatched="refuse", **extra)
    return KeptMessage.objects.latest("pk")


def start_order(after_commit, number):
    return after_commit(
        instance_start, code="keyed_order", variables={"order_no": number}, run_now=True
    )


def rows(body):
    """The message ids of the table's rows, top to bottom."""
    return [int(pk) for pk in re.findall(r'<tr data-message="(\d+)">', body)]


def row(body, message):
    match = re.search(rf'<tr data-message="{message.pk}">(.*?)</tr>', body, re.S)
    assert match, f"no row for message {message.pk}"
    return match.group(1)


def test_only_administrators_open_messages_or_discard_them(client, agent, orders):
    message = keep("A-1")
    client.force_login(agent)
    discard = reverse("processes:log-message-discard", args=[message.pk])

    assert client.get(URL).status_code == 403
    assert client.get(reverse("processes:log-message", args=[message.pk])).status_code == 403
    assert client.get(discard).status_code == 403
    assert client.post(discard).status_code == 403
    assert KeptMessage.objects.get(pk=message.pk).status == "kept"


def test_the_process_log_leads_to_its_messages(admin_client):
    body = admin_client.get(reverse("processes:log")).content.decode()

    assert f'id="log-tab-messages" href="{URL}"' in body
    page = admin_client.get(URL).content.decode()
    assert 'id="log-tab-messages"' in page and 'aria-current="page">Messages<' in page


def test_an_empty_page_says_what_it_shows(admin_client):
    body = admin_client.get(URL).content.decode()

    assert "No kept or undelivered messages" in body
    assert "lists the messages that reached no waiting instance" in body


def test_a_row_shows_when_what_keys_status_until_whom_and_why(admin_client, orders, after_commit):
    kept = keep("A-1", business_key="ORD-7")
    delivered = keep("B-2")
    order = start_order(after_commit, "B-2")
    failed = fail()

    body = admin_client.get(URL).content.decode()

    kept_row = row(body, kept)
    assert when(kept.created_at) in kept_row
    assert "supplier_reply" in kept_row and "A-1" in kept_row and "ORD-7" in kept_row
    assert 'class="status-pill status-kept">Kept<' in kept_row
    assert when(kept.expires_at) in kept_row
    assert "Discard…" in kept_row

    delivered_row = row(body, delivered)
    assert 'status-delivered">Delivered<' in delivered_row
    assert f'href="{order.get_absolute_url()}"' in delivered_row
    assert f"#{order.pk}</a>" in delivered_row
    assert "Discard…" not in delivered_row

    failed_row = row(body, failed)
    assert 'status-failed">Failed<' in failed_row
    assert failed.reason and f'title="{failed.reason}"' in failed_row.replace("&#x27;", "'")


def test_a_long_reason_is_cut_in_the_row_and_whole_on_the_messages_own_page(admin_client):
    now = timezone.now()
    reason = "The receiver refused it: " + "the order number is not known here. " * 6
    message = KeptMessage.objects.create(
        name="invoice_paid", status="failed", reason=reason, created_at=now
    )

    body = admin_client.get(URL).content.decode()
    cells = row(body, message)
    assert reason not in cells.split("title=")[0]
    assert "…" in cells
    assert f'title="{reason}"' in cells

    page = admin_client.get(reverse("processes:log-message", args=[message.pk]))
    assert reason in page.content.decode()


def test_messages_are_listed_newest_first(admin_client, orders):
    with clock.frozen_at(timezone.now() - dt.timedelta(minutes=30)):
        older = keep("A-1")
    newer = keep("B-2")
    failed = fail()

    assert rows(admin_client.get(URL).content.decode()) == [failed.pk, newer.pk, older.pk]


def test_the_list_filters_by_status_name_and_received_day(admin_client, orders, after_commit):
    kept = keep("A-1")
    delivered = keep("B-2")
    start_order(after_commit, "B-2")
    failed = fail("invoice_paid")
    with clock.frozen_at(timezone.now() - dt.timedelta(days=3)):
        old = keep("C-3")
        clock.advance(2 * HOUR)
        kept_messages_sweep()
    assert KeptMessage.objects.get(pk=old.pk).status == "expired"

    def shown(**params):
        return set(rows(admin_client.get(URL, params).content.decode()))

    assert shown() == {kept.pk, delivered.pk, failed.pk, old.pk}
    assert shown(status="kept") == {kept.pk}
    assert shown(status="delivered") == {delivered.pk}
    assert shown(status="failed") == {failed.pk}
    assert shown(status="expired") == {old.pk}
    assert shown(q="INVOICE") == {failed.pk}
    assert shown(q="supplier", status="kept") == {kept.pk}
    today = timezone.localdate()
    assert shown(received_from=(today - dt.timedelta(days=1)).isoformat()) == {
        kept.pk,
        delivered.pk,
        failed.pk,
    }
    assert shown(received_to=(today - dt.timedelta(days=2)).isoformat()) == {old.pk}
    assert (
        "No messages match these filters"
        in admin_client.get(URL, {"q": "nothing"}).content.decode()
    )


def test_bad_filters_are_explained_and_an_unknown_status_lists_everything(admin_client, orders):
    message = keep("A-1")

    backwards = admin_client.get(
        URL, {"received_from": "2026-05-02", "received_to": "2026-05-01"}
    ).content.decode()
    unknown = admin_client.get(URL, {"status": "deleted"}).content.decode()
    long_name = admin_client.get(URL, {"q": "x" * 5000}).content.decode()

    assert "The end date is before the start date." in backwards
    assert "Select a valid choice." in unknown and rows(unknown) == [message.pk]
    assert "at most 100 characters" in long_name


def test_the_table_alone_answers_an_htmx_request(admin_client, orders):
    keep("A-1")

    response = admin_client.get(URL, {"status": "kept"}, headers={"HX-Request": "true"})

    assert response.content.decode().lstrip().startswith('<div id="message-table"')
    assert "HX-Request" in response["Vary"]


def test_the_list_pages_by_25(admin_client):
    now = timezone.now()
    KeptMessage.objects.bulk_create(
        KeptMessage(
            name=f"m{n}", status="failed", reason="r", created_at=now - dt.timedelta(seconds=n)
        )
        for n in range(30)
    )

    first = admin_client.get(URL).content.decode()
    second = admin_client.get(URL, {"page": 2}).content.decode()

    assert len(rows(first)) == 25 and len(rows(second)) == 5
    assert "1–25 of 30" in first and "Page 2 of 2" in second


def _messages(count, delivered, after_commit):
    """`count` messages of every kind, the newest `delivered` of them given to orders."""
    for n in range(count - delivered):
        if n % 3 == 0:
            fail(f"invoice_{n}", business_key=f"INV-{n}")
        else:
            keep(f"K-{n}")
    for n in range(delivered):
        keep(f"D-{n}")
        start_order(after_commit, f"D-{n}")


def test_the_list_takes_as_many_queries_for_200_messages_as_for_2(
    admin_client, orders, after_commit, django_assert_num_queries
):
    _messages(2, 1, after_commit)
    admin_client.get(URL)  # the session and content types are cached after the first page
    with CaptureQueriesContext(connection) as two:
        body = admin_client.get(URL).content.decode()
    assert len(rows(body)) == 2 and body.count("status-delivered") == 1

    KeptMessage.objects.all().delete()
    _messages(200, 12, after_commit)

    with django_assert_num_queries(len(two)):
        body = admin_client.get(URL).content.decode()
    assert len(rows(body)) == 25 and body.count("status-delivered") == 12
    with django_assert_num_queries(len(two)):
        admin_client.get(URL, {"status": "kept", "q": "supplier", "page": 3})


def test_discard_asks_first_and_changes_nothing_until_confirmed(admin_client, orders):
    message = keep("A-1")
    discard = reverse("processes:log-message-discard", args=[message.pk])

    page = admin_client.get(discard, {"next": f"{URL}?status=kept"}).content.decode()

    assert "Discard “supplier_reply”?" in page
    assert f'action="{discard}"' in page and "csrfmiddlewaretoken" in page
    assert f'name="next" value="{URL}?status=kept"' in page
    assert KeptMessage.objects.get(pk=message.pk).status == "kept"


def test_discarding_marks_the_message_expired_by_whom_and_keeps_it(
    admin_client, orders, after_commit
):
    message = keep("A-1")
    discard = reverse("processes:log-message-discard", args=[message.pk])

    response = admin_client.post(discard, {"next": f"{URL}?status=kept"}, follow=True)

    assert response.redirect_chain[-1][0] == f"{URL}?status=kept"
    body = response.content.decode()
    assert "The message “supplier_reply” was discarded: no instance will receive it." in body
    message = KeptMessage.objects.get(pk=message.pk)
    assert message.status == "expired"
    assert message.reason == "Discarded by Alice Admin"
    assert message.expires_at <= timezone.now()
    listed = admin_client.get(URL).content.decode()
    assert "status-expired" in row(listed, message)
    assert "Discarded by Alice Admin" in row(listed, message)
    # An order that starts waiting for that key afterwards does not get it.
    order = start_order(after_commit, "A-1")
    assert ProcessInstance.objects.get(pk=order.pk).status == "running"


def test_a_message_that_is_not_kept_cannot_be_discarded(admin_client, orders, after_commit):
    delivered = keep("B-2")
    start_order(after_commit, "B-2")
    failed = fail()

    for message in (delivered, failed):
        before = KeptMessage.objects.get(pk=message.pk)
        discard = reverse("processes:log-message-discard", args=[message.pk])
        response = admin_client.post(discard, follow=True)

        assert "Only a kept message can be discarded" in response.content.decode()
        after = KeptMessage.objects.get(pk=message.pk)
        assert (after.status, after.reason) == (before.status, before.reason)
        # Asking to discard one that is not kept shows the message instead.
        assert admin_client.get(discard).url == reverse("processes:log-message", args=[message.pk])


def test_discard_needs_the_csrf_token_and_goes_back_only_to_this_site(admin_user, orders):
    message = keep("A-1")
    discard = reverse("processes:log-message-discard", args=[message.pk])
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)

    assert strict.post(discard).status_code == 403
    assert KeptMessage.objects.get(pk=message.pk).status == "kept"

    lax = Client()
    lax.force_login(admin_user)
    response = lax.post(discard, {"next": "https://evil.example/"})
    assert response.url == URL
    assert lax.get(reverse("processes:log-message-discard", args=[999999])).status_code == 404


def test_a_messages_page_shows_its_payload_and_keys(admin_client, orders):
    message_correlate(
        name="supplier_reply",
        correlation_key="A-1",
        payload={"accepted": True, "note": "<b>soon</b>"},
        keep_for=HOUR,
    )
    message = KeptMessage.objects.get()

    body = admin_client.get(reverse("processes:log-message", args=[message.pk])).content.decode()

    assert "&quot;accepted&quot;: true" in body
    assert "&lt;b&gt;soon&lt;/b&gt;" in body and "<b>soon</b>" not in body
    assert "A-1" in body and "Discard…" in body
