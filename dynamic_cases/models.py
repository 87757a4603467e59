"""Dynamic cases: stage definitions for any registered section, chosen by a column's value.

A DynamicCase is the header admins find in the Case designer: the section
(a registered model), the column that chooses it ("Which column determines
which case to use with a record?") and the value ("Use this case with
records where"). Its stages and steps live in versions (JSON, like a
process's BPMN): records keep the version they started with, new records
take the newest. A record runs one case at a time: its RecordCase row; each
step of its current stage is a RecordCaseStep backed by a process instance.

The models lived in the cases app until migration cases 0006: their tables keep
the names they had there (`db_table`), so no row moved.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class DynamicCase(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Lower-case letters, digits and underscores; names its generated processes."),
    )
    name = models.CharField(_("name"), max_length=200)
    section = models.CharField(
        _("section"), max_length=100, help_text=_("The registered model, e.g. crm.Opportunity.")
    )
    choice_field = models.CharField(
        _("Which column determines which case to use with a record?"),
        max_length=100,
        blank=True,
    )
    choice_value = models.CharField(
        _("Use this case with records where"), max_length=200, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    modified_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        db_table = "cases_dynamiccase"
        ordering = ["section", "name"]
        verbose_name = _("dynamic case")
        verbose_name_plural = _("dynamic cases")
        indexes = [models.Index(fields=["section", "is_active"], name="dyncase_section")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("dynamic_cases:case-edit", args=[self.pk])

    def matches(self, value) -> bool:
        """Does a record whose choosing column holds `value` use this case?"""
        if not self.choice_field:
            return True
        return _text(value) == self.choice_value.strip().casefold()


def _text(value) -> str:
    return "" if value is None else str(value).strip().casefold()


class DynamicCaseVersion(models.Model):
    """One saved definition of a case: its stage column, stages and steps (JSON)."""

    case = models.ForeignKey(DynamicCase, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "cases_dynamiccaseversion"
        ordering = ["case", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="uniq_dyncase_version")
        ]

    def __str__(self):
        return f"{self.case.name} v{self.number}"

    # -- reading the definition: models answer about themselves ---------------

    @property
    def stage_field(self) -> str:
        return self.definition.get("stage_field", "stage")

    @property
    def stages(self) -> list[dict]:
        return self.definition.get("stages", [])

    def stage(self, value) -> dict | None:
        wanted = _text(value)
        for stage in self.stages:
            if _text(stage["value"]) == wanted:
                return stage
        return None

    def unsuccessful_stage(self) -> dict | None:
        return next((s for s in self.stages if s.get("unsuccessful")), None)

    def next_stages(self, current) -> list[str]:
        """The stages a record at `current` may move to: its next stages, and the final
        unsuccessful stage from anywhere but itself."""
        stage = self.stage(current)
        allowed = list(stage.get("next", [])) if stage else []
        lost = self.unsuccessful_stage()
        is_lost = stage is not None and lost is not None and stage["value"] == lost["value"]
        if lost and not is_lost and lost["value"] not in allowed:
            allowed.append(lost["value"])
        return allowed

    def step(self, stage_value, key) -> dict | None:
        stage = self.stage(stage_value)
        return next((s for s in (stage or {}).get("steps", []) if s["key"] == key), None)

    def process_code(self, step_key) -> str:
        return f"dyn_{self.case.code}_v{self.number}_{step_key}"


class RecordCase(models.Model):
    """The case one record runs: its version and current stage."""

    record_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    record_id = models.CharField(max_length=64)
    version = models.ForeignKey(
        DynamicCaseVersion, on_delete=models.PROTECT, related_name="record_cases"
    )
    stage = models.CharField(_("current stage"), max_length=200)
    # Bumped on every stage entry, so a stage visited twice runs its steps again.
    round = models.PositiveIntegerField(default=1)
    # Stages entered so far, in order: the workflow bar marks them done.
    visited = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    stage_entered_at = models.DateTimeField(_("stage entered"))

    class Meta:
        db_table = "cases_recordcase"
        constraints = [
            models.UniqueConstraint(fields=["record_type", "record_id"], name="uniq_record_case")
        ]
        verbose_name = _("record case")
        verbose_name_plural = _("record cases")

    def __str__(self):
        return f"{self.version} · {self.stage}"


class RecordCaseStep(models.Model):
    """One step of a record's current (or a past) stage, run by a process instance."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for another step")
        RUNNING = "running", _("In progress")
        DONE = "done", _("Done")
        SKIPPED = "skipped", _("Skipped")
        CANCELED = "canceled", _("Canceled")

    OPEN_STATUSES = (Status.PENDING, Status.RUNNING)
    FINISHED_STATUSES = (Status.DONE, Status.SKIPPED)

    record_case = models.ForeignKey(RecordCase, on_delete=models.CASCADE, related_name="steps")
    round = models.PositiveIntegerField()
    stage = models.CharField(max_length=200)
    key = models.SlugField(max_length=60)
    name = models.CharField(_("name"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    required = models.BooleanField(_("required"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    instance = models.ForeignKey(
        "processes.ProcessInstance",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    finished_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        db_table = "cases_recordcasestep"
        ordering = ["record_case", "round", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_case", "round", "key"], name="uniq_record_case_step"
            )
        ]
        indexes = [models.Index(fields=["instance"], name="dyncase_step_instance")]

    def __str__(self):
        return self.name

    @property
    def is_open(self):
        return self.status in self.OPEN_STATUSES
