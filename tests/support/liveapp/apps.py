from celery.signals import task_prerun
from django.apps import AppConfig
from django.core.signals import request_started


class LiveAppConfig(AppConfig):
    """Long-lived test servers look content types up afresh for every request and task."""

    name = "tests.support.liveapp"
    label = "flowdesk_test_live"

    def ready(self):
        # ContentType is a model: it can be imported only once the app registry is ready.
        from tests.support.liveapp.receivers import forget_content_types  # noqa: PLC0415 - ready()

        request_started.connect(forget_content_types, dispatch_uid="flowdesk-test-ct-request")
        task_prerun.connect(forget_content_types, dispatch_uid="flowdesk-test-ct-task")
