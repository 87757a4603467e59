from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    name = "outbox"
    verbose_name = _("Outbox")

    def ready(self):
        from outbox import retention, tasks  # noqa: F401, PLC0415 - registers the tasks in every process

        retention.register("outbox.effects", retention.effects_prune)
