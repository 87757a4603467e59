"""Writes on processes: import, activate, start, advance, complete, cancel, retry.

Every change to a running instance goes through `_advance`: in one
transaction it locks the instance row, rebuilds the engine state from the
open step rows, runs one engine operation, writes back only the rows that
changed, and routes the operation's effects (child instances, signals,
messages, user-step announcements) after commit. Views, Celery tasks, timer
sweeps and tests all come through here, so stepping twice is harmless: the
second run finds nothing ready.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from processes import clock, documents, persistence, signals
from processes.engine import (
    CancelChild,
    Engine,
    ErrorThrown,
    InstanceState,
    RunResult,
    SendMessage,
    StartChild,
    ThrowSignal,
)
from processes.engine.bpmn import BpmnImportError, parse_bpmn
from processes.engine.timers import first_due, next_due
from processes.models import ProcessDefinition, ProcessInstance, ProcessVersion, Step, TimerStart

logger = logging.getLogger(__name__)

OPEN = {"active", "waiting", "error"}


class ProcessError(Exception):
    """A refused operation, with a message meant for the person who asked."""


class ProcessNotActive(ProcessError):
    pass


class StepNotAvailable(ProcessError):
    pass


# --------------------------------------------------------------------------
# Import and lifecycle of definitions
# --------------------------------------------------------------------------


def process_import(*, data: bytes | str, user=None, activate: bool = True) -> list[ProcessVersion]:
    """Import every executable process of a BPMN 2.0 file as a new version.

    Re-importing a process id makes version N+1; running instances keep
    theirs. The whole file is refused (BpmnImportError naming the element)
    when any part cannot import, and nothing is written.
    """
    raw = data.encode() if isinstance(data, str) else data
    known = set(ProcessDefinition.objects.values_list("code", flat=True))
    document = parse_bpmn(raw, known_processes=known)
    if not document.processes:
        raise BpmnImportError(None, _("the file holds no executable process"))
    xml = raw.decode("utf-8", errors="replace")
    checksum = hashlib.sha256(raw).hexdigest()
    versions = []
    with transaction.atomic():
        for graph in document.processes:
            definition, created = ProcessDefinition.objects.select_for_update().get_or_create(
                code=graph.id,
                defaults={"name": graph.name or graph.id, "is_active": activate},
            )
            if not created and graph.name and definition.name != graph.name:
                definition.name = graph.name
                definition.save(update_fields=["name", "modified_at"])
            last = definition.versions.aggregate(n=Max("number"))["n"] or 0
            version = ProcessVersion.objects.create(
                definition=definition,
                number=last + 1,
                name=graph.name or graph.id,
                bpmn_xml=xml,
                checksum=checksum,
                created_by=user,
            )
            # Only the newest version's timer start events keep firing.
            TimerStart.objects.filter(version__definition=definition).delete()
            _arm_timer_starts(version, graph)
            versions.append(version)
    documents.forget_triggers()
    return versions


def _arm_timer_starts(version: ProcessVersion, graph) -> None:
    now = clock.now()
    for element_id, spec in documents.timer_starts(graph):
        TimerStart.objects.create(
            version=version, element_id=element_id, next_due=first_due(spec, now)
        )


def process_set_active(
    *, definition: ProcessDefinition, active: bool, cancel_running: bool = False
):
    """Activate or deactivate a process; deactivating may cancel its running instances."""
    with transaction.atomic():
        definition = ProcessDefinition.objects.select_for_update().get(pk=definition.pk)
        if definition.is_active == active:
            return definition, 0
        definition.is_active = active
        definition.save(update_fields=["is_active", "modified_at"])
        canceled = 0
        if not active and cancel_running:
            for instance_id in definition.instances.filter(
                status__in=[ProcessInstance.Status.RUNNING, ProcessInstance.Status.ERROR],
                parent__isnull=True,
            ).values_list("pk", flat=True):
                instance_cancel(instance_id=instance_id)
                canceled += 1
    documents.forget_triggers()
    return definition, canceled


# --------------------------------------------------------------------------
# Starting and stepping instances
# --------------------------------------------------------------------------


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
) -> ProcessInstance:
    """Start an instance of the newest version of a process.

    An inactive process is refused unless it runs as a called process. The
    instance is stepped by the worker after commit, or here with run_now.
    """
    version = _newest_version(code=code, definition=definition)
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
    )
    with transaction.atomic():
        if run_now:
            # A new row is invisible to everyone else until commit: no lock to take,
            # no open steps to read. Run first, then insert the instance as it ended up.
            engine = _engine_for(instance)
            result = engine.start(
                definition.code, instance.variables, start_event_id=start_event_id
            )
            instance.started_at = result.state.started_at
            _apply_result(instance, {}, result, new=True)
        else:
            instance.save()
            _queue_advance(instance.pk)
    return instance


def _newest_version(*, code=None, definition=None) -> ProcessVersion:
    """The newest version of a process, with its definition, in one query."""
    versions = (
        ProcessVersion.objects.select_related("definition").defer("bpmn_xml").order_by("-number")
    )
    if definition is not None:
        version = versions.filter(definition=definition).first()
        name = definition.name
    else:
        version = versions.filter(definition__code=code).first()
        name = code
    if version is None:
        if definition is None and not ProcessDefinition.objects.filter(code=code).exists():
            raise ProcessError(_("There is no process '%(code)s'.") % {"code": code})
        raise ProcessError(_("The process '%(name)s' has no version.") % {"name": name})
    return version


def instance_advance(*, instance_id: int) -> ProcessInstance | None:
    """Run every ready step of the instance (starting it if it has not started)."""
    return _advance(instance_id, None)


def step_complete(
    *,
    instance_id: int,
    step_number: int,
    user=None,
    variables: dict | None = None,
    result: str = "",
) -> ProcessInstance:
    """Complete a waiting user step; exactly one of two concurrent completions wins."""

    def check(instance, rows):
        row = rows.get(step_number)
        if row is None or row.status != "waiting":
            raise StepNotAvailable(_("This step is already done."))
        if not row.is_user_step:
            raise StepNotAvailable(_("This step is not a user step."))

    def op(engine, state):
        return engine.complete_step(state, step_number, variables=variables or {}, result=result)

    return _advance(instance_id, op, check=check)


def message_deliver(*, name: str, payload=None, correlation_key=None, variable: str = "") -> int:
    """Deliver a message to the waiting catch events (or start a process). Returns receivers."""
    key = f"message:{name}"
    instance_ids = list(
        Step.objects.filter(status="waiting", event_key=key)
        .order_by("instance_id")
        .values_list("instance_id", flat=True)
        .distinct()
    )
    delivered = 0
    for instance_id in instance_ids:
        matched = []

        def deliver(engine, state, matched=matched):
            result = engine.deliver_message(
                state, name, payload, correlation_key=correlation_key, variable=variable
            )
            matched.append(result.matched)
            return result

        _advance(instance_id, deliver)
        if sum(matched):
            # A message has one receiver: the first waiting instance whose key matches.
            delivered = 1
            break
    if not delivered:
        for definition, element_id in documents.message_starts(name):
            instance_start(
                definition=definition,
                variables=_payload_vars(name, payload, variable),
                start_event_id=element_id,
            )
            delivered += 1
    return delivered


def signal_broadcast(*, name: str, payload=None, variable: str = "") -> int:
    """Send a signal to every waiting instance and start every signal-start process."""
    key = f"signal:{name}"
    instance_ids = list(
        Step.objects.filter(status="waiting", event_key=key)
        .values_list("instance_id", flat=True)
        .distinct()
    )
    for instance_id in instance_ids:
        _advance(instance_id, lambda e, s: e.broadcast_signal(s, name, payload, variable=variable))
    started = 0
    for definition, element_id in documents.signal_starts(name):
        instance_start(
            definition=definition,
            variables=_payload_vars(name, payload, variable),
            start_event_id=element_id,
        )
        started += 1
    return len(instance_ids) + started


def _payload_vars(name: str, payload, variable: str = "") -> dict:
    """Variables a message or signal payload gives the instance it starts: as a catch
    event stores it, the whole payload under the thrower's variable when it names one."""
    if payload is None:
        return {}
    if variable:
        return {variable: payload}
    if isinstance(payload, dict):
        return dict(payload)
    return {name: payload}


def instance_cancel(*, instance_id: int, user=None) -> ProcessInstance:
    """Cancel a running (or failed) instance and its called children."""

    def check(instance, rows):
        if instance.status not in {"running", "error"}:
            raise ProcessError(_("Only a running instance can be canceled."))

    instance = _advance(instance_id, lambda e, s: e.cancel(s), check=check)
    for child_id in ProcessInstance.objects.filter(
        parent_id=instance_id, status__in=["running", "error"]
    ).values_list("pk", flat=True):
        instance_cancel(instance_id=child_id, user=user)
    return instance


def step_retry(*, instance_id: int, step_number: int, user=None) -> ProcessInstance:
    """Run a failed step again ("Run item"); refused for a step that is not in error."""

    def check(instance, rows):
        row = rows.get(step_number)
        if row is None or row.status != "error":
            raise StepNotAvailable(_("Only a step in error can be run again."))

    return _advance(instance_id, lambda e, s: e.retry_step(s, step_number), check=check)


def timers_fire_due(*, now=None) -> int:
    """Fire every due timer: waiting timer steps and timer start events. Returns how many."""
    now = now or clock.now()
    fired = 0
    instance_ids = list(
        Step.objects.filter(status="waiting", due_at__lte=now)
        .values_list("instance_id", flat=True)
        .distinct()
    )
    for instance_id in instance_ids:
        if _advance(instance_id, lambda e, s: e.fire_due_timers(s, now)) is not None:
            fired += 1
    fired += _fire_timer_starts(now)
    return fired


def _fire_timer_starts(now) -> int:
    fired = 0
    due = TimerStart.objects.filter(next_due__lte=now, version__definition__is_active=True)
    for timer_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            # Claimed under a row lock: two sweeps never start the same firing twice.
            timer = (
                TimerStart.objects.select_for_update(skip_locked=True)
                .select_related("version__definition")
                .filter(pk=timer_id, next_due__lte=now)
                .first()
            )
            if timer is None:
                continue
            spec = documents.timer_start_spec(timer.version, timer.element_id)
            timer.fired_count += 1
            timer.next_due = next_due(spec, timer.next_due, timer.fired_count) if spec else None
            timer.save(update_fields=["fired_count", "next_due"])
            instance_start(definition=timer.version.definition, start_event_id=timer.element_id)
            fired += 1
    return fired


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
        _queue_advance(instance_id)
    return len(set(ids))


# --------------------------------------------------------------------------
# The one locked entry point
# --------------------------------------------------------------------------

Operation = Callable[[Engine, InstanceState], RunResult]


def _advance(instance_id: int, operation: Operation | None, *, check=None):
    with transaction.atomic():
        try:
            # Lock only the instance row: its version and definition are shared by
            # every instance of the process and must not serialise them.
            instance = (
                ProcessInstance.objects.select_for_update(of=("self",))
                .select_related("version", "definition")
                .defer("version__bpmn_xml", "definition__description")
                .get(pk=instance_id)
            )
        except ProcessInstance.DoesNotExist:
            return None
        rows = {row.number: row for row in Step.objects.filter(instance=instance, status__in=OPEN)}
        if check is not None:
            check(instance, rows)
        if operation is None and instance.status != "running":
            return None
        engine = _engine_for(instance)
        if instance.next_step_no == 1 and not rows and instance.status == "running":
            result = engine.start(
                instance.definition.code,
                instance.variables,
                start_event_id=instance.start_event or None,
            )
        else:
            state = persistence.load_state(instance, rows)
            result = (operation or (lambda e, s: e.run(s)))(engine, state)
        _apply_result(instance, rows, result)
    return instance


def _engine_for(instance: ProcessInstance) -> Engine:
    return Engine(
        documents.resolver_for(instance.version),
        clock=clock.now,
        functions=documents.expression_functions(instance),
    )


def _apply_result(instance, rows, result: RunResult, *, new: bool = False) -> None:
    """Write what a run did: the instance row, its steps, then effects and announcements."""
    state = result.state
    previous_status = instance.status
    instance.status = state.status
    instance.variables = state.variables
    instance.next_step_no = state.next_step_id
    errors = [s.error for s in [*result.changed_steps, *result.finished_steps] if s.error]
    if errors:
        instance.error = errors[0]
    elif state.status != "error":
        instance.error = ""
    if state.status in {"completed", "canceled"} and instance.completed_at is None:
        instance.completed_at = state.completed_at or clock.now()
        instance.duration = instance.completed_at - instance.started_at
    if new:
        instance.save(force_insert=True)
    else:
        instance.save(
            update_fields=[
                "status",
                "variables",
                "next_step_no",
                "error",
                "completed_at",
                "duration",
            ]
        )
    written = persistence.write_steps(instance, rows, result)
    _route_effects(instance, result.effects)
    _announce(instance, previous_status, written.activated, written.closed)


def _route_effects(instance: ProcessInstance, effects) -> None:
    for effect in effects:
        if isinstance(effect, StartChild):
            version = _newest_version(code=effect.process_id)
            definition = version.definition
            child = ProcessInstance.objects.create(
                definition=definition,
                version=version,
                variables=dict(effect.variables),
                parent=instance,
                parent_step_no=effect.step_id,
                started_by=instance.started_by,
                started_at=clock.now(),
                record_type=instance.record_type,
                record_id=instance.record_id,
            )
            _queue_advance(child.pk)
        elif isinstance(effect, CancelChild):
            for child_id in ProcessInstance.objects.filter(
                parent=instance, parent_step_no=effect.step_id, status__in=["running", "error"]
            ).values_list("pk", flat=True):
                _queue_task("processes.cancel_instance", child_id)
        elif isinstance(effect, ErrorThrown):
            instance.error_code = effect.code[:200]
            instance.save(update_fields=["error_code"])
        elif isinstance(effect, ThrowSignal):
            _queue_task("processes.broadcast_signal", effect.name, effect.payload, effect.variable)
        elif isinstance(effect, SendMessage):
            _queue_task(
                "processes.deliver_message",
                effect.name,
                effect.payload,
                effect.correlation_key,
                effect.variable,
            )
    if instance.parent_id and instance.status in {"completed", "error", "canceled"}:
        _queue_task(
            "processes.child_finished", instance.parent_id, instance.parent_step_no, instance.pk
        )


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
        return _advance(
            parent_id,
            lambda e, s: e.child_finished(
                s, step_number, variables=child.variables, error=error, error_code=error_code
            ),
            check=check,
        )
    except StepNotAvailable:
        return None


def _announce(instance, previous_status, activated, closed):
    def send():
        for row in activated:
            signals.step_activated.send(sender=Step, step=row)
        for row in closed:
            signals.step_closed.send(sender=Step, step=row, status=row.status)
        if previous_status != instance.status:
            if instance.status == "completed":
                signals.instance_completed.send(sender=ProcessInstance, instance=instance)
            elif instance.status == "error":
                signals.instance_failed.send(sender=ProcessInstance, instance=instance)

    if activated or closed or previous_status != instance.status:
        transaction.on_commit(send)


def _queue_advance(instance_id: int) -> None:
    _queue_task("processes.advance_instance", instance_id)


def _queue_task(name: str, *args) -> None:
    from django.conf import settings

    from bpm_project.celery import app

    queue = settings.CELERY_TASK_DEFAULT_QUEUE

    def send():
        try:
            app.tasks[name].apply_async(args, queue=queue)
        except Exception:  # the sweep resumes the instance if the broker was away
            logger.exception("could not queue %s%r", name, args)

    transaction.on_commit(send)


__all__ = [
    "ProcessError",
    "ProcessNotActive",
    "StepNotAvailable",
    "child_finished",
    "instance_advance",
    "instance_cancel",
    "instance_start",
    "instances_resume_stuck",
    "message_deliver",
    "process_import",
    "process_set_active",
    "signal_broadcast",
    "step_complete",
    "step_retry",
    "timers_fire_due",
]


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


# --------------------------------------------------------------------------
# User steps: pages, postponing, reassigning
# --------------------------------------------------------------------------


class StepNotYours(ProcessError):
    """The user is neither the step's owner nor a member of its owner role."""

    def __init__(self, step):
        self.step = step
        if step.owner_id is not None and step.owner is not None:
            message = _("This step belongs to %(owner)s: only they can open or complete it.") % {
                "owner": step.owner_label
            }
        elif step.owner_role_id is not None:
            message = _(
                "This step is for the role “%(role)s”: only its members can open or complete it."
            ) % {"role": step.owner_label}
        else:
            message = _("This step has no owner yet: no one can complete it.")
        super().__init__(message)


def _lock_waiting_step(instance_id: int, step_number: int, user=None) -> Step:
    """Lock the instance row (the one lock every change of an instance takes) and return
    its waiting user step, refusing a step that is done or not the user's."""
    ProcessInstance.objects.select_for_update(of=("self",)).filter(pk=instance_id).exists()
    step = (
        Step.objects.select_related(
            "owner", "owner_role", "instance__version", "instance__definition"
        )
        .defer("instance__version__bpmn_xml")
        .filter(instance_id=instance_id, number=step_number)
        .first()
    )
    if step is None or step.status != Step.Status.WAITING or not step.is_user_step:
        raise StepNotAvailable(_("This step is already done."))
    if user is not None and not step.can_be_done_by(user):
        raise StepNotYours(step)
    return step


def _announce_changed(step, **extra) -> None:
    transaction.on_commit(lambda: signals.step_changed.send(sender=Step, step=step, **extra))


def step_submit_page(
    *,
    instance_id: int,
    step_number: int,
    user,
    variables: dict | None = None,
    result: str = "",
    before=None,
) -> bool:
    """Submit a step's page for its owner. Returns True when the step completed.

    `before(step)` runs first in the same transaction (saving the record of an edit
    page, queueing an email). A step whose element asks for an activity
    (flowdesk:createActivity) only keeps the page's values: its activity,
    completed with a result, completes the step with them (`step_complete_stored`).
    Refused with StepNotAvailable when the step is already done (a second tab, a
    colleague of the same role) and StepNotYours for anyone but its owner.
    """
    from processes import pages
    from processes.engine import EngineError

    with transaction.atomic():
        step = _lock_waiting_step(instance_id, step_number, user)
        spec = pages.spec_for(step)
        if before is not None:
            before(step)
        if spec.create_activity and spec.page != "task":
            if (step.data or {}).get("page"):
                raise StepNotAvailable(_("This step is already done."))
            step.data = {
                **(step.data or {}),
                "page": {
                    "values": dict(variables or {}),
                    "result": result,
                    "by": user.pk,
                    "at": clock.now().isoformat(),
                },
            }
            Step.objects.filter(pk=step.pk).update(data=step.data)
            _announce_changed(step)
            return False
        try:
            step_complete(
                instance_id=instance_id,
                step_number=step_number,
                user=user,
                variables=variables,
                result=result,
            )
        except EngineError as error:
            raise ProcessError(str(error)) from None
    return True


def step_complete_stored(*, instance_id: int, step_number: int, user=None, result: str = ""):
    """Complete a step with the values its page stored and the result its activity got."""
    from processes.engine import EngineError

    with transaction.atomic():
        step = _lock_waiting_step(instance_id, step_number)
        page = (step.data or {}).get("page") or {}
        variables = dict(page.get("values") or {})
        try:
            return step_complete(
                instance_id=instance_id,
                step_number=step_number,
                user=user,
                variables=variables,
                result=result or page.get("result", ""),
            )
        except EngineError as error:
            raise ProcessError(str(error)) from None


def step_postpone(*, instance_id: int, step_number: int, user, until) -> Step:
    """Postpone a waiting step ("Perform later", "Close") to a time the owner picks.

    The step stays with its owner; panels show the new time at once and count the
    step again when the time comes (`steps_release_postponed`).
    """
    if until is None or until <= clock.now():
        raise ProcessError(_("Choose a date and time in the future."))
    with transaction.atomic():
        step = _lock_waiting_step(instance_id, step_number, user)
        step.postponed_until = until
        Step.objects.filter(pk=step.pk).update(postponed_until=until)
        _announce_changed(step)
    return step


def step_reassign(*, instance_id: int, step_number: int, user, owner=None, role=None) -> Step:
    """Give a waiting step to another user or role; its activity and panels follow.

    Its owner (or a member of its role), or an administrator, may do this.
    """
    if (owner is None) == (role is None):
        raise ProcessError(_("Choose either a user or a role."))
    with transaction.atomic():
        step = _lock_waiting_step(instance_id, step_number)
        if not (user.is_staff or step.can_be_done_by(user)):
            raise StepNotYours(step)
        previous_owner_id, previous_role_id = step.owner_id, step.owner_role_id
        step.owner, step.owner_role = owner, role
        Step.objects.filter(pk=step.pk).update(owner=owner, owner_role=role, postponed_until=None)
        step.postponed_until = None
        _announce_changed(
            step, previous_owner_id=previous_owner_id, previous_role_id=previous_role_id
        )
    return step


def steps_release_postponed(*, now=None) -> int:
    """Announce every step whose postponement has just passed, so panels count it again.

    Each step is claimed with a conditional UPDATE: two sweeps never announce it twice.
    """
    now = now or clock.now()
    released = 0
    due = Step.objects.filter(
        status=Step.Status.WAITING, is_user_step=True, postponed_until__lte=now
    ).values_list("pk", "postponed_until")
    for pk, until in list(due):
        with transaction.atomic():
            claimed = Step.objects.filter(pk=pk, postponed_until=until).update(postponed_until=None)
            if claimed:
                step = Step.objects.select_related("instance").get(pk=pk)
                _announce_changed(step)
                released += 1
    return released


def refuse_unless_waiting(*, instance_id: int, step_number: int, user=None) -> Step:
    """Lock a step's instance for the rest of the caller's transaction; refuse a step
    that is done or not the user's (the same refusals as `step_submit_page`)."""
    with transaction.atomic():
        return _lock_waiting_step(instance_id, step_number, user)
