from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import gettext_lazy as _

from crm import sections
from outbox import registry as outbox_registry


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM")

    def ready(self):
        from crm import languages, time_zones  # noqa: PLC0415 - models load after the registry

        user_logged_in.connect(
            time_zones.remember_on_sign_in, dispatch_uid="crm.remember_time_zone"
        )
        user_logged_in.connect(languages.remember_on_sign_in, dispatch_uid="crm.remember_language")

        from crm import email  # noqa: PLC0415 - imports models: only once apps are ready

        outbox_registry.register(email.EFFECT_KIND, email.email_deliver)
        sections.register("contacts", _("Contacts"), "crm:contact-list", icon="user", order=40)
        sections.register("accounts", _("Accounts"), "crm:account-list", icon="building", order=50)
        sections.register(
            "opportunities",
            _("Opportunities"),
            "crm:opportunity-list",
            icon="briefcase",
            order=45,
        )
