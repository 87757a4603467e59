"""Dynamic cases moved to their own app, dynamic_cases: their models leave cases' state
only. The tables and rows stay where they are; dynamic_cases 0001 takes them over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_customer_defaults"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="RecordCaseStep"),
                migrations.DeleteModel(name="RecordCase"),
                migrations.DeleteModel(name="DynamicCaseVersion"),
                migrations.DeleteModel(name="DynamicCase"),
            ],
            database_operations=[],
        ),
    ]
