"""Resolution and feedback: the resolution email's 1-5 scale, signed links, the
Satisfaction levels lookup, refused links, the portal rating; and Canceled."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing

from cases import services
from cases.correspondence import satisfaction
from cases.correspondence.ratings import satisfaction_rate
from cases.models import Case, SatisfactionLevel
from tests.cases.customer_factories import portal_customer
from tests.cases.factories import make_case, status

pytestmark = pytest.mark.django_db

LINK = re.compile(r"(\d) · [^:]+: (http\S+/portal/rate/(\d+)/(\S+)/)")


@pytest.fixture
def resolved(agent, committed):
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    mail.outbox.clear()
    with committed():
        services.case_set_status(case=case, status=status("resolved"), user=agent)
    return Case.objects.get(pk=case.pk)


def _links(message):
    return {
        int(value): url.split("http://127.0.0.1:8000", 1)[-1]
        for value, url, _case, _token in LINK.findall(message.body)
    }


def test_the_default_levels_map_1_and_2_to_reopened_and_3_to_5_to_closed():
    assert {lvl.value: lvl.status.code for lvl in SatisfactionLevel.objects.all()} == {
        1: "reopened",
        2: "reopened",
        3: "closed",
        4: "closed",
        5: "closed",
    }


def test_resolving_emails_the_customer_a_one_to_five_scale(resolved):
    message = mail.outbox[-1]
    assert message.to == ["clara@northwind.example"]
    assert "resolved" in message.subject
    assert sorted(_links(message)) == [1, 2, 3, 4, 5]
    html = message.alternatives[0][0]
    assert html.count("/portal/rate/") == 5


def test_a_rating_of_2_from_the_link_reopens_the_case_and_clears_the_assignee(client, resolved):
    url = _links(mail.outbox[-1])[2]
    page = client.get(url)  # a link scanner opening it changes nothing
    assert (
        page.status_code == 200
        and 'class="rate-button is-chosen" id="confirm-2"' in page.content.decode()
    )
    resolved.refresh_from_db()
    assert resolved.status.code == "resolved"
    response = client.post(url, {"token": url.rstrip("/").rsplit("/", 1)[-1]})
    assert "Thank you for your rating" in response.content.decode()
    resolved.refresh_from_db()
    assert (resolved.status.code, resolved.assignee, resolved.satisfaction.value) == (
        "reopened",
        None,
        2,
    )
    assert resolved.events.filter(kind="rating", data__value=2).exists()


def test_a_rating_of_5_closes_the_case(client, resolved):
    url = _links(mail.outbox[-1])[5]
    client.post(url, {"token": url.rstrip("/").rsplit("/", 1)[-1]})
    resolved.refresh_from_db()
    assert (resolved.status.code, resolved.satisfaction.value) == ("closed", 5)


def _assert_refused(response, text, case, before):
    assert response.status_code == 400
    assert text in response.content.decode()
    assert "Nothing was changed." in response.content.decode()
    case.refresh_from_db()
    assert (case.status.code, case.satisfaction_id, case.assignee_id) == before


def test_a_forged_link_is_refused_without_changing_anything(client, resolved):
    before = (resolved.status.code, resolved.satisfaction_id, resolved.assignee_id)
    url = _links(mail.outbox[-1])[1]
    forged = url[:-3] + ("A" if url[-3] != "A" else "B") + url[-2:]
    _assert_refused(client.get(forged), "not valid", resolved, before)
    _assert_refused(client.post(forged, {}), "not valid", resolved, before)
    hand_made = signing.dumps({"c": resolved.pk, "v": 1}, salt="wrong salt")
    _assert_refused(
        client.get(f"/portal/rate/{resolved.pk}/{hand_made}/"), "not valid", resolved, before
    )


def test_an_expired_link_is_refused(client, resolved, settings):
    before = (resolved.status.code, resolved.satisfaction_id, resolved.assignee_id)
    url = _links(mail.outbox[-1])[1]
    settings.SATISFACTION_LINK_MAX_AGE = -1
    _assert_refused(client.get(url), "expired", resolved, before)
    _assert_refused(client.post(url, {}), "expired", resolved, before)


def test_a_link_used_for_another_case_is_refused(client, agent, resolved, committed):
    other = make_case(by=agent, subject="Another")
    with committed():
        services.case_set_status(case=other, status=status("resolved"), user=agent)
    token = _links(mail.outbox[0])[1].rstrip("/").rsplit("/", 1)[-1]
    other.refresh_from_db()
    before = (other.status_id, None)
    response = client.post(f"/portal/rate/{other.pk}/{token}/", {"token": token})
    assert response.status_code == 400 and "belongs to another case" in response.content.decode()
    other.refresh_from_db()
    assert (other.status_id, other.satisfaction_id) == before
    assert other.status.code == "resolved"


def test_a_link_of_an_earlier_resolution_is_refused(client, agent, resolved, committed):
    old_url = _links(mail.outbox[-1])[5]
    services.case_set_status(case=resolved, status=status("reopened"), user=agent)
    with committed():
        services.case_set_status(case=resolved, status=status("resolved"), user=agent)
    resolved.refresh_from_db()
    response = client.post(old_url, {})
    assert response.status_code == 400 and "earlier resolution" in response.content.decode()
    resolved.refresh_from_db()
    assert resolved.status.code == "resolved"


def test_a_second_rating_is_refused_once_the_case_is_closed(client, resolved):
    links = _links(mail.outbox[-1])
    client.post(links[5], {})
    response = client.post(links[1], {})
    assert response.status_code == 400 and "not waiting for a rating" in response.content.decode()
    resolved.refresh_from_db()
    assert (resolved.status.code, resolved.satisfaction.value) == ("closed", 5)


def test_the_portal_shows_the_scale_and_takes_a_rating(client, agent, committed):
    user, contact = portal_customer()
    case = make_case(by=agent, contact=contact)
    with committed():
        services.case_set_status(case=case, status=status("resolved"), user=agent)
    client.force_login(user)
    html = client.get(f"/portal/cases/{case.pk}/").content.decode()
    assert 'id="rate-card"' in html and 'id="rate-5"' in html
    client.post(f"/portal/cases/{case.pk}/rate/", {"value": "4"})
    case.refresh_from_db()
    assert (case.status.code, case.satisfaction.value) == ("closed", 4)


def test_a_rating_on_a_case_that_is_not_resolved_is_refused(agent):
    case = make_case(by=agent)
    with pytest.raises(satisfaction.RatingRefused, match="not waiting for a rating"):
        satisfaction_rate(case=case, value=5)
    case.refresh_from_db()
    assert case.satisfaction is None and case.status.code == "new"


def test_tokens_carry_case_score_and_resolution_under_a_salt(resolved):
    token = satisfaction.make_token(resolved, 3)
    assert satisfaction.read_token(token, case=resolved) == 3
    with pytest.raises(signing.BadSignature):
        signing.loads(token)  # the default salt does not open it
    assert satisfaction.read_token(token, case=resolved) == 3
    resolved.resolved_at += timedelta(seconds=5)
    with pytest.raises(satisfaction.RatingRefused):
        satisfaction.read_token(token, case=resolved)


def test_canceling_a_case_emails_the_customer(agent, committed):
    case = make_case(by=agent)
    mail.outbox.clear()
    with committed():
        services.case_set_status(case=case, status=status("canceled"), user=agent)
    message = mail.outbox[-1]
    assert message.to == ["clara@northwind.example"]
    assert f"[{case.number}] Your case was canceled" in message.subject
    assert "Bob Agent" in message.body
    assert case.events.filter(kind="email", data__template="case_canceled").exists()
