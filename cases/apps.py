from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from crm import sections
        from processes import registry

        sections.register(
            "agent-desktop", _("Agent desktop"), "cases:desktop", icon="inbox", order=10
        )
        sections.register("cases", _("Cases"), "cases:case-list", icon="case", order=20)
        registry.register_model(
            "cases.Case",
            fields=(
                "subject", "description", "category", "priority", "status", "contact",
                "account", "service_agreement", "service", "configuration_item",
                "support_level", "assignee", "assignee_group", "parent", "closure_code",
                "closure_notes", "satisfaction",
            ),
        )

        from cases import demo  # noqa: F401 - registers its demo loader
