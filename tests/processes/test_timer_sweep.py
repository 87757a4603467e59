"""The timer sweep fans out: it claims due timers in batches and workers fire them, once each."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from django.test import override_settings

from processes import clock, timer_sweep
from processes.models import ProcessInstance, Step
from processes.services import instance_start, process_import
from tests.support import servers

DATA = Path(__file__).parent / "data"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def start_waiting(n, run=None):
    process_import(data=(DATA / "timer_wait.bpmn").read_bytes())
    with clock.frozen_at(START):
        return [
            (run(instance_start, code="timer_wait") if run else instance_start(code="timer_wait"))
            for _ in range(n)
        ]


def assert_each_fired_once(instances):
    ids = [i.pk for i in instances]
    assert ProcessInstance.objects.filter(pk__in=ids, status="completed").count() == len(ids)
    per_element = (
        Step.objects.filter(instance_id__in=ids)
        .values("instance_id", "element_id")
        .annotate(n=Count("id"))
    )
    assert {row["n"] for row in per_element} == {1}, "no timer or step after it ran twice"
    assert per_element.count() == len(ids) * 4  # start, the timer, the script, the end


@pytest.fixture
def run_after_commit(django_capture_on_commit_callbacks):
    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.mark.django_db
@override_settings(TIMER_BATCH_SIZE=10, TIMER_SWEEP_BATCHES=3, TIMER_CLAIM_SECONDS=120)
def test_a_claimed_timer_is_not_handed_out_again_until_its_claim_runs_out(run_after_commit):
    start_waiting(25, run_after_commit)
    due = START + timedelta(hours=1)

    first = timer_sweep.timers_claim(now=due)
    second = timer_sweep.timers_claim(now=due)  # a second beat, the fire_timers command
    assert len(first) == 25
    assert second == [], "every due timer is held by the first claim"
    assert timer_sweep.timers_claim(now=due + timedelta(seconds=119)) == []
    # The worker that held them died: once the claim runs out another sweep takes them.
    assert sorted(timer_sweep.timers_claim(now=due + timedelta(seconds=121))) == sorted(first)


@pytest.mark.django_db
@override_settings(TIMER_BATCH_SIZE=10, TIMER_SWEEP_BATCHES=3)
def test_the_sweep_queues_one_task_per_batch_and_every_timer_fires_once(run_after_commit):
    instances = start_waiting(45, run_after_commit)
    due = START + timedelta(hours=1)
    assert timer_sweep.timers_sweep(now=due - timedelta(minutes=1)) == 0

    # Eager tasks here: each queued batch fires at once. One sweep takes 3 batches of 10.
    with clock.frozen_at(due):
        assert run_after_commit(timer_sweep.timers_sweep, now=due) == 30
        assert ProcessInstance.objects.filter(status="completed").count() == 30
        assert run_after_commit(timer_sweep.timers_sweep, now=due) == 15
        assert run_after_commit(timer_sweep.timers_sweep, now=due) == 0
    assert_each_fired_once(instances)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_workers_fire_every_timer_once_even_when_two_sweeps_hand_them_out(tmp_path):
    queue = f"timers-{servers.unique_suffix()}"
    env = servers.server_env(
        database_name=connection.settings_dict["NAME"],
        channels_prefix=queue,
        celery_queue=queue,
        TIMER_BATCH_SIZE="20",
    )
    workers = [
        servers.start_celery_worker(env, log_path=tmp_path / f"worker{n}.log") for n in (1, 2)
    ]
    with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue):
        try:
            for worker in workers:
                servers.wait_for_log(worker, "ready", timeout=60)
            instances = start_waiting(100)  # the workers step them to their timers
            waiting = Step.objects.filter(status="waiting")
            servers.wait_until(lambda: waiting.count() == 100, timeout=60, message="the timers")
            # Due now for the workers, whose clock is the real one.
            waiting.update(due_at=clock.now() - timedelta(minutes=1))
            with override_settings(TIMER_BATCH_SIZE=20):
                assert timer_sweep.timers_sweep() == 100
                # A second beat, late enough that the first claims look run out, hands
                # every batch not fired yet out again: the two workers race for them.
                timer_sweep.timers_sweep(now=clock.now() + timedelta(seconds=121))
            finished = ProcessInstance.objects.filter(status="completed")
            servers.wait_until(
                lambda: finished.count() == len(instances),
                timeout=120,
                message="both workers to fire every timer",
            )
        finally:
            for worker in workers:
                servers.stop(worker)
    assert_each_fired_once(instances)
    logs = [servers.read_log(w) for w in workers]
    assert all("processes.fire_timer_batch" in log for log in logs), "both workers fired batches"
