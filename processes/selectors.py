"""Reads for the Process library, the Process log and the user-step panels.

The list queries keep their query count flat: counts and the last start are
correlated subqueries on indexed columns, never per-row lookups.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET  # noqa: S405 - stored XML, already parsed by the engine at import
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from processes.engine.bpmn import FLOWDESK_NS
from processes.models import (
    DecisionDefinition,
    DecisionVersion,
    KeptMessage,
    ProcessDefinition,
    ProcessInstance,
    ProcessVersion,
    Step,
)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


# --------------------------------------------------------------------------
# Process library
# --------------------------------------------------------------------------


def _count_of(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("definition").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        Value(0),
    )


def library_list(*, q: str = "", active_only: bool = True):
    """Processes with their version count, running count and last start, by name."""
    versions = ProcessVersion.objects.filter(definition=OuterRef("pk"), is_test_run=False)
    running = ProcessInstance.objects.filter(
        definition=OuterRef("pk"), status=ProcessInstance.Status.RUNNING
    )
    last_started = (
        ProcessInstance.objects.filter(definition=OuterRef("pk"))
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    processes = ProcessDefinition.objects.only(
        "pk", "code", "name", "description", "is_active", "modified_at"
    )
    if active_only:
        processes = processes.filter(is_active=True)
    if q:
        processes = processes.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return processes.annotate(
        version_count=_count_of(versions),
        running_count=_count_of(running),
        last_started_at=Subquery(last_started),
    ).order_by("name", "pk")


def decision_list(*, q: str = ""):
    """Decision models with their version count and their newest version's decisions."""
    newest = DecisionVersion.objects.filter(definition=OuterRef("pk")).order_by("-number")
    models = DecisionDefinition.objects.all()
    if q:
        models = models.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return models.annotate(
        version_count=_count_of(DecisionVersion.objects.filter(definition=OuterRef("pk"))),
        newest_number=Subquery(newest.values("number")[:1]),
        newest_decisions=Subquery(newest.values("decisions")[:1]),
        last_imported_at=Subquery(newest.values("created_at")[:1]),
    ).order_by("name", "pk")


def decision_version_list(definition):
    return (
        DecisionVersion.objects.filter(definition=definition)
        .select_related("created_by")
        .defer("dmn_xml")
        .order_by("-number")
    )


def running_count(definition) -> int:
    return ProcessInstance.objects.filter(
        definition=definition, status__in=[ProcessInstance.Status.RUNNING]
    ).count()


def open_count(definition) -> int:
    """Running or failed top-level instances: what deactivating would cancel."""
    return ProcessInstance.objects.filter(
        definition=definition,
        status__in=[ProcessInstance.Status.RUNNING, ProcessInstance.Status.ERROR],
        parent__isnull=True,
    ).count()


def version_list(definition):
    return (
        ProcessVersion.objects.filter(definition=definition, is_test_run=False)
        .select_related("created_by")
        .only(
            "pk",
            "number",
            "name",
            "created_at",
            "checksum",
            "created_by__username",
            "created_by__first_name",
            "created_by__last_name",
            "definition_id",
        )
        .annotate(instance_count=Count("instances"))
        .order_by("-number")
    )


def latest_version(definition):
    return definition.versions.order_by("-number").first()


def status_counts(definition) -> dict[str, int]:
    rows = (
        ProcessInstance.objects.filter(definition=definition)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    )
    counts = {status: 0 for status in ProcessInstance.Status.values}
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


# --------------------------------------------------------------------------
# Statistics over completed instances
# --------------------------------------------------------------------------


class _PercentileCont(Aggregate):
    function = "PERCENTILE_CONT"
    name = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


@dataclass(frozen=True)
class DurationStats:
    count: int
    average: timedelta | None
    p95: timedelta | None


def percentile(values: list[timedelta], fraction: float) -> timedelta | None:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def duration_stats(definition) -> DurationStats:
    """Count, average and 95th percentile duration of COMPLETED instances only."""
    completed = ProcessInstance.objects.filter(
        definition=definition, status=ProcessInstance.Status.COMPLETED, duration__isnull=False
    ).order_by()
    if connection.vendor == "postgresql":
        row = completed.aggregate(
            count=Count("pk"), average=Avg("duration"), p95=_PercentileCont("duration", 0.95)
        )
        return DurationStats(row["count"], row["average"], row["p95"])
    # SQLite (embedded mode) has no percentile_cont: compute the same thing here.
    values = list(completed.values_list("duration", flat=True))
    average = sum(values, timedelta()) / len(values) if values else None
    return DurationStats(len(values), average, percentile(values, 0.95))


# --------------------------------------------------------------------------
# Start inputs: flowdesk:inputs="name:type;..." on the process element
# --------------------------------------------------------------------------

INPUT_TYPES = {
    "str": "text",
    "string": "text",
    "text": "text",
    "int": "integer",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "decimal": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "date": "date",
}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class StartInput:
    name: str
    type: str  # text | integer | number | boolean | date


def start_inputs(version, process_id: str) -> list[StartInput] | None:
    """The declared start inputs of a process, or None when it declares none."""
    try:
        root = ET.fromstring(version.bpmn_xml.encode())  # noqa: S314 - see import note
    except ET.ParseError:
        return None
    for node in root.iter(f"{{{BPMN_NS}}}process"):
        if node.get("id") != process_id:
            continue
        declared = node.get(f"{{{FLOWDESK_NS}}}inputs")
        if declared is None:
            return None
        found = []
        for part in declared.split(";"):
            name, _sep, kind = part.strip().partition(":")
            name = name.strip()
            if not name or not _NAME.match(name):
                continue
            found.append(StartInput(name, INPUT_TYPES.get(kind.strip().lower() or "str", "text")))
        return found
    return None


# --------------------------------------------------------------------------
# Process log
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class LogFilters:
    process: int | None = None
    status: str = ""
    owner: int | None = None
    started_from: date | None = None
    started_to: date | None = None
    archived: bool = False  # include archived instances (finished long ago)

    @property
    def any(self) -> bool:
        return bool(
            self.process
            or self.status
            or self.owner
            or self.started_from
            or self.started_to
            or self.archived
        )


def instance_list(filters: LogFilters):
    """Instances, newest first, each with its process and owner in the same query."""
    instances = ProcessInstance.objects.select_related("definition", "started_by", "version").only(
        "pk",
        "status",
        "started_at",
        "completed_at",
        "duration",
        "error",
        "parent_id",
        "definition__name",
        "definition__code",
        "version__is_test_run",
        "started_by__username",
        "started_by__first_name",
        "started_by__last_name",
    )
    if not filters.archived:
        # The live instances: what the log's (partial) indexes hold.
        instances = instances.filter(archived_at__isnull=True)
    if filters.process:
        instances = instances.filter(definition_id=filters.process)
    if filters.status:
        instances = instances.filter(status=filters.status)
    if filters.owner:
        instances = instances.filter(started_by_id=filters.owner)
    # Whole days in the user's time zone, as a range on the column so its index serves it.
    if filters.started_from:
        instances = instances.filter(started_at__gte=_day_start(filters.started_from))
    if filters.started_to:
        instances = instances.filter(
            started_at__lt=_day_start(filters.started_to + timedelta(days=1))
        )
    return instances.order_by("-started_at", "-id")


def _day_start(day: date):
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class MessageFilters:
    status: str = ""
    q: str = ""  # the message's name contains it
    received_from: date | None = None
    received_to: date | None = None

    @property
    def any(self) -> bool:
        return bool(self.status or self.q or self.received_from or self.received_to)


def kept_message_list(filters: MessageFilters):
    """Kept and failed messages, newest first, each with the instance it went to (and
    that instance's process) in the same query; payloads are left in the database."""
    messages = KeptMessage.objects.select_related("delivered_to__definition").only(
        "pk",
        "name",
        "correlation_key",
        "business_key",
        "status",
        "reason",
        "created_at",
        "expires_at",
        "delivered_at",
        "delivered_to__id",
        "delivered_to__definition__name",
    )
    if filters.status:
        messages = messages.filter(status=filters.status)
    if filters.q:
        messages = messages.filter(name__icontains=filters.q)
    if filters.received_from:
        messages = messages.filter(created_at__gte=_day_start(filters.received_from))
    if filters.received_to:
        messages = messages.filter(
            created_at__lt=_day_start(filters.received_to + timedelta(days=1))
        )
    return messages.order_by("-created_at", "-id")


def kept_message_detail(pk: int) -> KeptMessage:
    return KeptMessage.objects.select_related("delivered_to__definition").get(pk=pk)


def process_choices():
    return list(ProcessDefinition.objects.order_by("name").values_list("pk", "name"))


def owner_choices():
    User = get_user_model()
    return [
        (user.pk, user.get_full_name() or user.get_username())
        for user in User.objects.filter(is_active=True)
        .only("pk", "username", "first_name", "last_name")
        .order_by("first_name", "last_name", "username")
    ]


def instance_detail(pk: int) -> ProcessInstance:
    return ProcessInstance.objects.select_related(
        "definition", "version", "started_by", "parent__definition", "record_type"
    ).get(pk=pk)


def instance_steps(instance):
    """The instance's steps in order; each waiting one with `wait`, what it waits for."""
    steps = list(
        Step.objects.filter(instance=instance)
        .select_related("owner", "owner_role")
        .order_by("number")
    )
    for step in steps:
        step.wait = step_wait(step)
    return steps


@dataclass(frozen=True)
class Wait:
    """What a waiting step waits for: a signal, a message (with its key) or a timer."""

    kind: str  # "signal" | "message" | "timer"
    name: str = ""
    key: str = ""
    due_at: datetime | None = None


def step_wait(step: Step) -> list[Wait]:
    """What a waiting step waits for (a multiple event: each of its triggers); [] if nothing."""
    if step.status != Step.Status.WAITING:
        return []
    data = step.data or {}
    waits = []
    if data.get("signal"):
        waits.append(Wait("signal", name=str(data["signal"])))
    elif step.event_key.startswith("signal:"):
        waits.append(Wait("signal", name=step.event_key.removeprefix("signal:")))
    if data.get("message"):
        waits.append(Wait("message", name=str(data["message"]), key=step.correlation_key))
    elif step.event_key.startswith("message:"):
        waits.append(
            Wait("message", name=step.event_key.removeprefix("message:"), key=step.correlation_key)
        )
    if step.due_at is not None and "timer" in data:
        waits.append(Wait("timer", due_at=step.due_at))
    return waits


def instance_children(instance):
    return list(
        ProcessInstance.objects.filter(parent=instance)
        .select_related("definition")
        .only("pk", "status", "started_at", "duration", "parent_step_no", "definition__name")
        .order_by("started_at", "pk")
    )


def connected_record(instance):
    """The record the instance runs for, or None when it has none or it is gone."""
    if instance.record_type_id is None or not instance.record_id:
        return None
    model = instance.record_type.model_class()
    if model is None:
        return None
    return model._default_manager.filter(pk=instance.record_id).first()


# --------------------------------------------------------------------------
# User steps: the panel, the connected record, the step page
# --------------------------------------------------------------------------


def _user_steps():
    return (
        Step.objects.filter(is_user_step=True, status=Step.Status.WAITING)
        .select_related(
            "owner",
            "owner_role",
            "instance__definition",
            "instance__version",
            "instance__record_type",
        )
        .defer("instance__version__bpmn_xml", "instance__definition__description", "trace")
    )


def _mine(user) -> Q:
    return Q(owner=user) | Q(owner_role__in=user.groups.values("pk"))


def steps_for_user(user, *, with_records: bool = True) -> list[Step]:
    """The waiting user steps of a user or of one of their roles, due ones first.

    One query for the steps and one per kind of connected record (not per step).
    """
    now = timezone.now()
    steps = list(
        _user_steps().filter(_mine(user)).order_by(Coalesce("postponed_until", "started_at"), "pk")
    )
    for step in steps:
        step.postponed = step.is_postponed(now)
    steps.sort(key=lambda s: (s.postponed, s.postponed_until or s.started_at, s.pk))
    if with_records:
        attach_records(steps)
    return steps


def step_for_page(instance_id: int, number: int) -> Step | None:
    return _user_steps().filter(instance_id=instance_id, number=number).first() or (
        Step.objects.select_related(
            "owner",
            "owner_role",
            "instance__definition",
            "instance__version",
            "instance__record_type",
        )
        .defer("instance__version__bpmn_xml")
        .filter(instance_id=instance_id, number=number, is_user_step=True)
        .first()
    )


def steps_for_record(record) -> list[Step]:
    """The record's incomplete user steps (any owner), oldest first."""
    record_type = ContentType.objects.get_for_model(record)
    return list(
        _user_steps()
        .filter(instance__record_type=record_type, instance__record_id=str(record.pk))
        .order_by("started_at", "pk")
    )


def attach_records(steps) -> None:
    """Set `step.record` (the connected record or None) with one query per record type."""
    wanted: dict[int, set[str]] = {}
    for step in steps:
        instance = step.instance
        if instance.record_type_id and instance.record_id:
            wanted.setdefault(instance.record_type_id, set()).add(instance.record_id)
    found = {}
    for type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        for record in model._default_manager.filter(pk__in=list(ids)):
            found[(type_id, str(record.pk))] = record
    for step in steps:
        instance = step.instance
        step.record = found.get((instance.record_type_id, instance.record_id))
