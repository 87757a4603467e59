"""Shared test fixtures: named users built through the real models.

Integration tests run on PostgreSQL (`make test` sets DATABASE_URL); the
named users follow healthchecks' owner / member / outsider habit.
"""

import pytest
from django.contrib.auth.models import Group, User

from bpm_project.celery import app


def _user(username, *, groups=(), is_staff=False, is_superuser=False, first="", last=""):
    user = User.objects.create_user(
        username=username,
        email=f"{username}@example.com",
        password="password",  # noqa: S106
        first_name=first,
        last_name=last,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


@pytest.fixture
def admin_user(db):
    return _user("alice", is_staff=True, is_superuser=True, first="Alice", last="Admin")


@pytest.fixture
def agent(db):
    return _user("bob", groups=["1st line support"], first="Bob", last="Agent")


@pytest.fixture
def other_agent(db):
    return _user("carol", groups=["1st line support"], first="Carol", last="Agent")


@pytest.fixture
def second_line_agent(db):
    return _user("dave", groups=["2nd line support"], first="Dave", last="Expert")


@pytest.fixture
def outsider(db):
    return _user("eve", first="Eve", last="Outsider")


@pytest.fixture(autouse=True)
def celery_runs_tasks_in_process(request):
    """Integration tests run queued Celery tasks in-process, after commit, as embedded mode does.

    Tests marked `worker` start a real worker process instead.
    """

    if request.node.get_closest_marker("worker"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser journeys run last, after pytest-django's own ordering.

    Playwright's sync API leaves an event loop marked running in the test
    thread; tests that use async_to_sync (consumers, pushes) must not follow it.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
