"""Agent desktop: queues, take the next case, two agents at once, postpone."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from cases import assignment, selectors
from cases.errors import CaseTaken
from tests.cases.factories import agreement, make_case, priority

pytestmark = pytest.mark.django_db


def numbers(cases):
    return [c.subject for c in cases]


def test_the_queues_hold_my_cases_my_groups_and_the_unassigned_most_urgent_first(
    client, agent, other_agent, second_line_agent
):
    first_line = Group.objects.get(name="1st line support")
    second_line = Group.objects.get(name="2nd line support")
    sla = agreement(response=60, resolution=480)
    make_case(by=agent, subject="Mine", assignee=agent)
    make_case(by=agent, subject="Carol's", assignee=other_agent)
    make_case(by=agent, subject="Group low", assignee_group=first_line, priority=priority("low"))
    make_case(
        by=agent, subject="Group critical", assignee_group=first_line, priority=priority("critical")
    )
    make_case(by=agent, subject="Other group", assignee_group=second_line)
    make_case(
        by=agent,
        subject="Loose later",
        service_agreement=agreement("Slow", response=600, resolution=6000),
    )
    make_case(by=agent, subject="Loose sooner", service_agreement=sla)
    queues = selectors.desktop_queues(user=agent)
    assert numbers(queues["mine"]) == ["Mine"]
    assert numbers(queues["groups"]) == ["Group critical", "Group low"]
    assert numbers(queues["unassigned"]) == ["Loose sooner", "Loose later"]

    client.force_login(agent)
    page = client.get("/cases/desktop/").content.decode()
    assert page.index("Group critical") < page.index("Group low")
    assert "Carol&#x27;s" not in page and "Other group" not in page


def test_take_the_next_case_takes_the_most_urgent_of_my_groups(client, agent):
    first_line = Group.objects.get(name="1st line support")
    make_case(by=agent, subject="Low", assignee_group=first_line, priority=priority("low"))
    urgent = make_case(
        by=agent, subject="Urgent", assignee_group=first_line, priority=priority("critical")
    )
    client.force_login(agent)
    response = client.post("/cases/desktop/next/")
    assert response.url == urgent.get_absolute_url()
    urgent.refresh_from_db()
    assert urgent.assignee == agent


def test_with_empty_queues_take_next_says_so(client, agent):
    client.force_login(agent)
    response = client.post("/cases/desktop/next/", follow=True)
    assert "there is no case to take" in response.content.decode()


def test_taking_a_case_someone_already_took_says_who_has_it(client, agent, other_agent):
    case = make_case(by=agent)
    assignment.case_take(case_id=case.pk, user=other_agent)
    client.force_login(agent)
    response = client.post(f"/cases/{case.pk}/take/", follow=True)
    assert f"Carol Agent has already taken {case.number}." in response.content.decode()
    case.refresh_from_db()
    assert case.assignee == other_agent


@pytest.mark.django_db(transaction=True)
def test_two_agents_taking_the_same_case_at_once_one_gets_it_the_other_is_told_who(
    agent, other_agent
):
    case = make_case(by=agent)
    barrier = threading.Barrier(2)
    outcomes = {}

    def take(user):
        try:
            barrier.wait()
            outcomes[user.username] = assignment.case_take(case_id=case.pk, user=user).assignee
        except CaseTaken as taken:
            outcomes[user.username] = taken
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in (agent, other_agent)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [name for name, o in outcomes.items() if not isinstance(o, Exception)]
    [loser] = [o for o in outcomes.values() if isinstance(o, Exception)]
    assert len(winners) == 1
    case.refresh_from_db()
    assert case.assignee.username == winners[0]
    assert loser.holder == case.assignee
    assert str(loser) == f"{case.assignee.get_full_name()} has already taken {case.number}."


def test_a_postponed_case_leaves_the_queues_until_its_time(client, agent):
    case = make_case(by=agent, subject="Later please")
    client.force_login(agent)
    until = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    client.post(f"/cases/{case.pk}/postpone/", {"until": until})
    queues = selectors.desktop_queues(user=agent)
    assert numbers(queues["unassigned"]) == []
    assert numbers(queues["postponed"]) == ["Later please"]
    assert selectors.next_case_ids(user=agent) == []
    past = (timezone.localtime() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/cases/{case.pk}/postpone/", {"until": past}, follow=True)
    assert "Choose a time in the future" in response.content.decode()
