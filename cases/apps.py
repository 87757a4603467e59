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

        from cases import demo  # noqa: F401 - registers its demo loader

        # The customer side: knowledge base section, its model for processes, actions.
        sections.register(
            "knowledge-base", _("Knowledge base"), "cases:kb-list", icon="book", order=25
        )
        registry.register_model("cases.KnowledgeArticle", fields=("title", "body"))
        from cases.customer import actions  # noqa: F401 - registers cases.link_article
        from cases.customer import demo as customer_demo  # noqa: F401 - registers its loader
