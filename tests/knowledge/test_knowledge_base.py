"""Knowledge base: the section, articles linked to cases, and the inactive "Create a new
article after case resolution" process."""

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Case
from knowledge.models import KnowledgeArticle
from knowledge.services import kb_definition
from processes.engine.bpmn import parse_bpmn
from processes.models import ProcessDefinition, ProcessInstance
from processes.services import process_set_active
from tests.activities.factories import step_url, waiting_step
from tests.cases.factories import make_case, status

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(db):
    return [
        KnowledgeArticle.objects.create(
            title="Clearing a paper jam", body="Open tray 2 and release the green lever."
        ),
        KnowledgeArticle.objects.create(
            title="VPN from a new device", body="Install the client, approve the push."
        ),
    ]


def test_the_list_searches_titles_and_text(client, agent, articles):
    client.force_login(agent)
    html = client.get("/cases/knowledge-base/").content.decode()
    assert "Clearing a paper jam" in html and "VPN from a new device" in html
    html = client.get("/cases/knowledge-base/?q=green+lever").content.decode()
    assert "Clearing a paper jam" in html and "VPN from a new device" not in html
    fragment = client.get("/cases/knowledge-base/?q=vpn", headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<div id="article-table"')
    assert "No article matches" in client.get("/cases/knowledge-base/?q=zzz").content.decode()


def test_the_list_pages_by_25_and_keeps_the_search_on_the_next_page(client, agent):
    for n in range(30):
        KnowledgeArticle.objects.create(title=f"Printer fix {n:02}", body="Toner and trays.")
    KnowledgeArticle.objects.create(title="VPN from a new device", body="Approve the push.")
    client.force_login(agent)

    first = client.get("/cases/knowledge-base/?q=toner").content.decode()
    second = client.get(
        "/cases/knowledge-base/?q=toner&page=2", headers={"HX-Request": "true"}
    ).content.decode()

    assert first.count('class="kb-result"') == 25 and "1–25 of 30" in first
    assert "Printer fix 00" in first and "Printer fix 25" not in first
    assert 'href="?q=toner&amp;page=2"' in first
    assert second.lstrip().startswith('<div id="article-table"')
    assert second.count('class="kb-result"') == 5 and "26–30 of 30" in second
    assert "VPN from a new device" not in first + second


def test_the_list_shows_linked_cases_in_a_fixed_number_of_queries(
    client, agent, django_assert_num_queries
):
    case = make_case(by=agent)
    client.force_login(agent)

    def add_articles(count):
        for n in range(count):
            article = KnowledgeArticle.objects.create(title=f"Article {n:02}", body="Text.")
            article.cases.add(case)

    add_articles(2)
    with CaptureQueriesContext(connection) as few:
        client.get("/cases/knowledge-base/")
    add_articles(30)
    with django_assert_num_queries(len(few)):
        html = client.get("/cases/knowledge-base/").content.decode()

    assert html.count('class="kb-result"') == 25
    assert html.count('<td class="num">1</td>') == 25


def test_an_article_is_written_edited_and_shown(client, agent):
    client.force_login(agent)
    response = client.post("/cases/knowledge-base/new/", {"title": "", "body": "text"})
    assert "Give the article a title." in response.content.decode()
    assert "text</textarea>" in response.content.decode()
    response = client.post(
        "/cases/knowledge-base/new/", {"title": "Reset a password", "body": "Use the link."}
    )
    article = KnowledgeArticle.objects.get()
    assert response["Location"] == f"/cases/knowledge-base/{article.pk}/"
    client.post(
        f"/cases/knowledge-base/{article.pk}/edit/",
        {"title": "Reset a password", "body": "Use the new link."},
    )
    page = client.get(f"/cases/knowledge-base/{article.pk}/").content.decode()
    assert "Use the new link." in page


def test_articles_are_linked_and_unlinked_on_the_case_page(client, agent, articles):
    case = make_case(by=agent)
    client.force_login(agent)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Knowledge base articles" in page and "Choose an article" in page
    client.post(f"/cases/{case.pk}/articles/link/", {"article": articles[0].pk})
    assert list(case.articles.all()) == [articles[0]]
    assert case.events.filter(kind="article", text__contains="Linked").exists()
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"/cases/{case.pk}/articles/{articles[0].pk}/unlink/" in page
    client.post(f"/cases/{case.pk}/articles/{articles[0].pk}/unlink/")
    assert not case.articles.exists()


def test_a_new_article_written_from_a_case_is_linked_to_it(client, agent):
    case = make_case(by=agent)
    client.force_login(agent)
    response = client.post(
        f"/cases/knowledge-base/new/?case={case.pk}",
        {"title": "Toner smudges", "body": "Shake it.", "case": case.pk},
    )
    assert response["Location"] == case.get_absolute_url()
    assert case.articles.get().title == "Toner smudges"


def test_the_article_process_ships_inactive_and_built_in_in_the_process_library(client, admin_user):
    definition = kb_definition()
    assert kb_definition() == definition  # loaded once
    assert (definition.name, definition.is_active, definition.is_system) == (
        "Create a new article after case resolution",
        False,
        True,
    )
    client.force_login(admin_user)
    assert (
        "Create a new article after case resolution"
        in client.get("/processes/library/?show=all").content.decode()
    )


def test_the_shipped_bpmn_file_imports(db):
    raw = Path(__file__).resolve().parents[2] / "knowledge/bpmn/kb_after_resolution.bpmn"
    document = parse_bpmn(raw.read_bytes(), known_processes=set())
    assert [graph.id for graph in document.processes] == ["kb_after_resolution"]


def test_an_inactive_article_process_does_not_start(agent):
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("resolved"), user=agent)
    # The first resolution loads it, inactive: it shows in the library but does not run.
    assert ProcessDefinition.objects.get(code="kb_after_resolution").is_active is False
    assert not ProcessInstance.objects.filter(definition__code="kb_after_resolution").exists()


def test_once_active_resolving_asks_yes_opens_a_new_article_and_saving_links_it(agent):
    process_set_active(definition=kb_definition(), active=True)
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    services.case_set_status(case=case, status=status("resolved"), user=agent)
    instance = ProcessInstance.objects.get(definition__code="kb_after_resolution")
    assert (instance.record_id, instance.variables["case_id"]) == (str(case.pk), case.pk)
    question = waiting_step(instance)
    assert (question.element_id, question.owner) == ("ask", agent)
    client = Client()
    client.force_login(agent)
    assert "Yes" in client.get(step_url(question)).content.decode()
    client.post(step_url(question), {"step-answer": "Yes"}, HTTP_HX_REQUEST="true")
    edit = waiting_step(instance)
    assert (edit.element_id, edit.owner) == ("write", agent)
    client.post(
        step_url(edit),
        {"step-title": "Printer fire drill", "step-body": "Unplug."},
        HTTP_HX_REQUEST="true",
    )
    instance.refresh_from_db()
    assert instance.status == "completed", instance.error
    article = KnowledgeArticle.objects.get(title="Printer fire drill")
    assert list(Case.objects.get(pk=case.pk).articles.all()) == [article]


def test_answering_no_ends_the_process_and_a_linked_case_is_not_asked(agent):
    process_set_active(definition=kb_definition(), active=True)
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    services.case_set_status(case=case, status=status("resolved"), user=agent)
    instance = ProcessInstance.objects.get(definition__code="kb_after_resolution")
    client = Client()
    client.force_login(agent)
    client.post(step_url(waiting_step(instance)), {"step-answer": "No"}, HTTP_HX_REQUEST="true")
    instance.refresh_from_db()
    assert instance.status == "completed" and not KnowledgeArticle.objects.exists()

    linked = make_case(by=agent, subject="Already documented")
    linked.articles.add(KnowledgeArticle.objects.create(title="Known fix"))
    services.case_set_status(case=linked, status=status("resolved"), user=agent)
    assert ProcessInstance.objects.filter(definition__code="kb_after_resolution").count() == 1


def test_articles_are_editable_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/knowledge/knowledgearticle/add/").status_code == 200
