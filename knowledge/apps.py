from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        # Registrations need the app registry ready: imported here, not at module top.
        from crm import sections  # noqa: PLC0415 - AppConfig.ready()
        from knowledge import actions, demo  # noqa: F401, PLC0415 - register the action, the loader
        from processes import registry  # noqa: PLC0415 - AppConfig.ready()

        sections.register(
            "knowledge-base",
            _("Knowledge base"),
            "knowledge:article-list",
            icon="book",
            order=25,
        )
        registry.register_model("knowledge.KnowledgeArticle", fields=("title", "body"))
