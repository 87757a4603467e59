from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "processes"
    verbose_name = _("Processes")

    def ready(self):
        from processes import registry

        registry.register_model(
            "crm.Contact", fields=("full_name", "email", "phone", "job_title", "account", "notes")
        )
        registry.register_model("crm.Account", fields=("name", "industry", "phone", "web", "city"))

        from processes import tasks, triggers  # noqa: F401 - tasks registers with Celery

        triggers.connect()
