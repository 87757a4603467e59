"""Due timers: claimed in batches by the sweep, fired by as many workers as there are.

The sweep (beat's `processes.fire_due_timers`, every TIMER_SWEEP_SECONDS) does
no firing of waiting timer steps itself: it claims up to TIMER_SWEEP_BATCHES
batches of TIMER_BATCH_SIZE due steps with `FOR UPDATE SKIP LOCKED`, marks
them claimed for TIMER_CLAIM_SECONDS and queues one
`processes.fire_timer_batch` task per batch, so every worker fires a share.
A claimed step is not claimed again until its claim runs out: a second sweep
(a second beat, the fire_timers command) skips it, and a batch lost with its
worker is claimed again once the claim has passed. Firing itself goes through
`stepping.advance`, which locks the instance and fires only timers still
waiting and due, so a timer fires once even if two batches ever held it.

Timer start events are few (one per start event of an active version) and are
fired in the sweep itself, each under its own row lock.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Q

from processes import clock, start_event_cache
from processes.engine.timers import next_due
from processes.instances import instance_start
from processes.models import Step, TimerStart
from processes.stepping import advance

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def timers_claim(*, now: datetime | None = None, limit: int | None = None) -> list[int]:
    """Claim due waiting timer steps (at most `limit`); return their instances' ids, soonest
    due first, each once. Steps another sweep holds or has claimed are skipped."""
    now = now or clock.now()
    if limit is None:
        limit = _setting("TIMER_BATCH_SIZE", 200) * _setting("TIMER_SWEEP_BATCHES", 50)
    with transaction.atomic():
        due = list(
            Step.objects.filter(status=Step.Status.WAITING, due_at__lte=now)
            .filter(Q(timer_claimed_until__isnull=True) | Q(timer_claimed_until__lt=now))
            .order_by("due_at")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "instance_id")[:limit]
        )
        if not due:
            return []
        claim = now + timedelta(seconds=_setting("TIMER_CLAIM_SECONDS", 120))
        Step.objects.filter(pk__in=[pk for pk, _ in due]).update(timer_claimed_until=claim)
    return list(dict.fromkeys(instance_id for _, instance_id in due))


def timers_fire_batch(instance_ids: list[int], *, now: datetime | None = None) -> int:
    """Fire the due timers of these instances; how many fired.

    TIMER_COMMIT_EVERY instances share a transaction, each in its own savepoint (its
    own lock on its instance, rolled back alone if it fails): one commit, one flush of
    the log, for many timers; durability is the same, the commit is simply shared."""
    now = now or clock.now()
    every = max(_setting("TIMER_COMMIT_EVERY", 20), 1)
    fired = 0
    for first in range(0, len(instance_ids), every):
        with transaction.atomic():
            for instance_id in instance_ids[first : first + every]:
                try:
                    if advance(instance_id, lambda e, s: e.fire_due_timers(s, now)) is not None:
                        fired += 1
                    # The claim was for this firing: a cycle's timer waits on, due again
                    # later, and must be free for the sweep that finds it due then.
                    Step.objects.filter(
                        instance_id=instance_id, timer_claimed_until__isnull=False
                    ).update(timer_claimed_until=None)
                except Exception:  # one instance's trouble must not hold back the others
                    logger.exception("could not fire the timers of instance %s", instance_id)
    return fired


def timers_sweep(*, now: datetime | None = None) -> int:
    """Beat's sweep: claim due timers, queue one task per batch, fire due timer starts.

    Returns how many instances were handed to workers plus how many processes started."""
    now = now or clock.now()
    claimed = timers_claim(now=now)
    size = _setting("TIMER_BATCH_SIZE", 200)
    task = current_app.tasks["processes.fire_timer_batch"]
    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    for first in range(0, len(claimed), size):
        batch = claimed[first : first + size]
        try:
            task.apply_async((batch, now.isoformat()), queue=queue)
        except Exception:  # the claims run out and the next sweep hands them out again
            logger.exception("could not queue a batch of %s due timers", len(batch))
    return len(claimed) + _fire_timer_starts(now)


def timers_fire_due(*, now: datetime | None = None) -> int:
    """Fire every due timer here and now (the fire_timers command, tests): claimed batch by
    batch as the sweep does, so it may run beside workers. Returns how many fired."""
    now = now or clock.now()
    fired = 0
    size = _setting("TIMER_BATCH_SIZE", 200)
    while claimed := timers_claim(now=now, limit=size):
        fired += timers_fire_batch(claimed, now=now)
    return fired + _fire_timer_starts(now)


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
            spec = start_event_cache.timer_start_spec(timer.version, timer.element_id)
            timer.fired_count += 1
            timer.next_due = next_due(spec, timer.next_due, timer.fired_count) if spec else None
            timer.save(update_fields=["fired_count", "next_due"])
            instance_start(definition=timer.version.definition, start_event_id=timer.element_id)
            fired += 1
    return fired
