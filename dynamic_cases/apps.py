from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from crm import sections
from processes import registry


class DynamicCasesConfig(AppConfig):
    name = "dynamic_cases"
    verbose_name = _("Dynamic cases")

    def ready(self):
        # These import the models, which exist only once the app registry is ready;
        # importing demo registers its demo loader.
        from dynamic_cases import demo, panels, receivers  # noqa: F401, PLC0415

        # Opportunities run dynamic cases: processes may read and write them.
        registry.register_model(
            "crm.Opportunity",
            fields=("title", "account", "category", "stage", "amount", "owner", "close_date"),
        )
        sections.register(
            "case-designer",
            _("Case designer"),
            "dynamic_cases:designer",
            icon="settings",
            order=82,
            staff_only=True,
        )
        receivers.connect()
        panels.register()
