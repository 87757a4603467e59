from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm import sections


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("CRM")

    def ready(self):
        sections.register("contacts", _("Contacts"), "crm:contact-list", icon="user", order=40)
        sections.register("accounts", _("Accounts"), "crm:account-list", icon="building", order=50)
        sections.register(
            "opportunities",
            _("Opportunities"),
            "crm:opportunity-list",
            icon="briefcase",
            order=45,
        )
