"""External tasks: the steps that wait for a worker outside Flowdesk, and their locks.

A service task bound to a topic (camunda:type="external" camunda:topic, or
zeebe:taskDefinition) waits; a worker asks for work with `fetch_and_lock`, which
hands each waiting step to exactly one worker for the lock's time (`SELECT … FOR
UPDATE SKIP LOCKED`: concurrent fetches never wait on each other and never get the
same step), then reports back: `complete`, `failure` (with the retries it has left;
none left puts the step in Error in the Process log, and "Run item" re-opens it),
`bpmn_error` (caught by the task's error boundary events), `extend_lock`, `unlock`.
An expired lock makes the step available to the next fetch.

The lock lives on the step row itself (Step.worker_id, lock_expires_at, retries,
worker_error, worker_error_details): the step is the task, so there is no second
row to keep in step with a step that a boundary timer or a cancel closes, and a
partial index on the waiting steps' topic finds work. Engine runs write only the
columns persistence.py names, so a run never undoes a lock. Reports that change
the instance go through `stepping.advance`, which locks the instance row first;
the step row is locked after it (in the check), the order every run takes.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django import forms
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.fields.json import KT
from django.utils.translation import gettext as _

from processes import bounded_inputs, clock
from processes.errors import ProcessError, StepNotAvailable
from processes.models import ProcessInstance, Step
from processes.stepping import advance

MAX_TASKS = 500  # tasks one fetch may lock
MAX_TOPICS = 50  # topics one fetch may name
MAX_TOPIC_LENGTH = 255
MAX_WORKER_ID_LENGTH = 255
MAX_VARIABLE_NAMES = 200  # variables one topic may ask for
MAX_LOCK_DURATION_MS = 24 * 60 * 60 * 1000  # a day
MAX_RETRIES = 10_000
MAX_ERROR_CODE_LENGTH = 200
MAX_ERROR_MESSAGE_LENGTH = bounded_inputs.MAX_TEXT_LENGTH
MAX_ERROR_DETAILS_LENGTH = bounded_inputs.MAX_JSON_LENGTH
MAX_WAIT_MS = 30_000  # how long a fetch may wait for work to arrive (long polling)
POLL_SECONDS = 0.25


class ExternalTaskNotFound(ObjectDoesNotExist):
    """No external task has this id."""


class ExternalTaskLocked(ProcessError):
    """The task's lock is held by another worker (or by nobody)."""


class ExternalTaskInputError(ValueError):
    """A value the worker sent is out of bounds: `field` names it."""

    def __init__(self, field_name: str, detail: str):
        super().__init__(detail)
        self.field = field_name
        self.detail = detail


@dataclass(frozen=True)
class TopicRequest:
    """One topic of a fetch: its name, the lock's duration and the variables wanted
    (None: all of them)."""

    name: str
    lock_duration_ms: int
    variables: list[str] | None = None


@dataclass
class LockedTask:
    """A task handed to a worker, with what it needs to do the work."""

    step: Step
    topic: str
    variables: dict = field(default_factory=dict)
    process_code: str = ""
    version: int = 0
    business_key: str = ""


# ------------------------------------------------------------------------ checks


def _refuse(field_name: str, message: str):
    raise ExternalTaskInputError(field_name, message)


def _check_user(user) -> None:
    """External tasks belong to the Process log, which is for administrators."""
    if user is not None and not (user.is_authenticated and user.is_staff):
        raise PermissionDenied(_("Only administrators may work on external tasks."))


def _check_text(field_name: str, value, maximum: int, *, required: bool = False) -> str:
    value = "" if value is None else value
    if not isinstance(value, str):
        _refuse(field_name, _("Give a text."))
    if required and not value.strip():
        _refuse(field_name, _("This field is required."))
    if len(value) > maximum:
        _refuse(
            field_name,
            _("At most %(max)s characters (it has %(length)s).")
            % {"max": f"{maximum:,}", "length": f"{len(value):,}"},
        )
    return value


def _check_whole(field_name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        _refuse(
            field_name,
            _("Give a whole number from %(low)s to %(high)s.")
            % {"low": f"{low:,}", "high": f"{high:,}"},
        )
    return value


def check_variables(field_name: str, values) -> dict:
    """The variables a worker sends, within the bounds every form keeps."""
    if values is None:
        return {}
    if not isinstance(values, dict):
        _refuse(field_name, _('Give a JSON object, such as {"parcel": "P1"}.'))
    try:
        text = json.dumps(values)
    except (ValueError, TypeError, RecursionError) as error:
        raise ExternalTaskInputError(
            field_name, _("These variables cannot be stored: %(reason)s") % {"reason": error}
        ) from None
    try:
        return bounded_inputs.parse_variables(text, field_name)
    except forms.ValidationError as error:
        raise ExternalTaskInputError(field_name, " ".join(error.messages)) from None


def _check_topics(topics) -> list[TopicRequest]:
    if not topics:
        _refuse("topics", _("Name at least one topic."))
    if len(topics) > MAX_TOPICS:
        _refuse("topics", _("At most %(max)s topics in one fetch.") % {"max": MAX_TOPICS})
    checked = []
    for index, topic in enumerate(topics):
        where = f"topics[{index}]"
        if isinstance(topic, dict):
            if not isinstance(topic.get("variables", []), list | None):
                _refuse(f"{where}.variables", _("Give a list of variable names."))
            topic = TopicRequest(
                topic.get("name", ""), topic.get("lock_duration_ms"), topic.get("variables")
            )
        name = _check_text(f"{where}.name", topic.name, MAX_TOPIC_LENGTH, required=True)
        duration = _check_whole(
            f"{where}.lock_duration_ms", topic.lock_duration_ms, 1, MAX_LOCK_DURATION_MS
        )
        names = topic.variables
        if names is not None:
            if len(names) > MAX_VARIABLE_NAMES:
                _refuse(
                    f"{where}.variables",
                    _("Ask for at most %(max)s variables.") % {"max": MAX_VARIABLE_NAMES},
                )
            names = [
                _check_text(f"{where}.variables", n, bounded_inputs.MAX_TEXT_LENGTH) for n in names
            ]
        checked.append(TopicRequest(name, duration, names))
    return checked


# --------------------------------------------------------------------- fetching


def fetch_and_lock(
    *,
    worker_id: str,
    topics: list[TopicRequest],
    max_tasks: int,
    user=None,
    wait_ms: int = 0,
) -> list[LockedTask]:
    """Lock up to `max_tasks` waiting steps of the topics for `worker_id`, oldest first.

    A step is free when nobody holds its lock or the lock expired. With `wait_ms`,
    an empty answer waits (polling) up to that long for work to arrive."""
    _check_user(user)
    worker_id = _check_text("worker_id", worker_id, MAX_WORKER_ID_LENGTH, required=True)
    max_tasks = _check_whole("max_tasks", max_tasks, 0, MAX_TASKS)
    wait_ms = _check_whole("wait_ms", wait_ms or 0, 0, MAX_WAIT_MS)
    requests = _check_topics(topics)
    if max_tasks == 0:
        return []
    deadline = time.monotonic() + wait_ms / 1000
    while True:
        tasks = _lock_free_steps(worker_id, requests, max_tasks)
        if tasks or time.monotonic() >= deadline:
            return tasks
        if not connection.in_atomic_block:
            # Give the connection back to the pool while waiting: a few long-polling
            # workers must not hold every connection of the server's pool.
            connection.close()
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - time.monotonic())))


def _lock_free_steps(worker_id, requests: list[TopicRequest], max_tasks: int) -> list[LockedTask]:
    by_name = {}
    for request in requests:
        by_name.setdefault(request.name, request)
    now = clock.now()
    with transaction.atomic():
        rows = list(
            Step.objects.select_for_update(skip_locked=True, of=("self",))
            .annotate(topic=KT("data__topic"))
            .filter(status=Step.Status.WAITING, data__has_key="topic", topic__in=list(by_name))
            .filter(Q(lock_expires_at__isnull=True) | Q(lock_expires_at__lte=now))
            .order_by("pk")[:max_tasks]
        )
        if not rows:
            return []
        for name, request in by_name.items():
            ids = [row.pk for row in rows if row.topic == name]
            if ids:
                until = now + timedelta(milliseconds=request.lock_duration_ms)
                Step.objects.filter(pk__in=ids).update(worker_id=worker_id, lock_expires_at=until)
                for row in rows:
                    if row.topic == name:
                        row.worker_id, row.lock_expires_at = worker_id, until
    instances = {
        i["pk"]: i
        for i in ProcessInstance.objects.filter(pk__in={row.instance_id for row in rows}).values(
            "pk", "variables", "business_key", "definition__code", "version__number"
        )
    }
    tasks = []
    for row in rows:
        instance = instances[row.instance_id]
        wanted = by_name[row.topic].variables
        visible = {k: v for k, v in instance["variables"].items() if not k.startswith("__")}
        if wanted is not None:
            visible = {k: visible[k] for k in wanted if k in visible}
        tasks.append(
            LockedTask(
                step=row,
                topic=row.topic,
                variables=visible,
                process_code=instance["definition__code"],
                version=instance["version__number"],
                business_key=instance["business_key"],
            )
        )
    return tasks


def external_task_list(
    *,
    user=None,
    topic: str = "",
    locked: bool | None = None,
    worker_id: str = "",
    instance_id: int | None = None,
    with_retries_left: bool | None = None,
):
    """The open external tasks (waiting, or in error with no retries left), oldest first."""
    _check_user(user)
    now = clock.now()
    rows = (
        Step.objects.annotate(topic=KT("data__topic"))
        .filter(status__in=[Step.Status.WAITING, Step.Status.ERROR], data__has_key="topic")
        .select_related("instance__definition")
        .defer("instance__variables", "trace")
        .order_by("pk")
    )
    if topic:
        rows = rows.filter(topic=topic)
    if worker_id:
        rows = rows.filter(worker_id=worker_id)
    if instance_id is not None:
        rows = rows.filter(instance_id=instance_id)
    if locked is True:
        rows = rows.filter(status=Step.Status.WAITING, lock_expires_at__gt=now)
    elif locked is False:
        rows = rows.filter(status=Step.Status.WAITING).filter(
            Q(lock_expires_at__isnull=True) | Q(lock_expires_at__lte=now)
        )
    if with_retries_left is True:
        rows = rows.filter(status=Step.Status.WAITING)
    elif with_retries_left is False:
        rows = rows.filter(status=Step.Status.ERROR)
    return rows


def external_task_get(task_id: int, *, user=None) -> Step:
    _check_user(user)
    row = external_task_list().filter(pk=task_id).first()
    if row is None:
        raise ExternalTaskNotFound(_("There is no external task %(id)s.") % {"id": task_id})
    return row


# ---------------------------------------------------------------------- reports


def _refuse_unless_held(row: Step | None, task_id, worker_id: str | None, *, live=False) -> Step:
    """The step row, locked, if it is a waiting external task `worker_id` holds."""
    if row is None or "topic" not in (row.data or {}):
        raise ExternalTaskNotFound(_("There is no external task %(id)s.") % {"id": task_id})
    if row.status != Step.Status.WAITING:
        raise StepNotAvailable(
            _("External task %(id)s is not waiting for a worker: it is %(status)s.")
            % {"id": task_id, "status": row.get_status_display().lower()}
        )
    if worker_id is None:
        return row
    if not row.worker_id or row.lock_expires_at is None:
        raise ExternalTaskLocked(
            _("External task %(id)s is not locked: fetch and lock it first.") % {"id": task_id}
        )
    if row.worker_id != worker_id:
        raise ExternalTaskLocked(
            _("External task %(id)s is locked by worker “%(holder)s”, not by “%(worker)s”.")
            % {"id": task_id, "holder": row.worker_id, "worker": worker_id}
        )
    if live and row.lock_expires_at <= clock.now():
        raise ExternalTaskLocked(
            _("The lock of external task %(id)s expired: fetch and lock it again.")
            % {"id": task_id}
        )
    return row


def _locked_row(task_id) -> Step | None:
    return Step.objects.select_for_update(of=("self",)).filter(pk=task_id).first()


def task_number(task_id) -> int:
    try:
        value = int(task_id)
    except (TypeError, ValueError):
        value = -1
    if value <= 0:
        raise ExternalTaskNotFound(_("There is no external task %(id)s.") % {"id": task_id})
    return value


def _report(task_id: int, worker_id: str, operation, *, after=None) -> Step:
    """Run an engine operation on the task's instance: the instance row is locked
    first (advance), then the step row (in the check), the order every run takes."""
    instance_id = Step.objects.filter(pk=task_id).values_list("instance_id", flat=True).first()
    if instance_id is None:
        raise ExternalTaskNotFound(_("There is no external task %(id)s.") % {"id": task_id})
    held = []

    def check(instance, rows):
        held.append(_refuse_unless_held(_locked_row(task_id), task_id, worker_id))

    with transaction.atomic():
        advance(
            instance_id, lambda engine, state: operation(engine, state, held[0].number), check=check
        )
        row = held[0]
        if after is not None:
            after(row)
    row.refresh_from_db()
    return row


def _forget_lock_if_failed(row: Step, message: str, details: str) -> None:
    """Keep the worker's words; a step the report put in Error drops its lock, so that
    "Run item" re-opens it as a fresh task (no lock, retries not counted yet)."""
    changes = {"worker_error": message, "worker_error_details": details}
    if Step.objects.filter(pk=row.pk, status=Step.Status.ERROR).exists():
        changes.update(worker_id="", lock_expires_at=None, retries=None)
    Step.objects.filter(pk=row.pk).update(**changes)


def complete(*, task_id, worker_id: str, variables: dict | None = None, user=None) -> Step:
    """The worker did the work: its variables are written and the process moves on."""
    _check_user(user)
    task_id = task_number(task_id)
    worker_id = _check_text("worker_id", worker_id, MAX_WORKER_ID_LENGTH, required=True)
    values = check_variables("variables", variables)
    return _report(
        task_id,
        worker_id,
        lambda engine, state, number: engine.complete_external_task(
            state, number, variables=values
        ),
    )


def failure(
    *,
    task_id,
    worker_id: str,
    error_message: str = "",
    error_details: str = "",
    retries: int = 0,
    retry_timeout_ms: int = 0,
    user=None,
) -> Step:
    """The worker could not do the work. With retries left the task is fetched again
    after `retry_timeout_ms`; with none the step is in Error with the worker's message."""
    _check_user(user)
    task_id = task_number(task_id)
    worker_id = _check_text("worker_id", worker_id, MAX_WORKER_ID_LENGTH, required=True)
    message = _check_text("error_message", error_message, MAX_ERROR_MESSAGE_LENGTH)
    details = _check_text("error_details", error_details, MAX_ERROR_DETAILS_LENGTH)
    retries = _check_whole("retries", retries, 0, MAX_RETRIES)
    timeout = _check_whole("retry_timeout_ms", retry_timeout_ms or 0, 0, MAX_LOCK_DURATION_MS)
    if retries > 0:
        with transaction.atomic():
            row = _refuse_unless_held(_locked_row(task_id), task_id, worker_id)
            row.retries, row.worker_error, row.worker_error_details = retries, message, details
            # Held back for the retry timeout, then free for any worker.
            row.lock_expires_at = clock.now() + timedelta(milliseconds=timeout)
            row.save(
                update_fields=["retries", "worker_error", "worker_error_details", "lock_expires_at"]
            )
        return row
    shown = _("The external worker “%(worker)s” failed: %(message)s") % {
        "worker": worker_id,
        "message": message or _("(no message)"),
    }

    def after(row):
        _forget_lock_if_failed(row, message, details)

    return _report(
        task_id,
        worker_id,
        lambda engine, state, number: engine.fail_external_task(state, number, shown),
        after=after,
    )


def bpmn_error(
    *,
    task_id,
    worker_id: str,
    error_code: str,
    error_message: str = "",
    variables: dict | None = None,
    user=None,
) -> Step:
    """The worker reports a business error: thrown from the step, caught by its error
    boundary events (or an error event sub-process); uncaught, the step is in Error."""
    _check_user(user)
    task_id = task_number(task_id)
    worker_id = _check_text("worker_id", worker_id, MAX_WORKER_ID_LENGTH, required=True)
    code = _check_text("error_code", error_code, MAX_ERROR_CODE_LENGTH, required=True)
    message = _check_text("error_message", error_message, MAX_ERROR_MESSAGE_LENGTH)
    values = check_variables("variables", variables)

    def after(row):
        _forget_lock_if_failed(row, message, "")

    return _report(
        task_id,
        worker_id,
        lambda engine, state, number: engine.throw_external_error(
            state, number, code=code, message=message, variables=values
        ),
        after=after,
    )


def extend_lock(*, task_id, worker_id: str, new_duration_ms: int, user=None) -> Step:
    """The worker needs longer: its lock now ends `new_duration_ms` from now."""
    _check_user(user)
    task_id = task_number(task_id)
    worker_id = _check_text("worker_id", worker_id, MAX_WORKER_ID_LENGTH, required=True)
    duration = _check_whole("new_duration_ms", new_duration_ms, 1, MAX_LOCK_DURATION_MS)
    with transaction.atomic():
        row = _refuse_unless_held(_locked_row(task_id), task_id, worker_id, live=True)
        row.lock_expires_at = clock.now() + timedelta(milliseconds=duration)
        row.save(update_fields=["lock_expires_at"])
    return row


def unlock(*, task_id, user=None) -> Step:
    """Free the task for the next fetch, whoever held it."""
    _check_user(user)
    task_id = task_number(task_id)
    with transaction.atomic():
        row = _refuse_unless_held(_locked_row(task_id), task_id, None)
        row.worker_id, row.lock_expires_at = "", None
        row.save(update_fields=["worker_id", "lock_expires_at"])
    return row


def is_locked(row: Step, now: datetime | None = None) -> bool:
    now = now or clock.now()
    return bool(row.worker_id) and row.lock_expires_at is not None and row.lock_expires_at > now
