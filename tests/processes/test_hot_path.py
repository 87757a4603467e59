"""The user-step path an operator pays for on every instance: its statements stay few,
its activity is written once, and a write that fails leaves the instance as it was."""

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity
from activities.services import activity_create_for_step
from processes import services
from processes.models import ProcessInstance, Step
from tests.activities.factories import one_step_process, start, waiting_step
from webhooks import services as webhook_services

pytestmark = pytest.mark.django_db(transaction=True)

TASK = 'flowdesk:page="task" flowdesk:results="Done;Not reached"'


def statements(captured) -> list[str]:
    """The statements of the operation's transaction (up to its COMMIT; the panel
    refresh queued after commit runs in the worker, here eagerly)."""
    sent = []
    for query in captured.captured_queries:
        sql = query["sql"]
        if sql.startswith("COMMIT"):
            break
        if not sql.startswith(("BEGIN", "SAVEPOINT", "RELEASE SAVEPOINT")):
            sent.append(sql)
    return sent


def test_a_perform_task_step_costs_a_handful_of_statements_from_start_to_done(agent, monkeypatch):
    # As on a running server, the webhook subscriptions read once stay known for a
    # while (here long enough that a slow machine does not read them mid-test).
    monkeypatch.setattr(webhook_services, "LISTENED_SECONDS", 3600.0)
    webhook_services.events_forget()
    definition = one_step_process("hot_task", TASK, name="Hot path")
    start(definition, user=agent)  # warm the parse cache and the content types

    with CaptureQueriesContext(connection) as started:
        instance = start(definition, user=agent)
    step = waiting_step(instance)
    with CaptureQueriesContext(connection) as completed:
        services.step_complete(
            instance_id=instance.pk, step_number=step.number, user=agent, result="Done"
        )

    # Start: the instance with its first steps in one INSERT (which also checks the
    # cached newest version) and the activity (6 statements before). Complete: lock,
    # open steps (one round trip), the run's writes (instance, step, next step: one
    # round trip) and the activity closed (10 before).
    assert len(statements(started)) <= 2, statements(started)
    assert len(statements(completed)) <= 6, statements(completed)
    instance.refresh_from_db()
    assert instance.status == "completed"
    activity = Activity.objects.get(step=step)
    assert (activity.status, activity.result) == (Activity.Status.COMPLETED, "Done")
    assert activity.completed_at is not None and activity.owner == agent
    steps = Step.objects.filter(instance=instance).order_by("number")
    assert list(steps.values_list("element_id", "status")) == [
        ("start", "completed"),
        ("ask", "completed"),
        ("end", "completed"),
    ]


def test_a_step_gets_one_activity_however_often_it_is_announced(agent):
    instance = start(one_step_process("hot_once", TASK), user=agent)
    step = waiting_step(instance)
    first = Activity.objects.get(step=step)

    again = activity_create_for_step(step=step)

    assert again.pk == first.pk
    assert Activity.objects.filter(step=step).count() == 1


def test_a_run_whose_step_write_fails_leaves_the_instance_and_its_activity_as_they_were(agent):
    instance = start(one_step_process("hot_fail", TASK), user=agent)
    step = waiting_step(instance)
    # A row already holds the number the run will give its next step (a corrupt log):
    # the run's batched writes fail at the database, as one error, and roll back.
    Step.objects.create(
        instance=instance,
        number=instance.next_step_no,
        element_id="intruder",
        element_type="scriptTask",
        status="completed",
        started_at=timezone.now(),
    )

    with pytest.raises(IntegrityError):
        services.step_complete(instance_id=instance.pk, step_number=step.number, result="Done")

    instance = ProcessInstance.objects.get(pk=instance.pk)
    assert instance.status == "running"
    assert Step.objects.get(pk=step.pk).status == "waiting"
    assert Activity.objects.get(step=step).status == Activity.Status.OPEN
    # The connection is usable afterwards: the step can still be completed once the
    # intruder is gone.
    Step.objects.filter(element_id="intruder").delete()
    services.step_complete(instance_id=instance.pk, step_number=step.number, result="Done")
    assert ProcessInstance.objects.get(pk=instance.pk).status == "completed"


def test_starts_follow_a_new_version_a_deactivation_and_tracing_at_once(agent):
    """The newest version is taken from a cache; its INSERT checks it is still so."""
    definition = one_step_process("hot_cache", TASK, name="Cached")
    assert start(definition, user=agent).version.number == 1
    assert services.instance_start(code="hot_cache", run_now=True).version.number == 1

    one_step_process("hot_cache", TASK + ' flowdesk:hint="v2"', name="Cached")
    by_code = services.instance_start(code="hot_cache", run_now=True)
    assert by_code.version.number == 2
    assert ProcessInstance.objects.get(pk=by_code.pk).version.number == 2

    definition.refresh_from_db()
    definition.tracing = True
    definition.save(update_fields=["tracing"])
    traced = services.instance_start(code="hot_cache", run_now=True, variables={"x": 1})
    assert Step.objects.filter(instance=traced, trace__x=1).exists()

    services.process_set_active(definition=definition, active=False)
    before = ProcessInstance.objects.count()
    with pytest.raises(services.ProcessNotActive):
        services.instance_start(code="hot_cache", run_now=True)
    assert ProcessInstance.objects.count() == before
    # A called process still starts while inactive.
    called = services.instance_start(code="hot_cache", run_now=True, as_called=True)
    assert called.version.number == 2


def prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def test_the_step_statements_are_prepared_on_the_connection_unless_switched_off(agent, settings):
    definition = one_step_process("hot_prepared", TASK)
    # A new session: prepared statements belong to the connection that made them.
    if hasattr(connection, "close_pool"):
        connection.close_pool()
    connection.close()
    settings.DB_PREPARE = False
    start(definition, user=agent)
    before = prepared_statements()
    assert before == set(), "DB_PREPARE=0 prepares nothing (PgBouncer)"

    settings.DB_PREPARE = True
    instance = start(definition, user=agent)
    step = waiting_step(instance)
    services.step_complete(instance_id=instance.pk, step_number=step.number, user=agent)
    prepared = prepared_statements() - before
    # The instance with its steps, the activity, the lock and the step writes: each
    # planned once on this connection and run again from its plan.
    assert any('INSERT INTO "processes_processinstance"' in sql for sql in prepared)
    assert any('INSERT INTO "activities_activity"' in sql for sql in prepared)
    assert any("FOR UPDATE OF i" in sql for sql in prepared)
    instance.refresh_from_db()
    assert instance.status == "completed"
