"""The knowledge base moved from cases to its own app without touching a row: a
database at the old schema, with articles linked to cases and a stored article
process, migrates forward and the new models find everything."""

import hashlib

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import Case, CaseStatus
from knowledge.models import KnowledgeArticle
from processes.models import ProcessVersion

# Today's schema before the move: cases up to its customer-side defaults, no knowledge app.
OLD_STATE = [
    ("cases", "0005_customer_defaults"),
    ("knowledge", None),
    ("processes", "0002_instance_start_event"),
]
# The historical models the test writes with, at that state.
OLD_MODELS = [
    ("cases", "0005_customer_defaults"),
    ("processes", "0002_instance_start_event"),
    ("contenttypes", "0002_remove_content_type_name"),
]
OLD_BPMN = (
    '<bpmn:userTask id="write" flowdesk:page="edit" flowdesk:model="cases.KnowledgeArticle" />'
    '<bpmn:serviceTask id="link" flowdesk:action="cases.link_article" />'
)


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)


def _old_models():
    return MigrationExecutor(connection).loader.project_state(OLD_MODELS).apps


def _latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _old_rows(old):
    """Rows written with the historical models of the old schema."""
    Status = old.get_model("cases", "CaseStatus")
    Case = old.get_model("cases", "Case")
    Article = old.get_model("cases", "KnowledgeArticle")
    Definition = old.get_model("processes", "ProcessDefinition")
    Version = old.get_model("processes", "ProcessVersion")
    ContentTypeOld = old.get_model("contenttypes", "ContentType")

    status, _ = Status.objects.get_or_create(code="new", defaults={"name": "New", "order": 10})
    case = Case.objects.create(subject="Printer on fire", number="SR-90001", status=status)
    article = Article.objects.create(title="Clearing a paper jam", body="Open tray 2.")
    Article.objects.create(title="Unlinked article")
    case.articles.add(article)
    definition = Definition.objects.create(code="kb_test_process", name="KB test")
    version = Version.objects.create(
        definition=definition,
        number=1,
        name="KB test",
        bpmn_xml=OLD_BPMN,
        checksum=hashlib.sha256(OLD_BPMN.encode()).hexdigest(),
    )
    content_type = ContentTypeOld.objects.get(app_label="cases", model="knowledgearticle")
    return {
        "case": case.pk,
        "article": article.pk,
        "version": version.pk,
        "content_type": content_type.pk,
    }


@pytest.mark.django_db(transaction=True)
def test_articles_links_and_stored_processes_survive_the_move():
    latest = _latest()
    try:
        _migrate(OLD_STATE)
        ids = _old_rows(_old_models())
        _migrate(latest)
    finally:
        _migrate(latest)

    article = KnowledgeArticle.objects.get(pk=ids["article"])
    assert article.title == "Clearing a paper jam" and article.body == "Open tray 2."
    assert KnowledgeArticle.objects.count() == 2
    case = Case.objects.get(pk=ids["case"])
    assert list(case.articles.values_list("pk", flat=True)) == [ids["article"]]
    assert list(article.cases.values_list("pk", flat=True)) == [ids["case"]]

    # Steps, activities and permissions that point at the content type keep pointing at it.
    content_type = ContentType.objects.get_for_model(KnowledgeArticle)
    assert content_type.pk == ids["content_type"]
    assert not ContentType.objects.filter(app_label="cases", model="knowledgearticle").exists()

    version = ProcessVersion.objects.get(pk=ids["version"])
    assert 'flowdesk:model="knowledge.KnowledgeArticle"' in version.bpmn_xml
    assert 'flowdesk:action="knowledge.link_article"' in version.bpmn_xml
    assert version.checksum == hashlib.sha256(version.bpmn_xml.encode()).hexdigest()

    # The status roles are set on the default statuses the old schema had.
    assert CaseStatus.objects.get(code="new").is_initial


@pytest.mark.django_db(transaction=True)
def test_the_move_reverses_to_the_old_schema():
    latest = _latest()
    try:
        _migrate(OLD_STATE)
        old = _old_models()
        Article = old.get_model("cases", "KnowledgeArticle")
        Article.objects.create(title="Still here")
        ContentTypeOld = old.get_model("contenttypes", "ContentType")
        assert ContentTypeOld.objects.filter(app_label="cases", model="knowledgearticle").exists()
    finally:
        _migrate(latest)
    assert KnowledgeArticle.objects.filter(title="Still here").exists()
