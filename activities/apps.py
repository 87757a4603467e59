from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm import sections


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # These import models, which exist only once the app registry is ready.
        from activities import receivers  # noqa: PLC0415 - AppConfig.ready()
        from processes.user_steps import pages  # noqa: PLC0415 - AppConfig.ready()

        sections.register(
            "activities", _("Activities"), "activities:list", icon="calendar", order=30
        )
        receivers.connect()
        # The "Perform task" page of a step is its activity's page.
        pages.register_page_url(
            "task",
            lambda step: reverse("activities:for-step", args=[step.instance_id, step.number]),
        )
