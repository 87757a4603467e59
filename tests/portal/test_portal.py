"""The customer portal: sign-in, own cases only, replies that reopen, agents' pages closed."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Case, CaseMessage
from notifications.models import Notification
from tests.cases.customer_factories import portal_customer
from tests.cases.factories import make_case, status

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def clara(db):
    return portal_customer()


@pytest.fixture
def oscar(db):
    return portal_customer("oscar", email="oscar@fabrikam.example", name="Oscar Other")


def test_a_portal_user_signing_in_lands_on_the_portal(client, clara):
    user, _contact = clara
    response = client.post("/login/", {"username": "clara", "password": "password"}, follow=True)
    assert response.redirect_chain[-1][0] == "/portal/"
    assert "Hello, Clara Customer" in response.content.decode()


def test_agents_pages_refuse_portal_users(client, clara):
    client.force_login(clara[0])
    for path in ("/cases/", "/contacts/", "/processes/library/", "/cases/knowledge-base/"):
        assert client.get(path).status_code == 403, path


def test_agents_do_not_get_the_portal(client, agent):
    client.force_login(agent)
    assert client.get("/portal/").status_code == 403


def test_a_customer_sees_their_own_cases_and_nothing_else(client, agent, clara, oscar):
    mine = make_case(by=agent, subject="My printer", contact=clara[1])
    theirs = make_case(by=agent, subject="Oscar's VPN", contact=oscar[1])
    client.force_login(clara[0])
    html = client.get("/portal/").content.decode()
    assert "My printer" in html and "Oscar&#x27;s VPN" not in html and "Oscar's VPN" not in html
    assert client.get(f"/portal/cases/{mine.pk}/").status_code == 200
    assert client.get(f"/portal/cases/{theirs.pk}/").status_code == 404
    assert client.post(f"/portal/cases/{theirs.pk}/reply/", {"body": "hi"}).status_code == 404
    assert client.post(f"/portal/cases/{theirs.pk}/rate/", {"value": 5}).status_code == 404
    assert not CaseMessage.objects.filter(case=theirs).exists()


def test_internal_notes_never_reach_the_portal(client, agent, clara):
    case = make_case(by=agent, contact=clara[1])
    services.case_add_note(case=case, user=agent, text="Customer is grumpy, be careful")
    client.force_login(clara[0])
    assert "grumpy" not in client.get(f"/portal/cases/{case.pk}/").content.decode()


def test_a_reply_on_the_portal_reopens_a_waiting_case_and_clears_its_assignee(
    client, agent, other_agent, clara, committed
):

    group = Group.objects.get(name="1st line support")
    case = make_case(by=agent, contact=clara[1], assignee_group=group)
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    services.case_set_status(case=case, status=status("waiting"), user=agent)
    mail.outbox.clear()
    client.force_login(clara[0])
    with committed():
        response = client.post(
            f"/portal/cases/{case.pk}/reply/",
            {
                "body": "Here is the photo",
                "files": [SimpleUploadedFile("photo.png", b"\x89PNG", content_type="image/png")],
            },
        )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status.code == "reopened"
    assert case.assignee is None
    message = CaseMessage.objects.get(case=case)
    assert (message.direction, message.channel, message.author_contact) == (
        "in",
        "portal",
        clara[1],
    )
    assert message.attachments.get().name == "photo.png"
    # The group's members hear of it: in the panel and by email.
    notified = set(
        Notification.objects.filter(url=case.get_absolute_url()).values_list(
            "recipient__username", flat=True
        )
    )
    assert notified == {"bob", "carol"}
    assert any(set(m.to) == {"bob@example.com", "carol@example.com"} for m in mail.outbox)
    assert case.events.filter(kind="portal", data__direction="in").exists()


def test_a_reply_to_an_active_case_notifies_its_assignee(client, agent, clara, committed):
    case = make_case(by=agent, contact=clara[1])
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    client.force_login(clara[0])
    with committed():
        client.post(f"/portal/cases/{case.pk}/reply/", {"body": "Any news?"})
    case.refresh_from_db()
    assert case.status.code == "in_progress" and case.assignee == agent
    note = Notification.objects.get(
        recipient=agent, url=case.get_absolute_url(), title__startswith="Customer replied"
    )
    assert "Any news?" in note.body


def test_a_portal_reply_with_a_bad_attachment_is_refused_and_keeps_the_text(
    client, agent, clara, settings
):
    settings.CASE_ATTACHMENT_MAX_BYTES = 10
    case = make_case(by=agent, contact=clara[1])
    client.force_login(clara[0])
    response = client.post(
        f"/portal/cases/{case.pk}/reply/",
        {"body": "Long explanation", "files": [SimpleUploadedFile("big.pdf", b"x" * 50)]},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "files may be at most 10" in html and "Long explanation" in html
    assert not CaseMessage.objects.exists()


def test_a_final_case_takes_no_portal_reply(client, agent, clara):
    case = make_case(by=agent, contact=clara[1])
    services.case_set_status(case=case, status=status("canceled"), user=agent)
    client.force_login(clara[0])
    assert client.post(f"/portal/cases/{case.pk}/reply/", {"body": "x"}).status_code == 400
    assert not CaseMessage.objects.exists()


def _case_numbers(html):
    return re.findall(r'<span class="case-number">([^<]+)</span>', html)


def test_the_case_list_pages_by_25_and_shows_only_the_customers_own_cases(
    client, agent, clara, oscar
):
    for n in range(60):
        make_case(by=agent, subject=f"Clara's question {n}", contact=clara[1])
    for n in range(3):
        make_case(by=agent, subject=f"Oscar's question {n}", contact=oscar[1])
    closed = make_case(by=agent, subject="Old closed one", contact=clara[1])
    services.case_set_status(case=closed, status=status("canceled"), user=agent)
    clara_numbers = set(Case.objects.filter(contact=clara[1]).values_list("number", flat=True))
    client.force_login(clara[0])

    pages = [client.get("/portal/", {"page": n}).content.decode() for n in (1, 2, 3)]
    all_last = client.get("/portal/", {"show": "all", "page": 3}).content.decode()

    assert [len(_case_numbers(page)) for page in pages] == [25, 25, 10]
    shown = [number for page in pages for number in _case_numbers(page)]
    assert len(set(shown)) == 60 and set(shown) <= clara_numbers
    assert all("Oscar" not in page for page in [*pages, all_last])
    assert "Clara&#x27;s question 59" in pages[0]  # newest first
    assert "1–25 of 60" in pages[0] and "Page 3 of 3" in pages[2]
    assert 'href="?page=2"' in pages[0]
    # "All" counts the closed case too, and its pages keep the choice.
    assert "Old closed one" in client.get("/portal/", {"show": "all"}).content.decode()
    assert len(_case_numbers(all_last)) == 11 and 'href="?show=all&amp;page=2"' in all_last
    assert "Open (60)" in pages[0] and "All (61)" in pages[0]


def test_the_case_list_takes_as_many_queries_for_60_cases_as_for_2(
    client, agent, clara, oscar, django_assert_num_queries
):
    for n in range(2):
        make_case(by=agent, subject=f"Question {n}", contact=clara[1])
    make_case(by=agent, subject="Oscar's", contact=oscar[1])
    client.force_login(clara[0])
    client.get("/portal/")
    with CaptureQueriesContext(connection) as two:
        assert len(_case_numbers(client.get("/portal/").content.decode())) == 2
    for n in range(58):
        make_case(by=agent, subject=f"More {n}", contact=clara[1])

    with django_assert_num_queries(len(two)):
        assert len(_case_numbers(client.get("/portal/").content.decode())) == 25
    with django_assert_num_queries(len(two)):
        assert len(_case_numbers(client.get("/portal/", {"page": 3}).content.decode())) == 10
