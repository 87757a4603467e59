"""Assignee and group notifications: panel entries and the "Specifying case assignee" email."""

import pytest
from django.contrib.auth.models import Group

from cases import assignment, services
from notifications.models import Notification
from tests.cases.factories import make_case, status

pytestmark = pytest.mark.django_db


def test_an_active_case_created_with_an_assignee_notifies_the_assignee(
    agent, other_agent, mailoutbox, committed
):
    with committed():
        case = make_case(by=agent, assignee=other_agent)
    [notice] = Notification.objects.filter(recipient=other_agent)
    assert notice.title == f"Case assigned to you: {case.number}"
    assert notice.url == case.get_absolute_url()
    [email] = mailoutbox
    assert email.to == ["carol@example.com"]
    assert email.subject == f"[{case.number}] Case assigned to Carol Agent: Printer on fire"
    assert "http" in email.body and case.get_absolute_url() in email.body
    assert not Notification.objects.filter(recipient=agent).exists()


def test_with_only_a_group_every_member_is_notified_and_emailed(
    admin_user, agent, other_agent, second_line_agent, mailoutbox, committed
):
    first_line = Group.objects.get(name="1st line support")
    with committed():
        case = make_case(by=admin_user, assignee_group=first_line)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "bob",
        "carol",
    }
    assert (
        Notification.objects.first().title
        == f"{case.number} is waiting in the 1st line support queue"
    )
    [email] = mailoutbox
    assert sorted(email.to) == ["bob@example.com", "carol@example.com"]


def test_an_assignee_is_told_rather_than_the_group(admin_user, agent, other_agent, committed):
    with committed():
        make_case(
            by=admin_user, assignee=agent, assignee_group=Group.objects.get(name="1st line support")
        )
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["bob"]


def test_an_inactive_case_notifies_only_when_it_becomes_active_with_an_assignee(
    admin_user, agent, other_agent, mailoutbox, committed
):
    case = make_case(by=admin_user)
    services.case_set_status(case=case, status=status("waiting"), user=admin_user)
    with committed():
        assignment.case_assign(case=case, user=admin_user, assignee=other_agent)
    assert not Notification.objects.exists() and not mailoutbox
    with committed():
        services.case_set_status(case=case, status=status("reopened"), user=admin_user)
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["carol"]
    assert len(mailoutbox) == 1


def test_reassigning_an_active_case_notifies_the_new_assignee(
    admin_user, agent, other_agent, committed
):
    case = make_case(by=admin_user, assignee=agent)
    with committed():
        assignment.case_assign(case=case, user=admin_user, assignee=other_agent)
    assert Notification.objects.filter(recipient=other_agent).count() == 1


def test_whoever_assigns_themselves_is_not_notified(agent, mailoutbox, committed):
    with committed():
        case = make_case(by=agent)
        services.case_set_status(case=case, status=status("in_progress"), user=agent)
    assert not Notification.objects.exists()
    assert [m.subject for m in mailoutbox] == [f"[{case.number}] We are working on your case"]
