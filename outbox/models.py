from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Effect(models.Model):
    """One thing a committed change obliges (an email, a signal, a resumed parent).

    Written in the transaction of its cause; the worker carries it out at least
    once, and the row says how that went.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Queued")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=100)
    # Recording the same key twice records one effect: the cause's own idempotency.
    key = models.CharField(_("key"), max_length=300, unique=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    available_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)

    class Meta:
        verbose_name = _("effect")
        verbose_name_plural = _("effects")
        indexes = [
            models.Index(
                fields=["available_at"],
                condition=models.Q(status="pending"),
                name="outbox_effect_due",
            ),
            # The retention prune's scan: done effects by age, nothing else.
            models.Index(
                fields=["done_at"],
                condition=models.Q(status="done"),
                name="outbox_effect_done",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.key} ({self.status})"

    @property
    def is_retrying(self) -> bool:
        return self.status == self.Status.PENDING and self.attempts > 0
