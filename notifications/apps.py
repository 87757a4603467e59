from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        # Receivers import models of cases and processes: only once the registry is ready.
        from notifications import (  # noqa: PLC0415
            case_receivers,
            portal_receivers,
            process_receivers,
            session_receivers,
        )

        case_receivers.connect()
        portal_receivers.connect()
        process_receivers.connect()
        session_receivers.connect()
