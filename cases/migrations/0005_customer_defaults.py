"""The customer side's defaults: message templates and the automatic closing settings
(load_defaults is idempotent: rows that exist stay as admins edited them)."""

from django.db import migrations


def load(apps, schema_editor):
    from cases.defaults import load_defaults

    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_customer_side"),
        ("crm", "0004_opportunity_lookups"),
        ("processes", "0002_instance_start_event"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
