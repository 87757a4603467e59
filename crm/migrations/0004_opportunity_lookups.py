from django.db import migrations


def load(apps, schema_editor):
    from crm.services_opportunities import lookups_ensure

    lookups_ensure(apps.get_model("crm", "OpportunityCategory"), apps.get_model("crm", "OpportunityStage"))


class Migration(migrations.Migration):
    dependencies = [("crm", "0003_opportunities")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
