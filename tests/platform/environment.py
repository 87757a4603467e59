"""A pytest plugin (`-p tests.platform.environment` in pyproject.toml) for the test processes.

Settings refuse to start with DEBUG off and no SECRET_KEY, as production must. The
test process and the Daphne and Celery processes it starts (they inherit its
environment) get a key of their own unless the caller set one. It is loaded as a
plugin because pytest-django imports the settings before any conftest.py.
"""

import os

os.environ.setdefault("SECRET_KEY", "flowdesk-test-suite-key-not-for-any-deployment-0f3a9c")  # noqa: S105

# Under pytest-xdist (`make test` runs two workers), each worker has its own test database
# (pytest-django adds the worker's name) and here its own Redis database, channel-layer
# prefix and Celery queue, so pushes, caches, throttles and locks of one never reach the other.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and _worker[2:].isdigit():
    _number = int(_worker[2:])
    _redis = os.environ.get("REDIS_URL", "")
    _base, _, _db = _redis.rpartition("/")
    if _redis and _db.isdigit() and int(_db) - _number >= 0:
        os.environ["REDIS_URL"] = f"{_base}/{int(_db) - _number}"
    os.environ.setdefault("CHANNELS_PREFIX", f"flowdesk-{_worker}")
    os.environ.setdefault("CELERY_QUEUE", f"flowdesk-{_worker}")
