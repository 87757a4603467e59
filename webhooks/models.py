import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from webhooks import events


class Subscription(models.Model):
    """A URL that hears of the events it names, signed with its own secret."""

    name = models.CharField(_("name"), max_length=200)
    url = models.CharField(_("URL"), max_length=2000)
    events = models.JSONField(_("events"), default=list)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("A paused subscription receives nothing.")
    )
    # Kept readable: every delivery is signed with it (HMAC), and staff may reveal it.
    secret = models.CharField(_("signing secret"), max_length=100)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("webhooks:detail", args=[self.pk])

    @property
    def event_labels(self) -> list[str]:
        return [events.LABELS.get(name, name) for name in self.events]


class Delivery(models.Model):
    """One event on its way to one subscription; a resend is a new delivery of the same event."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RETRYING = "retrying", _("Retrying")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent (paused)")

    # The Flowdesk-Delivery header: the same across retries, so receivers can drop repeats.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=60)
    # The body's "id": the same for every subscription and every resend of one event.
    event_id = models.UUIDField(_("event id"), default=uuid.uuid4)
    occurred_at = models.DateTimeField(_("occurred"))
    data = models.JSONField(_("data"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    resent_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["subscription", "-created_at"], name="webhooks_delivery_log"),
            # The retention prune's scan: finished deliveries by age.
            models.Index(
                fields=["created_at"],
                condition=models.Q(status__in=["succeeded", "failed", "skipped"]),
                name="webhooks_delivery_finished",
            ),
        ]

    def __str__(self):
        return f"{self.event} → {self.subscription_id} ({self.status})"

    @property
    def event_label(self) -> str:
        return events.LABELS.get(self.event, self.event)

    @property
    def is_open(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RETRYING}

    def is_due_soon(self, now, within=timedelta(minutes=1)) -> bool:
        if self.status == self.Status.QUEUED:
            return True
        return self.status == self.Status.RETRYING and (
            self.next_attempt_at is None or self.next_attempt_at <= now + within
        )


class Attempt(models.Model):
    """What one POST of a delivery got back."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField(_("attempt"))
    at = models.DateTimeField(_("when"))
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The first 2 KB of what the receiver answered.
    response_body = models.TextField(_("response"), blank=True)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number"]

    def __str__(self):
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error[:40]}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
