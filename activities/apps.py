from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm import sections


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        # Both load models, which are only ready once the registry is.
        from activities import receivers  # noqa: PLC0415 - connected in ready()
        from processes.user_steps import pages  # noqa: PLC0415 - registered in ready()

        sections.register(
            "activities", _("Activities"), "activities:list", icon="calendar", order=30
        )
        receivers.connect()
        # The "Perform task" page of a step is its activity's page.
        pages.register_page_url(
            "task",
            lambda step: reverse("activities:for-step", args=[step.instance_id, step.number]),
        )
