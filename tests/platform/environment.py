"""A pytest plugin (`-p tests.platform.environment` in pyproject.toml) for the test processes.

Settings refuse to start with DEBUG off and no SECRET_KEY, as production must. The
test process and the Daphne and Celery processes it starts (they inherit its
environment) get a key of their own unless the caller set one. It is loaded as a
plugin because pytest-django imports the settings before any conftest.py.
"""

import os

os.environ.setdefault("SECRET_KEY", "flowdesk-test-suite-key-not-for-any-deployment-0f3a9c")  # noqa: S105
