from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")

    def ready(self):
        from django.urls import reverse

        from activities import receivers
        from crm import sections
        from processes.user_steps import pages

        sections.register(
            "activities", _("Activities"), "activities:list", icon="calendar", order=30
        )
        receivers.connect()
        # The "Perform task" page of a step is its activity's page.
        pages.register_page_url(
            "task",
            lambda step: reverse("activities:for-step", args=[step.instance_id, step.number]),
        )
