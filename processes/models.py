"""Process definitions, their versions, instances and steps.

The step rows are the process log and the engine's tokens at once: an open
step (active, waiting, error) is a token; a finished one is history.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.fields.json import KT
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class ProcessDefinition(models.Model):
    """A business process, identified by its BPMN process id (its code)."""

    code = models.CharField(_("code"), max_length=200, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Inactive processes cannot be started by hand or by a trigger."),
    )
    tracing = models.BooleanField(
        _("trace data"), default=False, help_text=_("Keep the variables each step saw.")
    )
    is_system = models.BooleanField(_("built in"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        indexes = [models.Index(fields=["is_active", "name"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("processes:library-detail", args=[self.pk])


class ProcessVersion(models.Model):
    """One imported BPMN document for a process. Instances keep their version."""

    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    bpmn_xml = models.TextField(_("BPMN 2.0 XML"))
    checksum = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # A draft started from the designer's Test run (processes/designer.py): numbered 0,
    # so every "newest version" (starts, messages, timer starts, calls) passes it by;
    # left out of the Versions table and the library's count; its instances say so.
    is_test_run = models.BooleanField(_("test run"), default=False)

    class Meta:
        ordering = ["definition", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "number"],
                name="uniq_process_version",
                condition=Q(is_test_run=False),
            )
        ]

    def __str__(self):
        return f"{self.definition.name} v{self.number}"


class ProcessDraft(models.Model):
    """A model being edited in the designer: not a version until it is published.

    A draft of a new process has no definition; one opened from a version keeps the
    definition and the version it started from (publishing makes version N+1).
    """

    definition = models.ForeignKey(
        ProcessDefinition,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="drafts",
    )
    based_on = models.ForeignKey(
        ProcessVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    bpmn_xml = models.TextField(_("BPMN 2.0 XML"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        ordering = ["-modified_at"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("processes:designer", args=[self.pk])


class DecisionDefinition(models.Model):
    """A DMN model (a .dmn file's <definitions>), identified by its id or namespace (its code).

    Kept apart from ProcessDefinition: a decision has no instances, steps, triggers
    or active flag, and no process query has to filter decisions out.
    """

    code = models.CharField(_("code"), max_length=200, unique=True)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("decision model")
        verbose_name_plural = _("decision models")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("processes:decision-detail", args=[self.pk])


class DecisionVersion(models.Model):
    """One imported DMN document. Business-rule tasks call the newest version's decisions."""

    definition = models.ForeignKey(
        DecisionDefinition, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    namespace = models.CharField(_("namespace"), max_length=500, blank=True)
    dmn_xml = models.TextField(_("DMN XML"))
    checksum = models.CharField(max_length=64)
    # The model's decisions, [{"id": ..., "name": ...}], to find a decision by id or name.
    decisions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["definition", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "number"], name="uniq_decision_version")
        ]

    def __str__(self):
        return f"{self.definition.name} v{self.number}"


LIVE = Q(archived_at__isnull=True)


class ProcessInstance(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        COMPLETED = "completed", _("Completed")
        CANCELED = "canceled", _("Canceled")
        ERROR = "error", _("Error")

    definition = models.ForeignKey(
        ProcessDefinition, on_delete=models.PROTECT, related_name="instances"
    )
    version = models.ForeignKey(ProcessVersion, on_delete=models.PROTECT, related_name="instances")
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.RUNNING)
    variables = models.JSONField(_("variables"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    error_code = models.CharField(_("BPMN error code"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    parent_step_no = models.PositiveIntegerField(null=True, blank=True)
    start_event = models.CharField(
        max_length=200, blank=True, help_text=_("The start event a deferred start begins at.")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    record_type = models.ForeignKey(
        "contenttypes.ContentType", on_delete=models.SET_NULL, null=True, blank=True
    )
    record_id = models.CharField(max_length=64, blank=True)
    business_key = models.CharField(
        _("business key"),
        max_length=200,
        blank=True,
        help_text=_("The caller's name for the instance (an order number), for messages."),
    )
    next_step_no = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField(_("started"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    duration = models.DurationField(_("duration"), null=True, blank=True)
    # Set by `archive_instances` on finished instances older than FLOWDESK_ARCHIVE_AFTER_DAYS:
    # the Process log's indexes hold only the others, so they stay the size of the live work.
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["-started_at", "-id"], name="instance_recent", condition=LIVE),
            models.Index(fields=["status", "-started_at"], name="instance_status", condition=LIVE),
            models.Index(
                fields=["definition", "-started_at"], name="instance_definition", condition=LIVE
            ),
            models.Index(
                fields=["started_by", "-started_at"], name="instance_owner", condition=LIVE
            ),
            # "Include archived": every instance, newest first; and what the archiver looks for.
            models.Index(fields=["-started_at", "-id"], name="instance_all_recent"),
            models.Index(
                fields=["completed_at"],
                name="instance_to_archive",
                condition=LIVE & Q(status__in=["completed", "canceled"]),
            ),
            models.Index(fields=["record_type", "record_id"], name="instance_record"),
            models.Index(
                fields=["business_key"], name="instance_business_key", condition=~Q(business_key="")
            ),
            models.Index(
                fields=["definition", "duration"],
                name="instance_completed_duration",
                condition=Q(status="completed"),
            ),
        ]

    def __str__(self):
        return f"{self.definition.name} #{self.pk}"

    def get_absolute_url(self):
        return reverse("processes:log-detail", args=[self.pk])


class Step(models.Model):
    """One visit of one element by one token of an instance."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WAITING = "waiting", _("Waiting")
        COMPLETED = "completed", _("Completed")
        CANCELED = "canceled", _("Canceled")
        ERROR = "error", _("Error")

    OPEN_STATUSES = (Status.ACTIVE, Status.WAITING, Status.ERROR)

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveIntegerField()
    element_id = models.CharField(max_length=200)
    element_type = models.CharField(max_length=60)
    name = models.CharField(_("caption"), max_length=300, blank=True)
    scope_number = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status)
    started_at = models.DateTimeField(_("started"))
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    postponed_until = models.DateTimeField(_("postponed until"), null=True, blank=True)
    # A due timer the sweep has handed to a worker: no other sweep takes it until then.
    timer_claimed_until = models.DateTimeField(null=True, blank=True)
    event_key = models.CharField(max_length=300, blank=True)
    correlation_key = models.CharField(
        _("correlation key"),
        max_length=300,
        blank=True,
        help_text=_("The key a waiting message step takes only messages of."),
    )
    is_user_step = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="process_steps",
    )
    owner_role = models.ForeignKey(
        "auth.Group",
        verbose_name=_("owner role"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="process_steps",
    )
    result = models.CharField(_("result"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    trace = models.JSONField(null=True, blank=True)
    # An external-task step's lock (processes/external_tasks.py): which worker holds
    # it until when, the retries it has left and its last failure. Engine runs never
    # write these (persistence.py names its columns), so a run cannot undo a lock.
    worker_id = models.CharField(_("external worker"), max_length=255, db_default="")
    lock_expires_at = models.DateTimeField(_("locked until"), null=True, blank=True)
    retries = models.IntegerField(_("retries left"), null=True, blank=True)
    worker_error = models.TextField(_("worker's error"), db_default="", blank=True)
    worker_error_details = models.TextField(_("worker's error details"), db_default="", blank=True)

    class Meta:
        ordering = ["instance", "number"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "number"], name="uniq_step_number")
        ]
        indexes = [
            models.Index(fields=["due_at"], name="step_due_timer", condition=Q(status="waiting")),
            models.Index(
                fields=["event_key", "correlation_key"],
                name="step_waiting_event",
                condition=Q(status="waiting"),
            ),
            models.Index(
                fields=["owner", "status"],
                name="step_user_owner",
                condition=Q(is_user_step=True),
            ),
            models.Index(
                fields=["owner_role", "status"],
                name="step_user_role",
                condition=Q(is_user_step=True),
            ),
            models.Index(
                KT("data__topic"),
                F("lock_expires_at"),
                name="step_external_topic",
                condition=Q(status="waiting", data__has_key="topic"),
            ),
        ]

    def __str__(self):
        return self.name or self.element_id

    @property
    def duration(self):
        if self.completed_at:
            return self.completed_at - self.started_at
        return None

    def can_be_done_by(self, user) -> bool:
        """Only the owner, or a member of the owner role, may open or complete a user step."""
        if user is None or not user.is_authenticated:
            return False
        if self.owner_id is not None and self.owner_id == user.pk:
            return True
        if self.owner_role_id is not None:
            return user.groups.filter(pk=self.owner_role_id).exists()
        return False

    @property
    def owner_label(self) -> str:
        """Who the step is for, as people say it: a name, or the role."""
        if self.owner_id is not None and self.owner is not None:
            return self.owner.get_full_name() or self.owner.get_username()
        if self.owner_role_id is not None and self.owner_role is not None:
            return str(self.owner_role)
        return ""

    def is_postponed(self, now) -> bool:
        return self.postponed_until is not None and self.postponed_until > now


class TimerStart(models.Model):
    """A timer start event of an active process version, armed for its next firing."""

    version = models.ForeignKey(ProcessVersion, on_delete=models.CASCADE, related_name="timers")
    element_id = models.CharField(max_length=200)
    next_due = models.DateTimeField(null=True, blank=True)
    fired_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "element_id"], name="uniq_timer_start")
        ]
        indexes = [models.Index(fields=["next_due"], name="timer_start_due")]

    def __str__(self):
        return f"{self.version} {self.element_id}"


class KeptMessage(models.Model):
    """A message no waiting instance took: kept for a while for the first instance
    that starts waiting for it (message buffering), or the record of a delivery
    that failed (a message matching several instances, or none when the sender
    asked for a refusal)."""

    class Status(models.TextChoices):
        KEPT = "kept", _("Kept")
        DELIVERED = "delivered", _("Delivered")
        EXPIRED = "expired", _("Expired")
        FAILED = "failed", _("Failed")

    name = models.CharField(_("message"), max_length=300)
    correlation_key = models.CharField(_("correlation key"), max_length=300, blank=True)
    keyed = models.BooleanField(default=False, help_text=_("The sender gave a correlation key."))
    business_key = models.CharField(_("business key"), max_length=200, blank=True)
    match_variables = models.JSONField(default=dict, blank=True)
    payload = models.JSONField(null=True, blank=True)
    variable = models.CharField(max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.KEPT)
    reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(_("received"))
    expires_at = models.DateTimeField(_("kept until"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivered_to = models.ForeignKey(
        ProcessInstance,
        verbose_name=_("delivered to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["name", "expires_at"], name="kept_message_name", condition=Q(status="kept")
            ),
            models.Index(fields=["status", "created_at"], name="kept_message_status"),
            # The Messages page: newest first, unfiltered (status filters use the one above).
            models.Index(fields=["created_at", "id"], name="kept_message_received"),
        ]

    def __str__(self):
        return f"{self.name} ({self.status})"
