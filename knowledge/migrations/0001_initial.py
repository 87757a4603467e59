"""The knowledge base takes over the tables the cases app made for it (state only):
`cases_knowledgearticle` and the link table `cases_case_articles`. Rows stay where
they are; the content type (and so permissions, process steps and activities
connected to an article) follows to the new app label; stored process models that
named the article model or its link action by the old names are rewritten."""

import hashlib

from django.db import migrations, models

OLD_TO_NEW = {
    'flowdesk:model="cases.KnowledgeArticle"': 'flowdesk:model="knowledge.KnowledgeArticle"',
    'flowdesk:action="cases.link_article"': 'flowdesk:action="knowledge.link_article"',
}


def _move_content_type(apps, old_label, new_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label=new_label, model="knowledgearticle").exists():
        return
    ContentType.objects.filter(app_label=old_label, model="knowledgearticle").update(
        app_label=new_label
    )


def _rewrite_versions(apps, pairs):
    ProcessVersion = apps.get_model("processes", "ProcessVersion")
    for old, _new in pairs:
        for version in ProcessVersion.objects.filter(bpmn_xml__contains=old):
            xml = version.bpmn_xml
            for before, after in pairs:
                xml = xml.replace(before, after)
            version.bpmn_xml = xml
            version.checksum = hashlib.sha256(xml.encode("utf-8")).hexdigest()
            version.save(update_fields=["bpmn_xml", "checksum"])


def forward(apps, schema_editor):
    _move_content_type(apps, "cases", "knowledge")
    _rewrite_versions(apps, list(OLD_TO_NEW.items()))


def backward(apps, schema_editor):
    _move_content_type(apps, "knowledge", "cases")
    _rewrite_versions(apps, [(new, old) for old, new in OLD_TO_NEW.items()])


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0007_knowledge_moves_out_status_roles"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("processes", "0002_instance_start_event"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="KnowledgeArticle",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("title", models.CharField(max_length=300, verbose_name="title")),
                        ("body", models.TextField(blank=True, verbose_name="body")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created"),
                        ),
                        (
                            "modified_at",
                            models.DateTimeField(auto_now=True, verbose_name="modified"),
                        ),
                        (
                            "cases",
                            models.ManyToManyField(
                                blank=True,
                                db_table="cases_case_articles",
                                related_name="articles",
                                to="cases.case",
                                verbose_name="cases",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "knowledge base article",
                        "verbose_name_plural": "knowledge base articles",
                        "db_table": "cases_knowledgearticle",
                        "ordering": ["title"],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
