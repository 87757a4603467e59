"""The system setting that names the supervisor role: its members (and staff) may skip
anyone's optional dynamic-case step. An admin who renames the role changes it here."""

from django.db import migrations


def add_setting(apps, schema_editor):
    apps.get_model("crm", "SystemSetting").objects.get_or_create(
        code="DynamicCaseSupervisorRole",
        defaults={
            "name": "Dynamic cases: supervisor role",
            "kind": "text",
            "value": "Supervisors",
            "description": "Members of this role may skip anyone's optional dynamic-case "
            "step; everyone else only their own.",
        },
    )


class Migration(migrations.Migration):
    dependencies = [
        ("dynamic_cases", "0001_initial"),
        ("crm", "0004_opportunity_lookups"),
    ]

    operations = [migrations.RunPython(add_setting, migrations.RunPython.noop)]
