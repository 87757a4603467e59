from django.apps import AppConfig


def forget_content_types(**kwargs):
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


class LiveAppConfig(AppConfig):
    """Long-lived test servers look content types up afresh for every request and task."""

    name = "tests.support.liveapp"
    label = "flowdesk_test_live"

    def ready(self):
        from celery.signals import task_prerun
        from django.core.signals import request_started

        request_started.connect(forget_content_types, dispatch_uid="flowdesk-test-ct-request")
        task_prerun.connect(forget_content_types, dispatch_uid="flowdesk-test-ct-task")
