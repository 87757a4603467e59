"""Writes on process instances: start, advance, complete or retry a step, cancel, edit.

Each goes through the one locked entry point (`processes.stepping.advance`).
"""

from __future__ import annotations

import contextlib
import logging

from django.contrib.contenttypes.models import ContentType
from django.db import OperationalError, transaction
from django.utils.translation import gettext as _

from processes import clock, persistence
from processes.errors import ProcessError, ProcessNotActive, StepNotAvailable
from processes.models import ProcessDefinition, ProcessInstance, ProcessVersion, Step
from processes.stepping import advance, apply_result, engine_for, newest_version, queue_advance

logger = logging.getLogger(__name__)


def instance_start(
    *,
    code: str | None = None,
    definition: ProcessDefinition | None = None,
    variables: dict | None = None,
    user=None,
    record=None,
    start_event_id: str | None = None,
    as_called: bool = False,
    run_now: bool = False,
    business_key: str = "",
) -> ProcessInstance:
    """Start an instance of the newest version of a process.

    An inactive process is refused unless it runs as a called process. The
    instance is stepped by the worker after commit, or here with run_now.
    `business_key` is the caller's name for the instance (an order number);
    messages can be correlated to it.
    """
    key = code if definition is None else definition.pk
    # A run_now start may take the newest version from this process's cache: its
    # INSERT checks, in the same statement, that the version is still the newest and
    # the process still as it was (StartGuard), and else nothing is written and the
    # start is made again from the database.
    version = _NEWEST.get(key) if run_now else None
    if version is not None and not (version.definition.is_active or as_called):
        version = None
    while True:
        guard = None
        if version is None:
            version = newest_version(code=code, definition=definition)
            if run_now and version.definition.is_active:
                _remember(key, version)
        else:
            guard = persistence.StartGuard(
                version_id=version.pk,
                checksum=version.checksum,
                name=version.definition.name,
                tracing=version.definition.tracing,
                as_called=as_called,
            )
        try:
            return _start(
                version,
                variables=variables,
                user=user,
                record=record,
                start_event_id=start_event_id,
                as_called=as_called,
                run_now=run_now,
                business_key=business_key,
                guard=guard,
            )
        except (persistence.StaleVersion, ProcessVersion.DoesNotExist):
            # The cached version is no longer the newest (or no longer there).
            if guard is None:
                raise
            _NEWEST.pop(key, None)
            version = None


_NEWEST: dict = {}  # process code or definition id -> its newest version, as last read
_NEWEST_MAX = 512


def _remember(key, version) -> None:
    if len(_NEWEST) >= _NEWEST_MAX:
        _NEWEST.clear()
    _NEWEST[key] = version


def _start(
    version, *, variables, user, record, start_event_id, as_called, run_now, business_key, guard
) -> ProcessInstance:
    definition = version.definition
    if not definition.is_active and not as_called:
        raise ProcessNotActive(
            _("The process '%(name)s' is not active: activate it in the Process library first.")
            % {"name": definition.name}
        )
    instance = ProcessInstance(
        definition=definition,
        version=version,
        variables=dict(variables or {}),
        start_event=start_event_id or "",
        started_by=user if user is not None and user.is_authenticated else None,
        started_at=clock.now(),
        record_type=ContentType.objects.get_for_model(record) if record is not None else None,
        record_id=str(record.pk) if record is not None else "",
        business_key=(business_key or "")[:200],
    )
    with transaction.atomic():
        if run_now:
            # A new row is invisible to everyone else until commit: no lock to take,
            # no open steps to read. Run first, then insert the instance as it ended up.
            engine = engine_for(instance)
            result = engine.start(
                definition.code, instance.variables, start_event_id=start_event_id
            )
            instance.started_at = result.state.started_at
            apply_result(instance, {}, result, new=True, guard=guard)
        else:
            instance.save()
            queue_advance(instance.pk)
    return instance


def instance_advance(*, instance_id: int) -> ProcessInstance | None:
    """Run every ready step of the instance (starting it if it has not started)."""
    return advance(instance_id, None)


ADVANCE_BATCH_MAX = 500


def instances_advance(*, instance_ids) -> int:
    """Run every ready step of several instances in one transaction, each in a savepoint
    of its own (one commit for the batch instead of one each). An instance whose run
    fails unexpectedly is rolled back alone and left to the stuck-instance sweep; a
    lost connection fails the batch, which the worker retries (a run is idempotent).
    Returns how many were stepped."""
    stepped = 0
    with transaction.atomic():
        for instance_id in list(instance_ids)[:ADVANCE_BATCH_MAX]:
            try:
                if advance(int(instance_id), None) is not None:
                    stepped += 1
            except OperationalError:
                raise
            except Exception:
                logger.exception("instance %s could not be stepped in its batch", instance_id)
    return stepped


def step_complete(
    *,
    instance_id: int,
    step_number: int,
    user=None,
    variables: dict | None = None,
    result: str = "",
    locked=None,
) -> ProcessInstance:
    """Complete a waiting user step; exactly one of two concurrent completions wins.

    `locked` is what persistence.lock_instance read in the caller's transaction, which
    still holds the lock: the run takes it instead of reading it again."""

    def check(instance, rows):
        row = rows.get(step_number)
        if row is None or row.status != "waiting":
            raise StepNotAvailable(_("This step is already done."))
        if not row.is_user_step:
            raise StepNotAvailable(_("This step is not a user step."))

    def op(engine, state):
        return engine.complete_step(state, step_number, variables=variables or {}, result=result)

    return advance(instance_id, op, check=check, locked=locked)


def step_retry(*, instance_id: int, step_number: int, user=None) -> ProcessInstance:
    """Run a failed step again ("Run item"); refused for a step that is not in error."""

    def check(instance, rows):
        row = rows.get(step_number)
        if row is None or row.status != "error":
            raise StepNotAvailable(_("Only a step in error can be run again."))

    return advance(instance_id, lambda e, s: e.retry_step(s, step_number), check=check)


def instance_cancel(*, instance_id: int, user=None) -> ProcessInstance:
    """Cancel a running (or failed) instance and its called instances, level by level.

    Each instance is canceled in a transaction of its own; a tree of any size or
    depth is walked with a loop, not by recursion.
    """
    instance = advance(instance_id, _cancel, check=_refuse_unless_open)
    level = [instance_id]
    while level:
        level = list(
            ProcessInstance.objects.filter(
                parent_id__in=level, status__in=["running", "error"]
            ).values_list("pk", flat=True)
        )
        for child_id in level:
            with contextlib.suppress(ProcessError):  # it finished meanwhile
                advance(child_id, _cancel, check=_refuse_unless_open)
    return instance


def _cancel(engine, state):
    return engine.cancel(state)


def _refuse_unless_open(instance, rows):
    if instance.status not in {"running", "error"}:
        raise ProcessError(_("Only a running instance can be canceled."))


def child_finished(*, parent_id: int, step_number: int, child_id: int):
    """Resume a parent whose call activity's child instance ended."""
    child = ProcessInstance.objects.get(pk=child_id)
    failed = child.status in {"error", "canceled"} or bool(child.error_code)
    error = (child.error or _("the called process was canceled")) if failed else None
    error_code = child.error_code or None

    def check(instance, rows):
        row = rows.get(step_number)
        if row is None or row.status != "waiting":
            raise StepNotAvailable("call activity is no longer waiting")

    try:
        return advance(
            parent_id,
            lambda e, s: e.child_finished(
                s, step_number, variables=child.variables, error=error, error_code=error_code
            ),
            check=check,
        )
    except StepNotAvailable:
        return None


def escalate_to_caller(*, parent_id: int, step_number: int, child_id: int, code: str, payload=None):
    """Throw at the caller's call activity an escalation its child left uncaught; then,
    if that run of the child also ended it, resume the caller as `child_finished` does
    (when the call activity is still waiting: an interrupting catcher has canceled it)."""

    def check(instance, rows):
        row = rows.get(step_number)
        if row is None or row.status != "waiting":
            raise StepNotAvailable("call activity is no longer waiting")

    child = ProcessInstance.objects.filter(pk=child_id).values("status", "variables").first()
    variables = child["variables"] if child else {}
    try:
        advance(
            parent_id,
            lambda e, s: e.escalation_from_child(
                s, step_number, code=code, payload=payload, variables=variables
            ),
            check=check,
        )
    except StepNotAvailable:
        return None
    if child and child["status"] in {"completed", "error", "canceled"}:
        return child_finished(parent_id=parent_id, step_number=step_number, child_id=child_id)
    return None


def call_refused(*, parent_id: int, step_number: int, reason: str):
    """Fail a call activity whose child instance was not started (the call went too deep)."""

    def check(instance, rows):
        row = rows.get(step_number)
        if row is None or row.status != "waiting":
            raise StepNotAvailable("call activity is no longer waiting")

    try:
        return advance(
            parent_id,
            lambda e, s: e.child_finished(s, step_number, variables={}, error=reason),
            check=check,
        )
    except StepNotAvailable:
        return None


def instances_resume_stuck() -> int:
    """Queue a run for every running instance that has ready steps (after a crash)."""
    ids = list(
        Step.objects.filter(status="active", instance__status="running")
        .values_list("instance_id", flat=True)
        .distinct()
    )
    ids += list(
        ProcessInstance.objects.filter(status="running", next_step_no=1).values_list(
            "pk", flat=True
        )
    )
    for instance_id in set(ids):
        queue_advance(instance_id)
    return len(set(ids))


def instance_update_variables(*, instance_id: int, variables: dict, user=None) -> ProcessInstance:
    """Replace a running or failed instance's variables, so "Run item" can retry with the fix.

    Refused for a finished instance. The row is locked, so it never races a step.
    """
    if not isinstance(variables, dict):
        raise ProcessError(_("Variables must be a JSON object."))
    with transaction.atomic():
        instance = ProcessInstance.objects.select_for_update().get(pk=instance_id)
        if instance.status not in {ProcessInstance.Status.RUNNING, ProcessInstance.Status.ERROR}:
            raise ProcessError(
                _("This instance is %(status)s: only a running or failed instance can be changed.")
                % {"status": instance.get_status_display().lower()}
            )
        # Engine bookkeeping keys (such as the start event not yet taken) are kept.
        hidden = {k: v for k, v in instance.variables.items() if k.startswith("__")}
        instance.variables = {**hidden, **variables}
        instance.save(update_fields=["variables"])
    logger.info("instance %s variables edited by %s", instance_id, getattr(user, "pk", None))
    return instance
