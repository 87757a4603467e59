"""A real Celery worker killed with SIGKILL mid-stepping loses no step and repeats none."""

import signal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count
from django.test import override_settings

from processes.models import ProcessInstance, Step
from processes.services import instance_start, instances_resume_stuck, process_import
from tests.support import servers

DATA = Path(__file__).parent / "data"
INSTANCES = 150
SCRIPT_STEPS = 15


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_run_leaves_every_instance_finished_once_after_restart(tmp_path):
    process_import(data=(DATA / "long_chain.bpmn").read_bytes())
    queue = f"crash-{servers.unique_suffix()}"
    env = servers.server_env(
        database_name=connection.settings_dict["NAME"],
        channels_prefix=queue,
        celery_queue=queue,
        # A killed worker's unacknowledged task comes back after the visibility timeout.
        CELERY_VISIBILITY_TIMEOUT="3",
    )

    with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue):
        instances = [
            instance_start(code="long_chain", variables={"visits": 0}) for _ in range(INSTANCES)
        ]
    worker = servers.start_celery_worker(env, log_path=tmp_path / "worker1.log")
    try:
        finished = ProcessInstance.objects.filter(status="completed")
        servers.wait_until(
            lambda: finished.count() >= INSTANCES // 5,
            timeout=60,
            message="the first worker to finish a fifth of the instances",
        )
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        servers.stop(worker)

    done_at_kill = finished.count()
    assert done_at_kill < INSTANCES, "the kill must land while work is left"

    worker = servers.start_celery_worker(env, log_path=tmp_path / "worker2.log")
    try:
        with override_settings(CELERY_TASK_DEFAULT_QUEUE=queue):
            instances_resume_stuck()  # what beat runs every minute
        servers.wait_until(
            lambda: finished.count() == INSTANCES,
            timeout=120,
            message="every instance to finish after the restart",
        )
    finally:
        servers.stop(worker)

    ids = [i.pk for i in instances]
    assert ProcessInstance.objects.filter(pk__in=ids, status="completed").count() == INSTANCES
    for instance in ProcessInstance.objects.filter(pk__in=ids):
        assert instance.variables["visits"] == SCRIPT_STEPS
    per_element = (
        Step.objects.filter(instance_id__in=ids)
        .values("instance_id", "element_id")
        .annotate(n=Count("id"))
    )
    assert {row["n"] for row in per_element} == {1}, "no element ran twice in any instance"
    assert per_element.count() == INSTANCES * (SCRIPT_STEPS + 2)
