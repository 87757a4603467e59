"""Case tests: the default lookups come from the data migration; receivers are connected
here as NotificationsConfig.ready() connects them in the running app."""

import pytest
from django.apps import apps

from cases.defaults import load_defaults
from notifications import case_receivers


@pytest.fixture(autouse=True)
def _case_receivers_connected():
    case_receivers.connect()


@pytest.fixture(autouse=True)
def _default_lookups(request):
    """The data migration's rows, again: a transactional test elsewhere flushes them."""
    if request.node.get_closest_marker("django_db") is None:
        return

    load_defaults(apps)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what services queue after commit (emails, signals)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
