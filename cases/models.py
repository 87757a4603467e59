"""Service cases, their lookups, service agreements, work calendars and history.

Lookups are plain rows admins edit in the Django admin. The rules a row can
answer about itself (is a status active? which status starts, reopens, closes? may
a case move to that one?) live here; the writes live in cases/services.py and the
modules beside it. The customer side's models live in cases/correspondence/models.py.
"""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The customer side (messages, attachments, unreadable incoming mail) has a module of its
# own; importing it here registers its models with the app.
from cases.correspondence.models import CaseAttachment, CaseMessage, InboundFailure

__all__ = ["CaseAttachment", "CaseMessage", "InboundFailure"]  # and the models defined below


class Lookup(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name


class CaseCategory(Lookup):
    """Incident, Service request."""

    code = models.SlugField(_("code"), max_length=50, unique=True)

    class Meta(Lookup.Meta):
        verbose_name = _("case category")
        verbose_name_plural = _("case categories")


class CasePriority(Lookup):
    """Critical, High, Medium, Low: `order` sorts queues (lower first)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("case priority")
        verbose_name_plural = _("case priorities")


class SupportLevel(Lookup):
    """1st line, 2nd line...: the group that usually works at that level."""

    order = models.PositiveSmallIntegerField(_("order"), default=1)
    group = models.ForeignKey(
        "auth.Group",
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("support level")
        verbose_name_plural = _("support levels")


class ClosureCode(Lookup):
    class Meta(Lookup.Meta):
        verbose_name = _("closure code")
        verbose_name_plural = _("closure codes")


class Tag(Lookup):
    class Meta(Lookup.Meta):
        verbose_name = _("tag")
        verbose_name_plural = _("tags")


class Service(Lookup):
    class Meta(Lookup.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")


class ConfigurationItem(Lookup):
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta(Lookup.Meta):
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")


class CaseStatus(models.Model):
    """A case status and its flags; `next_statuses` is where a case may go from it."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_final = models.BooleanField(_("final status"), default=False)
    is_resolved = models.BooleanField(_("resolved status"), default=False)
    is_paused = models.BooleanField(
        _("pause status"), default=False, help_text=_("The deadline clock stops in it.")
    )
    close_on_save = models.BooleanField(
        _("close on save"),
        default=False,
        help_text=_("Return to the Cases list after a case moves to this status."),
    )
    is_initial = models.BooleanField(
        _("start status"),
        default=False,
        help_text=_("New cases start in it (the first by order, when several have the flag)."),
    )
    assigns_mover = models.BooleanField(
        _("work status"),
        default=False,
        help_text=_(
            "Moving a case here makes the mover its assignee and emails the customer "
            "that work has started."
        ),
    )
    is_reopen = models.BooleanField(
        _("reopen status"),
        default=False,
        help_text=_(
            "A customer's reply or low rating returns a paused or resolved case to it "
            "(the first by order, when several have the flag)."
        ),
    )
    next_statuses = models.ManyToManyField(
        "self",
        verbose_name=_("allowed next statuses"),
        symmetrical=False,
        blank=True,
        related_name="previous_statuses",
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("case status")
        verbose_name_plural = _("case statuses")

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        """New, In progress, Reopened: a status someone is expected to work on now."""
        return not (self.is_final or self.is_resolved or self.is_paused)

    @property
    def is_canceled(self):
        """Final without a resolution: the case ended unsolved."""
        return self.is_final and not self.is_resolved

    @property
    def is_awaiting_rating(self):
        """Resolved but not final: the customer may still rate or reopen it."""
        return self.is_resolved and not self.is_final

    @property
    def tone(self):
        """The colour family of its pill and workflow-bar stage, from its flags."""
        if self.is_final:
            return "final"
        if self.is_resolved:
            return "resolved"
        if self.is_paused:
            return "paused"
        if self.is_initial:
            return "new"
        return "active"

    @classmethod
    def initial(cls):
        """The status a new case starts in."""
        status = cls.objects.filter(is_initial=True).order_by("order", "pk").first()
        if status is None:
            raise cls.DoesNotExist("no case status is marked as the start status")
        return status

    @classmethod
    def reopen_target(cls):
        """The status a customer's reply or low rating reopens a case into, or None."""
        return cls.objects.filter(is_reopen=True).order_by("order", "pk").first()

    @classmethod
    def closing(cls):
        """The status the automatic sweep closes resolved cases into (final and resolved),
        or None."""
        return cls.objects.filter(is_final=True, is_resolved=True).order_by("order", "pk").first()

    @classmethod
    def active_q(cls, prefix="status__"):
        return Q(
            **{
                f"{prefix}is_final": False,
                f"{prefix}is_resolved": False,
                f"{prefix}is_paused": False,
            }
        )


class SatisfactionLevel(models.Model):
    """A customer rating (1-5) and the status it moves a resolved case to."""

    value = models.PositiveSmallIntegerField(_("value"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    status = models.ForeignKey(
        CaseStatus,
        verbose_name=_("case status"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["value"]
        verbose_name = _("satisfaction level")
        verbose_name_plural = _("satisfaction levels")

    def __str__(self):
        return f"{self.value} · {self.name}"


class WorkCalendar(models.Model):
    """Working days and hours per weekday, and holidays, in one time zone."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")

    class Meta:
        ordering = ["name"]
        verbose_name = _("work calendar")
        verbose_name_plural = _("work calendars")

    def __str__(self):
        return self.name


class WorkingDay(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="days")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        ordering = ["calendar", "weekday", "start"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="working_day_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Holiday(models.Model):
    calendar = models.ForeignKey(WorkCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["calendar", "date"]
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="uniq_calendar_holiday")
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.name}".strip()


class ServiceAgreement(Lookup):
    """An SLA: its calendar, the category it classifies cases as, and its terms."""

    calendar = models.ForeignKey(
        WorkCalendar,
        verbose_name=_("calendar"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Empty: the calendar of the BaseCalendar system setting."),
    )
    category = models.ForeignKey(
        CaseCategory,
        verbose_name=_("case category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    account = models.ForeignKey(
        "crm.Account",
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="service_agreements",
    )

    class Meta(Lookup.Meta):
        verbose_name = _("service agreement")
        verbose_name_plural = _("service agreements")


class ServiceTerm(models.Model):
    """Response and resolution time, in working minutes, per service and priority."""

    agreement = models.ForeignKey(ServiceAgreement, on_delete=models.CASCADE, related_name="terms")
    service = models.ForeignKey(
        Service,
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Empty: any service."),
    )
    priority = models.ForeignKey(CasePriority, verbose_name=_("priority"), on_delete=models.CASCADE)
    response_minutes = models.PositiveIntegerField(_("response time (working minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution time (working minutes)"))

    class Meta:
        ordering = ["agreement", "service", "priority__order"]
        verbose_name = _("service term")
        verbose_name_plural = _("service terms")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "service", "priority"], name="uniq_service_term"
            ),
        ]

    def __str__(self):
        return f"{self.agreement} · {self.service or _('any service')} · {self.priority}"

    @property
    def response_time(self):
        return timedelta(minutes=self.response_minutes)

    @property
    def resolution_time(self):
        return timedelta(minutes=self.resolution_minutes)


class Case(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True, null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    category = models.ForeignKey(
        CaseCategory, verbose_name=_("category"), on_delete=models.PROTECT, null=True, blank=True
    )
    priority = models.ForeignKey(
        CasePriority, verbose_name=_("priority"), on_delete=models.PROTECT, null=True, blank=True
    )
    status = models.ForeignKey(
        CaseStatus, verbose_name=_("status"), on_delete=models.PROTECT, related_name="cases"
    )
    contact = models.ForeignKey(
        "crm.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    account = models.ForeignKey(
        "crm.Account",
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    service_agreement = models.ForeignKey(
        ServiceAgreement,
        verbose_name=_("service agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    service = models.ForeignKey(
        Service, verbose_name=_("service"), on_delete=models.SET_NULL, null=True, blank=True
    )
    configuration_item = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("configuration item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    support_level = models.ForeignKey(
        SupportLevel,
        verbose_name=_("support level"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_cases",
    )
    assignee_group = models.ForeignKey(
        "auth.Group",
        verbose_name=_("assignee group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent case"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="cases")
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    response_due = models.DateTimeField(_("response deadline"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution deadline"), null=True, blank=True)
    responded_at = models.DateTimeField(_("actual response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("actual resolution"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(
        _("paused working time (s)"),
        default=0,
        help_text=_("Working time spent in pause statuses; it shifts the deadlines."),
    )
    postponed_until = models.DateTimeField(_("postponed until"), null=True, blank=True)
    satisfaction = models.ForeignKey(
        SatisfactionLevel,
        verbose_name=_("satisfaction level"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    closure_code = models.ForeignKey(
        ClosureCode,
        verbose_name=_("closure code"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    closure_notes = models.TextField(_("closure notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        ordering = ["-registered_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "assignee"], name="case_status_assignee"),
            models.Index(fields=["assignee_group", "status"], name="case_group_status"),
            models.Index(fields=["resolution_due"], name="case_resolution_due"),
            # The list's default sort (newest first) and its reverse, and its pages.
            models.Index(fields=["-registered_at", "-id"], name="case_registered"),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}" if self.number else self.subject

    def get_absolute_url(self):
        return reverse("cases:case-detail", args=[self.pk])

    @property
    def is_active(self):
        return self.status.is_active

    @property
    def is_overdue(self):
        if not self.status.is_active:
            return False
        return self.resolution_due is not None and self.resolution_due < timezone.now()

    @property
    def paused_time(self):
        return timedelta(seconds=self.paused_seconds)

    def move_refusal(self, to):
        """Why this case may not move to status `to`, or "" when it may."""
        if to.pk == self.status_id:
            return _("The case is already “%(status)s”.") % {"status": to}
        if self.status.is_final:
            return _("“%(status)s” is a final status: a case in it cannot change status.") % {
                "status": self.status
            }
        if not self.status.next_statuses.filter(pk=to.pk).exists():
            return _("A case cannot move from “%(old)s” to “%(new)s”.") % {
                "old": self.status,
                "new": to,
            }
        return ""


class CaseEvent(models.Model):
    """One entry of a case's History: who did what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Case registered")
        STATUS = "status", _("Status changed")
        ASSIGNMENT = "assignment", _("Assignment changed")
        ESCALATION = "escalation", _("Escalated")
        RECLASSIFIED = "reclassified", _("Reclassified")
        NOTE = "note", _("Internal note")
        EMAIL = "email", _("Email")
        PORTAL = "portal", _("Portal message")
        PARENT = "parent", _("Parent case set")
        POSTPONED = "postponed", _("Postponed")
        RATING = "rating", _("Satisfaction rating")
        ARTICLE = "article", _("Knowledge base article")
        EDITED = "edited", _("Case edited")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    text = models.TextField(_("text"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case history")
        indexes = [models.Index(fields=["case", "-created_at"], name="case_event_recent")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"
