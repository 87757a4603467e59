"""The default case statuses, lookups, message templates and base calendar."""

from django.db import migrations


def load(apps, schema_editor):
    from cases.defaults import load_defaults

    load_defaults(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
        ("crm", "0002_message_templates"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
