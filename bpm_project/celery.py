"""The Celery app. Tasks live in each app's tasks.py and are thin wrappers."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")

app = Celery("bpm_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def register_all_tasks() -> None:
    """Import every app's tasks module now, as a worker does when it starts.

    Autodiscovery is lazy: a web process that never imports `<app>.tasks` has
    none of those tasks registered, and the embedded ticker, which runs them by
    name, would fail with NotRegistered. Needs the app registry ready.
    """
    app.loader.import_default_modules()
