from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from crm import sections  # noqa: PLC0415 - AppConfig.ready()
        from processes import registry  # noqa: PLC0415 - AppConfig.ready()

        sections.register(
            "agent-desktop", _("Agent desktop"), "cases:desktop", icon="inbox", order=10
        )
        sections.register("cases", _("Cases"), "cases:case-list", icon="case", order=20)
        registry.register_model(
            "cases.Case",
            fields=(
                "subject",
                "description",
                "category",
                "priority",
                "status",
                "contact",
                "account",
                "service_agreement",
                "service",
                "configuration_item",
                "support_level",
                "assignee",
                "assignee_group",
                "parent",
                "closure_code",
                "closure_notes",
                "satisfaction",
            ),
        )

        from cases import demo, receivers  # noqa: F401, PLC0415 - demo registers its loader
        from cases.correspondence import demo as customer_demo  # noqa: F401, PLC0415 - its loader

        receivers.connect()
