"""The one locked entry point that advances an instance, and what it writes after a run.

Every change to a running instance goes through `advance`: in one
transaction it locks the instance row, rebuilds the engine state from the
open step rows, runs one engine operation, writes back only the rows that
changed, and records what the operation obliges in the same transaction:
child instances are created, signals, messages, cancels and a parent's resume
become outbox effects (outbox.services) the worker carries out after commit,
and user-step announcements are sent inside the transaction, so that their
receivers' rows (activities) commit with the steps. Views, Celery tasks, timer
sweeps and tests all come through here, so stepping twice is harmless: the
second run finds nothing ready.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from outbox.after_commit import add_for_commit
from outbox.services import effect_record
from processes import clock, decisions, documents, persistence, registry, signals
from processes.call_chains import MAX_CALL_DEPTH, call_depth
from processes.engine import (
    CancelChild,
    Engine,
    ErrorThrown,
    EscalationThrown,
    InstanceState,
    RunResult,
    SendMessage,
    StartChild,
    ThrowSignal,
)
from processes.errors import ProcessError
from processes.models import KeptMessage, ProcessDefinition, ProcessInstance, ProcessVersion, Step

logger = logging.getLogger(__name__)

OPEN = {"active", "waiting", "error"}

Operation = Callable[[Engine, InstanceState], RunResult]


def advance(instance_id: int, operation: Operation | None, *, check=None, locked=None):
    """Lock the instance, run `operation` (or every ready step) and write what it did.

    `check(instance, rows)` runs under the lock first and may refuse by raising.
    Returns the instance, or None when there is no such instance or nothing to run.
    With `locked` (persistence.lock_instance's answer, read in the caller's
    transaction, which holds the lock and has changed nothing of the instance since)
    the run takes it as it is, in the caller's transaction: no savepoint, no second
    read; an error rolls the caller's transaction back.
    """
    if locked is not None and not transaction.get_connection().in_atomic_block:
        raise RuntimeError("advance(locked=...) belongs in the transaction that took the lock")
    with transaction.atomic(savepoint=locked is None):
        if locked is None:
            locked = persistence.lock_instance(instance_id)
        if locked is None:
            return None
        instance, rows = locked
        if check is not None:
            check(instance, rows)
        if operation is None and instance.status != "running":
            return None
        engine = engine_for(instance)
        unstarted = instance.next_step_no == 1 and not rows
        if operation is None and unstarted and instance.status == "running":
            # Only a plain run starts an instance the worker has not stepped yet: any
            # other operation (a cancel) applies to it as it is, and wins over the
            # queued start, which then finds nothing to run.
            result = engine.start(
                instance.definition.code,
                instance.variables,
                start_event_id=instance.start_event or None,
            )
        else:
            state = persistence.load_state(instance, rows)
            result = (operation or (lambda e, s: e.run(s)))(engine, state)
        apply_result(instance, rows, result)
    return instance


def newest_version(*, code=None, definition=None) -> ProcessVersion:
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


def engine_for(instance: ProcessInstance) -> Engine:
    return Engine(
        documents.resolver_for(instance.version),
        clock=clock.now,
        functions=registry.functions(),
        decisions=decisions.deployed_decisions,
    )


def apply_result(instance, rows, result: RunResult, *, new: bool = False, guard=None) -> None:
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
    # The instance row's INSERT or UPDATE goes out with the step writes, in one round trip.
    written = persistence.write_steps(
        instance, rows, result, update_instance=not new, insert_instance=new, guard=guard
    )
    _route_effects(instance, result.effects)
    _offer_kept_messages(instance, written.awaited_messages)
    if new:  # the row went out as raw SQL: no post_save, so the start is announced here
        signals.instance_started.send(sender=ProcessInstance, instance=instance)
    _announce(instance, previous_status, written.activated, written.closed)


def _route_effects(instance: ProcessInstance, effects) -> None:
    # Effects commit with the run that caused them or not at all; each is carried
    # out once (outbox.registry), and its handler checks before acting (a parent
    # resumes only from a call step still waiting, a finished child is not canceled).
    depth = None
    escalated = False
    for effect in effects:
        if isinstance(effect, StartChild):
            depth = call_depth(instance) if depth is None else depth
            if depth >= MAX_CALL_DEPTH:
                reason = _(
                    "'%(process)s' was not started: processes calling processes went "
                    "deeper than %(max)s levels (does a process call itself?)"
                ) % {"process": effect.process_id, "max": MAX_CALL_DEPTH}
                queue_task(
                    "processes.call_refused",
                    key=f"call_refused:{instance.pk}:{effect.step_id}",
                    parent_id=instance.pk,
                    step_number=effect.step_id,
                    reason=reason,
                )
                continue
            version = newest_version(code=effect.process_id)
            definition = version.definition
            # The child row commits with its parent's step; the stuck-instance sweep
            # starts it if the queued advance is lost.
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
            signals.instance_started.send(sender=ProcessInstance, instance=child)
            queue_advance(child.pk)
        elif isinstance(effect, CancelChild):
            for child_id in ProcessInstance.objects.filter(
                parent=instance, parent_step_no=effect.step_id, status__in=["running", "error"]
            ).values_list("pk", flat=True):
                queue_task(
                    "processes.cancel_instance", key=f"cancel:{child_id}", instance_id=child_id
                )
        elif isinstance(effect, ErrorThrown):
            instance.error_code = effect.code[:200]
            instance.save(update_fields=["error_code"])
        elif isinstance(effect, EscalationThrown) and instance.parent_id:
            # Uncaught here: the caller's call activity may catch it. The same effect
            # then resumes the caller if this run also ended the child, so the
            # escalation always reaches the call activity before the child's end.
            escalated = True
            queue_task(
                "processes.escalate_to_caller",
                parent_id=instance.parent_id,
                step_number=instance.parent_step_no,
                child_id=instance.pk,
                code=effect.code,
                payload=effect.payload,
            )
        elif isinstance(effect, ThrowSignal):
            queue_task(
                "processes.broadcast_signal",
                name=effect.name,
                payload=effect.payload,
                variable=effect.variable,
            )
        elif isinstance(effect, SendMessage):
            queue_task(
                "processes.deliver_message",
                name=effect.name,
                payload=effect.payload,
                correlation_key=effect.correlation_key,
                variable=effect.variable,
            )
    ended = instance.status in {"completed", "error", "canceled"}
    if instance.parent_id and ended and not escalated:
        queue_task(
            "processes.child_finished",
            parent_id=instance.parent_id,
            step_number=instance.parent_step_no,
            child_id=instance.pk,
        )


def _offer_kept_messages(instance, names: list[str]) -> None:
    # A step that starts waiting for a message may have one kept for it
    # (events.message_correlate(keep_for=...)): the worker gives it after commit.
    if not names:
        return
    kept = KeptMessage.objects.filter(status="kept", name__in=names, expires_at__gt=clock.now())
    if kept.exists():
        queue_task("processes.deliver_kept_messages", instance_id=instance.pk)


def _announce(instance, previous_status, activated, closed):
    # Inside the stepping transaction: what receivers write (a step's activity)
    # commits with the step or not at all. Pushes to open pages are theirs to
    # send after commit.
    for row in activated:
        signals.step_activated.send(sender=Step, step=row)
    for row in closed:
        signals.step_closed.send(sender=Step, step=row, status=row.status)
    if previous_status != instance.status:
        if instance.status == "completed":
            signals.instance_completed.send(sender=ProcessInstance, instance=instance)
        elif instance.status == "error":
            signals.instance_failed.send(sender=ProcessInstance, instance=instance)


def queue_advance(instance_id: int) -> None:
    """Have the worker step the instance after commit.

    The instances one transaction queues (a bulk start, a record trigger over many
    records, children) go to the worker in batches of ADVANCE_BATCH, each stepped in
    its own savepoint of one transaction (`instances_advance`), instead of one task
    and one commit each. Best effort: a running instance with ready steps (or not
    started yet) is its own record of the work, and the stuck-instance sweep queues
    it again."""
    add_for_commit("processes.advance", [instance_id], _send_advances)


def _send_advances(instance_ids: list[int]) -> None:
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    size = max(1, int(settings.ADVANCE_BATCH))
    ids = list(dict.fromkeys(instance_ids))
    try:
        if len(ids) == 1:
            current_app.tasks["processes.advance_instance"].apply_async(ids, queue=queue)
            return
        task = current_app.tasks["processes.advance_instances"]
        for start in range(0, len(ids), size):
            task.apply_async((ids[start : start + size],), queue=queue)
    except Exception:  # the sweep resumes the instances if the broker was away
        logger.exception("could not queue the advance of instances %s", ids[:20])


def queue_task(kind: str, *, key: str = "", **arguments) -> None:
    """Record one of processes' effects (processes/effects.py) in the current transaction.

    The worker carries it out after commit, and the outbox's sweep if that was lost."""
    effect_record(kind=kind, key=key, payload=arguments)
