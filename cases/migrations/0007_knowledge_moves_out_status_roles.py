"""The knowledge base moves to its own app (state only: its tables stay as they are,
knowledge/migrations/0001 takes them over), and statuses get the flags that name
their role in the rules (start, work, reopen), set on the default statuses."""

from django.db import migrations, models

ROLES = {"new": "is_initial", "in_progress": "assigns_mover", "reopened": "is_reopen"}


def set_roles(apps, schema_editor):
    CaseStatus = apps.get_model("cases", "CaseStatus")
    for code, flag in ROLES.items():
        # An admin who already chose a status for the role keeps that choice.
        if not CaseStatus.objects.filter(**{flag: True}).exists():
            CaseStatus.objects.filter(code=code).update(**{flag: True})


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_dynamic_cases_to_own_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(model_name="case", name="articles"),
                migrations.DeleteModel(name="KnowledgeArticle"),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="casestatus",
            name="is_initial",
            field=models.BooleanField(
                default=False,
                help_text="New cases start in it (the first by order, when several have the flag).",
                verbose_name="start status",
            ),
        ),
        migrations.AddField(
            model_name="casestatus",
            name="assigns_mover",
            field=models.BooleanField(
                default=False,
                help_text="Moving a case here makes the mover its assignee and emails the "
                "customer that work has started.",
                verbose_name="work status",
            ),
        ),
        migrations.AddField(
            model_name="casestatus",
            name="is_reopen",
            field=models.BooleanField(
                default=False,
                help_text="A customer's reply or low rating returns a paused or resolved case "
                "to it (the first by order, when several have the flag).",
                verbose_name="reopen status",
            ),
        ),
        migrations.RunPython(set_roles, migrations.RunPython.noop),
    ]
