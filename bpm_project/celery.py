"""The Celery app. Tasks live in each app's tasks.py and are thin wrappers."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")

app = Celery("bpm_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
