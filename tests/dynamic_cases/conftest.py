import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what services queue after commit (signals, activities)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
