"""Activities: tasks, calls and meetings, and the process steps they carry.

An activity made by a "Perform task" step (or any step with
flowdesk:createActivity) keeps the step; completing the activity with one of
its allowed results completes the step.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Activity(models.Model):
    class Kind(models.TextChoices):
        TASK = "task", _("Task")
        CALL = "call", _("Call")
        MEETING = "meeting", _("Meeting")

    class Status(models.TextChoices):
        OPEN = "open", _("Not started")
        COMPLETED = "completed", _("Completed")
        CANCELED = "canceled", _("Canceled")

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("type"), max_length=10, choices=Kind, default=Kind.TASK)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    result = models.CharField(_("result"), max_length=200, blank=True)
    allowed_results = models.JSONField(_("allowed results"), default=list, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    owner_role = models.ForeignKey(
        "auth.Group",
        verbose_name=_("owner role"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    start_at = models.DateTimeField(_("start"))
    due_at = models.DateTimeField(_("due"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    record_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True
    )
    record_id = models.CharField(max_length=64, blank=True)
    record_label = models.CharField(_("connected to"), max_length=300, blank=True)
    record_url = models.CharField(max_length=300, blank=True)
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    account = models.ForeignKey(
        "crm.Account",
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    step = models.ForeignKey(
        "processes.Step",
        verbose_name=_("process step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
    )
    process_name = models.CharField(_("process"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        ordering = ["start_at", "pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["owner", "start_at"], name="activity_owner_start"),
            models.Index(fields=["owner_role", "start_at"], name="activity_role_start"),
            models.Index(fields=["record_type", "record_id"], name="activity_record"),
            models.Index(fields=["due_at"], name="activity_open_due", condition=Q(status="open")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["step"], name="uniq_activity_step", condition=Q(step__isnull=False)
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activities:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    @property
    def results(self) -> list[str]:
        return list(self.allowed_results or []) or ["Completed"]

    def can_be_done_by(self, user) -> bool:
        """Its owner or a member of its owner role (administrators too, for plain ones)."""
        if user is None or not user.is_authenticated:
            return False
        if self.owner_id is not None and self.owner_id == user.pk:
            return True
        if self.owner_role_id is not None and user.groups.filter(pk=self.owner_role_id).exists():
            return True
        return self.step_id is None and user.is_staff

    @property
    def owner_label(self) -> str:
        if self.owner_id and self.owner is not None:
            return self.owner.get_full_name() or self.owner.get_username()
        if self.owner_role_id and self.owner_role is not None:
            return str(self.owner_role)
        return ""
