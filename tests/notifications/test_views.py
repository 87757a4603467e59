import pytest
from django.urls import reverse

from notifications import selectors
from notifications.services import notification_create

pytestmark = pytest.mark.django_db


def test_the_frame_shows_the_unread_counter_and_recent_notifications(client, agent):
    notification_create(recipient=agent, title="Case 42 assigned to you", url="/cases/42/")
    client.force_login(agent)
    html = client.get(reverse("crm:contact-list")).content.decode()
    assert 'id="notifications-count" class="badge" data-count="1">1</span>' in html
    assert 'href="/cases/42/">Case 42 assigned to you</a>' in html


def test_a_zero_counter_is_hidden(client, agent):
    client.force_login(agent)
    html = client.get(reverse("crm:contact-list")).content.decode()
    assert 'id="notifications-count" class="badge" data-count="0" hidden>' in html
    assert 'id="process-tasks-count" class="badge" data-count="0" hidden>' in html
    assert "all caught up" in html


def test_the_panel_fragment_is_out_of_band_markup_for_polling(client, agent):
    notification_create(recipient=agent, title="Polled")
    client.force_login(agent)
    response = client.get(reverse("notifications:panel"))
    html = response.content.decode()
    assert "<html" not in html
    # notifications counter and list, business process tasks counter and list
    assert html.count('hx-swap-oob="true"') == 4
    assert "Polled" in html


def test_marking_read_over_htmx_answers_the_updated_panel(client, agent):
    notification = notification_create(recipient=agent, title="Read me")
    client.force_login(agent)
    response = client.post(
        reverse("notifications:mark-read", args=[notification.pk]), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert 'data-count="0" hx-swap-oob="true" hidden' in response.content.decode()
    assert selectors.unread_count(agent) == 0


def test_marking_read_requires_a_post(client, agent):
    notification = notification_create(recipient=agent, title="Read me")
    client.force_login(agent)
    response = client.get(reverse("notifications:mark-read", args=[notification.pk]))
    assert response.status_code == 405


def test_marking_someone_elses_notification_is_a_404(client, agent, other_agent):
    notification = notification_create(recipient=other_agent, title="Not yours")
    client.force_login(agent)
    response = client.post(reverse("notifications:mark-read", args=[notification.pk]))
    assert response.status_code == 404
    assert selectors.unread_count(other_agent) == 1


def test_mark_all_read_without_javascript_returns_to_the_page(client, agent):
    notification_create(recipient=agent, title="One")
    client.force_login(agent)
    response = client.post(reverse("notifications:mark-all-read"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("notifications:list")
    assert b"All notifications are marked read." in response.content
    assert selectors.unread_count(agent) == 0


def test_the_notifications_page_lists_them_with_pages(client, agent):
    for i in range(30):
        notification_create(recipient=agent, title=f"Notice {i:02d}")
    client.force_login(agent)
    html = client.get(reverse("notifications:list")).content.decode()
    assert "30 notifications" in html and "Notice 29" in html and "Notice 00" not in html
    assert "Send test notification" not in html, "agents are not staff"


def test_staff_can_queue_a_test_notification(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    assert b"Send test notification" in client.get(reverse("notifications:list")).content
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("notifications:send-test"), headers={"HX-Request": "true"})
    assert response.status_code == 204
    assert len(callbacks) == 1, "the task is queued only after the request commits"
