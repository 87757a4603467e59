"""Indexes for the Cases list at size: its default sort, and trigram indexes for its search box.

The search box matches any part of the subject, the number, the contact's or the
account's name (`icontains`, i.e. UPPER(column) LIKE '%TERM%'): GIN trigram indexes on
those expressions let PostgreSQL find the matches without reading every case. They are
PostgreSQL's own (pg_trgm, added by 0009); on SQLite (embedded mode) there are none.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = [
    ("case_subject_trgm", "cases_case", "subject"),
    ("case_number_trgm", "cases_case", "number"),
    ("contact_full_name_trgm", "crm_contact", "full_name"),
    ("account_name_trgm", "crm_account", "name"),
]


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, column in TRIGRAM_INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_pg_trgm"),
        ("crm", "0005_user_settings"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["-registered_at", "-id"], name="case_registered"),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
