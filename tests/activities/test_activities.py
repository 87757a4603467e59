"""The Activities section: "Perform task" steps, the list, the activity page, the calendar."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities import selectors, services
from activities.models import Activity
from processes import services as process_services
from processes.models import ProcessInstance, Step
from tests.activities.factories import one_step_process, start, step_url, waiting_step
from tests.crm.factories import make_contact

pytestmark = pytest.mark.django_db(transaction=True)

TASK = 'flowdesk:page="task" flowdesk:results="Reached;No answer" flowdesk:hint="Call them"'


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def task_for(user, *, record=None, attrs=TASK, code="call"):
    instance = start(one_step_process(code, attrs, name="Follow up"), user=user, record=record)
    step = waiting_step(instance)
    return instance, step, Activity.objects.get(step=step)


def test_a_perform_task_step_creates_an_activity_connected_to_its_record(agent):
    contact = make_contact("Maria Anders")
    _instance, step, activity = task_for(agent, record=contact)
    assert activity.title == "Ask" and activity.owner == agent and activity.is_open
    assert activity.results == ["Reached", "No answer"]
    assert activity.record_label == "Maria Anders" and activity.contact == contact
    assert activity.record_url == contact.get_absolute_url()
    assert activity.process_name == "Follow up"
    # The step's page is the activity page.
    response = signed_in(agent).get(step_url(step))
    assert response.status_code == 302
    page = signed_in(agent).get(response["Location"]).content.decode()
    assert "Reached" in page and "No answer" in page and "Call them" in page


def test_completing_the_activity_with_a_result_completes_the_step(agent):
    instance, step, activity = task_for(agent)
    client = signed_in(agent)
    response = client.post(
        f"/activities/{activity.pk}/complete/", {"result": "Reached"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "flowdesk:stepDone" in response["HX-Trigger"]
    step.refresh_from_db()
    activity.refresh_from_db()
    assert step.status == "completed" and step.result == "Reached"
    assert activity.status == "completed" and activity.result == "Reached"
    assert ProcessInstance.objects.get(pk=instance.pk).status == "completed"
    # Once the step is complete the ordinary activity page opens.
    assert client.get(activity.get_absolute_url()).status_code == 200
    again = client.post(f"/activities/{activity.pk}/complete/", {"result": "Reached"})
    assert again.status_code == 409 and "already done" in again.content.decode()


def test_a_result_outside_the_allowed_ones_is_refused(agent):
    _instance, step, activity = task_for(agent)
    response = signed_in(agent).post(f"/activities/{activity.pk}/complete/", {"result": "Maybe"})
    assert response.status_code == 409 and "Choose one of the results" in response.content.decode()
    assert Step.objects.get(pk=step.pk).status == "waiting"


def test_the_default_result_is_completed(agent):
    _instance, step, activity = task_for(agent, attrs='flowdesk:page="task"', code="plain")
    assert activity.results == ["Completed"]
    services.activity_complete(activity_id=activity.pk, user=agent, result="Completed")
    assert Step.objects.get(pk=step.pk).result == "Completed"


def test_a_step_closed_elsewhere_closes_its_activity(agent):
    instance, _step, activity = task_for(agent)
    process_services.instance_cancel(instance_id=instance.pk)
    activity.refresh_from_db()
    assert activity.status == "canceled"


def test_a_non_owner_opening_the_activity_is_told_whose_step_it_is(agent, outsider):
    _instance, step, activity = task_for(agent)
    client = signed_in(outsider)
    response = client.get(activity.get_absolute_url(), follow=True)
    assert response.status_code == 403
    assert "This step belongs to Bob Agent" in response.content.decode()
    with pytest.raises(services.ActivityError, match="belongs to Bob Agent"):
        services.activity_complete(activity_id=activity.pk, user=outsider, result="Reached")
    assert Step.objects.get(pk=step.pk).status == "waiting"


def test_new_start_and_due_postpone_the_step(agent):
    _instance, step, activity = task_for(agent)
    start_at = timezone.localtime() + timedelta(days=3)
    response = signed_in(agent).post(
        f"/activities/{activity.pk}/schedule/",
        {
            "schedule-start_at": start_at.strftime("%Y-%m-%dT%H:%M"),
            "schedule-due_at": (start_at + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200 and "Saved" in response.content.decode()
    step.refresh_from_db()
    assert step.postponed_until is not None and step.postponed_until > timezone.now()
    bad = signed_in(agent).post(
        f"/activities/{activity.pk}/schedule/",
        {
            "schedule-start_at": start_at.strftime("%Y-%m-%dT%H:%M"),
            "schedule-due_at": (start_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert bad.status_code == 422 and "must not be before the start" in bad.content.decode()


def test_changing_the_owner_moves_the_step_and_the_activity(agent, other_agent, outsider):
    _instance, step, activity = task_for(agent)
    client = signed_in(agent)
    client.post(f"/activities/{activity.pk}/owner/", {"owner-owner": f"user:{other_agent.pk}"})
    step.refresh_from_db()
    activity.refresh_from_db()
    assert step.owner == other_agent and activity.owner == other_agent
    role = Group.objects.get(name="1st line support")
    services.activity_reassign(activity_id=activity.pk, user=other_agent, role=role)
    step.refresh_from_db()
    assert step.owner_id is None and step.owner_role == role
    with pytest.raises(services.ActivityError):
        services.activity_reassign(activity_id=activity.pk, user=outsider, owner=outsider)


def test_changing_the_owner_answers_with_who_it_was_given_to(agent, other_agent):
    _instance, _step, activity = task_for(agent)
    client = signed_in(agent)
    url = f"/activities/{activity.pk}/owner/"
    in_dialog = client.post(
        url, {"owner-owner": f"user:{other_agent.pk}"}, headers={"HX-Request": "true"}
    )
    assert in_dialog.status_code == 200
    assert "Given to Carol Agent." in in_dialog.content.decode()
    assert "flowdesk:stepDone" in in_dialog["HX-Trigger"]
    assert "This step belongs to" not in in_dialog.content.decode()

    services.activity_reassign(activity_id=activity.pk, user=other_agent, owner=agent)
    on_its_page = client.post(url, {"owner-owner": f"user:{other_agent.pk}"})
    body = on_its_page.content.decode()
    assert on_its_page.status_code == 200
    assert "Given to Carol Agent." in body and 'id="comm-panel"' in body


def test_the_list_filters_mine_open_overdue_and_by_record(agent, other_agent):
    contact = make_contact("Maria Anders")
    now = timezone.now()
    services.activity_create(
        title="Call Maria",
        owner=agent,
        record=contact,
        start_at=now - timedelta(days=2),
        due_at=now - timedelta(days=1),
    )
    mine_later = services.activity_create(
        title="Send the offer", owner=agent, start_at=now + timedelta(days=1)
    )
    done = services.activity_create(title="Old call", owner=agent, start_at=now)
    services.activity_complete(activity_id=done.pk, user=agent, result="Completed")
    services.activity_create(title="Carol's call", owner=other_agent, start_at=now)

    def titles(**params):
        filters = selectors.parse_filters(params)
        return [a.title for a in selectors.activity_list(user=agent, filters=filters)]

    assert titles() == ["Call Maria", "Send the offer"]
    assert titles(overdue="1") == ["Call Maria"]
    assert titles(status="completed") == ["Old call"]
    assert titles(owner="all") == ["Call Maria", "Carol's call", "Send the offer"]
    assert titles(record=f"crm.Contact:{contact.pk}") == ["Call Maria"]
    page = signed_in(agent).get("/activities/").content.decode()
    assert "Call Maria" in page and "Overdue" in page and "Carol" not in page
    assert mine_later.get_absolute_url() in page


def test_the_list_reads_in_flat_queries(agent):
    client = signed_in(agent)

    def queries_for_list():
        client.get("/activities/")  # warm the session and content types
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/activities/")
        return len(captured), response

    for index in range(3):
        services.activity_create(
            title=f"Call {index}", owner=agent, record=make_contact(f"Contact {index}")
        )
    few, _response = queries_for_list()
    for index in range(3, 30):
        services.activity_create(
            title=f"Call {index}", owner=agent, record=make_contact(f"Contact {index}")
        )
    many, response = queries_for_list()
    assert many == few
    assert response.content.decode().count("<tr") == 26  # header + a page of 25


def test_the_calendar_shows_the_users_activities_by_day_week_and_month(agent, other_agent):
    tz = timezone.get_current_timezone()
    wednesday = datetime(2030, 5, 15, 10, 0, tzinfo=tz)
    services.activity_create(
        title="Quarterly review",
        owner=agent,
        start_at=wednesday,
        record=make_contact("Ana Trujillo"),
    )
    services.activity_create(title="Not mine", owner=other_agent, start_at=wednesday)
    client = signed_in(agent)
    week = client.get("/activities/calendar/?view=week&date=2030-05-15").content.decode()
    assert "Quarterly review" in week and "Not mine" not in week
    # A card says what it is for, not only what to do.
    assert '<span class="cal-record">Ana Trujillo</span>' in week
    assert "May 13 – May 19, 2030" in week
    assert 'href="?view=week&amp;date=2030-05-08"' in week  # previous
    assert 'href="?view=week&amp;date=2030-05-22"' in week  # next
    month = client.get("/activities/calendar/?view=month&date=2030-05-01").content.decode()
    assert "Quarterly review" in month and "May 2030" in month
    assert '<span class="cal-record">Ana Trujillo</span>' in month
    day = client.get("/activities/calendar/?view=day&date=2030-05-15").content.decode()
    assert "Quarterly review" in day and "10:00" in day
    empty = client.get("/activities/calendar/?view=day&date=2030-05-16").content.decode()
    assert "Nothing planned" in empty

    cal = selectors.calendar_for(user=agent, view="month", anchor=date(2030, 5, 1))
    assert len(cal.days) % 7 == 0 and cal.days[0].date.weekday() == 0
    assert cal.previous == date(2030, 4, 1) and cal.next == date(2030, 6, 1)


def test_a_busy_day_in_the_month_shows_three_and_counts_the_rest(agent):
    tz = timezone.get_current_timezone()
    for hour in range(8, 13):
        services.activity_create(
            title=f"Call at {hour}", owner=agent, start_at=datetime(2030, 5, 15, hour, tzinfo=tz)
        )
    # Began before the month's first shown day and still running: shown on that day.
    services.activity_create(
        title="Long project",
        owner=agent,
        start_at=datetime(2030, 4, 20, 9, tzinfo=tz),
        due_at=datetime(2030, 5, 2, 9, tzinfo=tz),
    )
    month = signed_in(agent).get("/activities/calendar/?view=month&date=2030-05-01")
    body = month.content.decode()
    assert [f"Call at {h}" in body for h in range(8, 13)] == [True, True, True, False, False]
    assert "+2 more" in body
    assert 'href="?view=day&amp;date=2030-05-15"' in body
    cal = selectors.calendar_for(user=agent, view="month", anchor=date(2030, 5, 1))
    assert [a.title for a in cal.days[0].activities] == ["Long project"]
    assert cal.days[0].date == date(2030, 4, 29)


def test_an_activity_made_by_hand(agent):
    client = signed_in(agent)
    response = client.post(
        "/activities/new/",
        {
            "title": "Visit Globex",
            "kind": "meeting",
            "start_at": "2030-01-02T10:00",
            "due_at": "2030-01-02T11:00",
            "notes": "",
        },
    )
    activity = Activity.objects.get(title="Visit Globex")
    assert response["Location"] == activity.get_absolute_url()
    assert activity.owner == agent and activity.kind == "meeting"


def test_activities_is_a_section(agent):
    page = signed_in(agent).get("/activities/").content.decode()
    assert 'href="/activities/"' in page and "Activities" in page
