"""Webhook tests: a real HTTP receiver on a free local port (tests/support/webhook_receiver.py)."""

import pytest
from django.apps import apps

from cases.defaults import load_defaults
from tests.support.webhook_receiver import Receiver


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture(autouse=True)
def _default_lookups(request):
    """The cases data migration's rows, again: a transactional test elsewhere flushes them."""
    if request.node.get_closest_marker(
        "django_db"
    ) is not None and not request.node.get_closest_marker("browser"):
        load_defaults(apps)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the block queued after commit (the outbox's delivery)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
