"""Similar cases and articles ranked by text too, and the top bar's search box."""

import pytest

from cases import services
from crm.models import Account, Contact
from knowledge.models import KnowledgeArticle
from tests.cases.factories import make_case, status

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def test_similar_cases_include_ones_alike_in_words_closest_first(client, agent):
    case = make_case(by=agent, subject="Label printer prints blank labels")
    close = make_case(by=agent, subject="Label printer prints blank pages")
    loose = make_case(by=agent, subject="Blank screen on the laptop")
    make_case(by=agent, subject="Invoice address wrong")
    client.force_login(agent)
    html = client.get(f"/cases/{case.pk}/similar/", headers=HX).content.decode()
    assert close.subject in html and loose.subject in html
    assert "Invoice address wrong" not in html
    assert html.index(close.subject) < html.index(loose.subject)


def test_a_subject_with_a_typo_still_finds_its_twin(client, agent):
    case = make_case(by=agent, subject="Outlook kalender sync broken")
    twin = make_case(by=agent, subject="Outlok calender sync brokn")
    client.force_login(agent)
    html = client.get(f"/cases/{case.pk}/similar/", headers=HX).content.decode()
    assert twin.subject in html


def test_similar_cases_link_their_articles_and_suggest_articles_alike_in_words(client, agent):
    case = make_case(by=agent, subject="Toner smears on every page")
    solved = make_case(by=agent, subject="Toner smears on printouts")
    services.case_set_status(case=solved, status=status("resolved"), user=agent)
    linked = KnowledgeArticle.objects.create(title="Replace the fuser unit")
    solved.articles.add(linked)
    suggested = KnowledgeArticle.objects.create(
        title="When toner smears", body="Clean the drum, then check the fuser."
    )
    KnowledgeArticle.objects.create(title="Resetting a VPN token", body="Open the portal.")
    client.force_login(agent)
    html = client.get(f"/cases/{case.pk}/similar/", headers=HX).content.decode()
    assert f'href="/cases/knowledge-base/{linked.pk}/"' in html
    assert 'id="similar-articles"' in html
    assert f'href="/cases/knowledge-base/{suggested.pk}/"' in html
    assert "Resetting a VPN token" not in html


def test_the_search_box_finds_cases_by_number_and_subject_contacts_accounts_articles(client, agent):
    case = make_case(by=agent, subject="Printer on fire")
    make_case(by=agent, subject="Monitor flickers")
    account = Account.objects.create(name="Fireworks Ltd")
    person = Contact.objects.create(full_name="Ingrid Firestone", email="ingrid@fw.example")
    article = KnowledgeArticle.objects.create(title="Fire safety for printers")
    client.force_login(agent)

    html = client.get("/cases/search/", {"q": "fire"}, headers=HX).content.decode()
    assert f'id="search-case-{case.pk}"' in html and "Monitor flickers" not in html
    assert f'id="search-account-{account.pk}"' in html
    assert f'id="search-contact-{person.pk}"' in html
    assert f'id="search-article-{article.pk}"' in html

    by_number = client.get("/cases/search/", {"q": case.number}, headers=HX).content.decode()
    assert f'id="search-case-{case.pk}"' in by_number

    page = client.get("/cases/search/", {"q": "nothing-like-this"}).content.decode()
    assert "Nothing found for “nothing-like-this”." in page


def test_every_agent_page_has_the_search_box(client, agent):
    client.force_login(agent)
    page = client.get("/cases/").content.decode()
    assert 'id="search-q"' in page and 'aria-keyshortcuts="/ Control+K"' in page
