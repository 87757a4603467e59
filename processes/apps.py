from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProcessesConfig(AppConfig):
    name = "processes"
    verbose_name = _("Processes")

    def ready(self):
        from crm import sections  # noqa: PLC0415 - AppConfig.ready()
        from processes import registry  # noqa: PLC0415 - AppConfig.ready()

        sections.register(
            "process-library",
            _("Process library"),
            "processes:library",
            icon="flow",
            order=80,
            staff_only=True,
        )
        sections.register(
            "process-log",
            _("Process log"),
            "processes:log",
            icon="chart",
            order=81,
            staff_only=True,
        )

        registry.register_model(
            "crm.Contact", fields=("full_name", "email", "phone", "job_title", "account", "notes")
        )
        registry.register_model("crm.Account", fields=("name", "industry", "phone", "web", "city"))

        from outbox import retention  # noqa: PLC0415 - AppConfig.ready()
        from processes import data_actions, effects, tasks, triggers  # noqa: F401, PLC0415 - they register
        from processes.retention import kept_messages_prune  # noqa: PLC0415 - it imports models

        retention.register("processes.kept_messages", kept_messages_prune)

        triggers.connect()
        effects.connect()

        from crm import record_actions, record_panels  # noqa: PLC0415 - AppConfig.ready()
        from processes import record_buttons  # noqa: PLC0415 - AppConfig.ready()

        record_actions.register(record_buttons.record_buttons)
        record_actions.register_list(record_buttons.list_buttons)
        record_panels.register(
            record_buttons.next_steps, key="process-next-steps", place="side", order=20
        )

        from processes import demo  # noqa: F401, PLC0415 - registers its demo loader
