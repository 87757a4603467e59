"""Settings for `make bench-engine`: Flowdesk's settings plus django-viewflow.

DATABASE_URL must point at PostgreSQL (the Makefile passes flowdesk_bench);
bench/engine.py refuses to run embedded on SQLite.
"""

from bpm_project.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "viewflow", "viewflow.workflow", "bench.vfapp"]  # noqa: F405

# Nothing the benchmarked shapes do queues a task; if something did, run it here.
CELERY_TASK_ALWAYS_EAGER = True
DEBUG = False
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
