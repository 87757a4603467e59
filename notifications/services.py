"""Writes to notifications: one transaction each, pushes after commit."""

from urllib.parse import urlsplit

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from notifications.panel import render_panel_update
from notifications.push import push_html


def _safe_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        return url
    if not parts.scheme and not parts.netloc and url.startswith("/"):
        return url
    raise ValueError(f"Notification links must be a site path or an http(s) URL, not {url!r}")


def _push_panel(user, *, toast=None):
    # Rendered after commit, so every tab receives the state other requests will see.
    transaction.on_commit(lambda: push_html(user.pk, render_panel_update(user, toast=toast)))


def notification_create(*, recipient, title, body="", url="", kind="info") -> Notification:
    """Record a notification for one user; after commit, push the entry and counter
    to every page the user has open."""
    with transaction.atomic():
        notification = Notification.objects.create(
            recipient=recipient,
            title=title[:200],
            body=body,
            url=_safe_url(url),
            kind=kind or "info",
        )
        _push_panel(recipient, toast=notification)
    return notification


def notification_mark_read(*, user, notification_id) -> Notification:
    """Mark one of the user's notifications read (harmless twice); after commit, update
    the counter and entry in all the user's open tabs. Raises Notification.DoesNotExist
    for a notification that is not the user's."""
    with transaction.atomic():
        notification = Notification.objects.select_for_update().get(
            pk=notification_id, recipient=user
        )
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        _push_panel(user)
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    with transaction.atomic():
        changed = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        _push_panel(user)
    return changed
