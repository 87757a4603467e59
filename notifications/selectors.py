from notifications.models import Notification

PANEL_SIZE = 10


def notifications_for(user):
    """All of a user's notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def recent_notifications(user, *, limit=PANEL_SIZE) -> list[Notification]:
    """What the panel lists: the latest notifications, read or not."""
    return list(notifications_for(user)[:limit])
