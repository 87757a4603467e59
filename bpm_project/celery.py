"""The Celery app. Tasks live in each app's tasks.py and are thin wrappers."""

import contextlib
import inspect
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

from bpm_project import log

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpm_project.settings")

app = Celery("bpm_project")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
_task_log_tokens = {}


def register_all_tasks() -> None:
    """Import every app's tasks module now, as a worker does when it starts.

    Autodiscovery is lazy: a web process that never imports `<app>.tasks` has
    none of those tasks registered, and the embedded ticker, which runs them by
    name, would fail with NotRegistered. Needs the app registry ready.
    """
    app.loader.import_default_modules()


@task_prerun.connect(dispatch_uid="flowdesk-log-context")
def _task_log_context(task_id=None, task=None, args=None, kwargs=None, **_):
    """Logs written while a task runs name it, and the process instance it works on."""
    arguments = dict(kwargs or {})
    with contextlib.suppress(TypeError, ValueError):
        arguments = inspect.signature(task.run).bind_partial(*(args or ()), **arguments).arguments
    instance_id = arguments.get("instance_id") or arguments.get("parent_id")
    _task_log_tokens[task_id] = log.bind(task=task.name, task_id=task_id, instance_id=instance_id)


@task_postrun.connect(dispatch_uid="flowdesk-log-context-end")
def _task_log_context_end(task_id=None, **_):
    token = _task_log_tokens.pop(task_id, None)
    if token is not None:
        with contextlib.suppress(ValueError):
            log.reset(token)
