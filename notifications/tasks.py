from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from notifications.panel import push_process_tasks_panels
from notifications.services import notification_create


@shared_task(
    name="notifications.notify_user",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def notify_user(user_id, title, body="", url=""):
    """Create a notification for a user (and push it to their open pages)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return None
    return notification_create(recipient=user, title=title, body=body, url=url).pk


@shared_task(
    name="notifications.push_process_tasks",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def push_process_tasks(user_ids):
    """Push each user's Business process tasks tab and counter to their open pages."""
    push_process_tasks_panels(user_ids)
