"""pg_trgm for similar cases and the search box (trigram similarity); a no-op on SQLite."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_case_edited_event")]

    operations = [TrigramExtension()]
