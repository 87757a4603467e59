from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from crm import sections  # noqa: PLC0415 - AppConfig.ready()
        from outbox import registry, retention  # noqa: PLC0415 - AppConfig.ready()
        from webhooks import receivers, services  # noqa: PLC0415 - they import models
        from webhooks.retention import deliveries_prune  # noqa: PLC0415 - it imports models

        sections.register(
            "webhooks", _("Webhooks"), "webhooks:list", icon="globe", order=90, staff_only=True
        )
        registry.register(services.EFFECT_KIND, services.delivery_send)
        receivers.connect()
        retention.register("webhooks.deliveries", deliveries_prune)
