"""The Opportunities section: list with filters and flat queries, record page, forms."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from crm.models import Opportunity, OpportunityCategory, OpportunityStage
from crm.services_opportunities import lookups_ensure, opportunity_create

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lookups():
    lookups_ensure()


def _make(title, *, category="Small business", stage="Qualification", owner=None, **fields):
    return opportunity_create(
        title=title,
        category=OpportunityCategory.objects.get(name=category),
        stage=OpportunityStage.objects.get(name=stage),
        owner=owner,
        **fields,
    )


def test_the_list_filters_by_category_stage_and_owner(client, agent, other_agent):
    _make("Tablets", owner=agent)
    _make("Fleet", category="Medium business", stage="Proposal", owner=other_agent)
    client.force_login(agent)
    url = reverse("crm:opportunity-list")

    def titles(**params):
        page = client.get(url, params).context["page_obj"]
        return sorted(o.title for o in page)

    assert titles() == ["Fleet", "Tablets"]
    assert titles(category=Opportunity.objects.get(title="Fleet").category_id) == ["Fleet"]
    assert titles(stage=Opportunity.objects.get(title="Tablets").stage_id) == ["Tablets"]
    assert titles(owner="mine") == ["Tablets"]
    assert titles(owner=str(other_agent.pk)) == ["Fleet"]
    assert titles(q="tab") == ["Tablets"]


def test_the_list_costs_the_same_queries_for_3_or_30_rows(client, agent):
    client.force_login(agent)
    url = reverse("crm:opportunity-list")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for i in range(3):
        _make(f"Deal {i}", owner=agent)
    few = count()
    for i in range(3, 30):
        _make(f"Deal {i}", owner=agent)

    assert count() == few


def test_the_list_paginates_and_answers_htmx_with_the_table(client, agent):
    for i in range(30):
        _make(f"Deal {i:02d}", owner=agent)
    client.force_login(agent)

    response = client.get(
        reverse("crm:opportunity-list"), {"page": 2}, headers={"HX-Request": "true"}
    )

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="opportunity-table"')
    assert html.count("<tr>") == 1 + 5


def test_creating_an_opportunity_from_the_form(client, agent):
    client.force_login(agent)
    category = OpportunityCategory.objects.get(name="Small business")

    response = client.post(
        reverse("crm:opportunity-create"),
        {
            "title": "Ten tablets",
            "category": category.pk,
            "amount": "1200.50",
            "close_date": "2030-01-31",
        },
    )

    opportunity = Opportunity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == opportunity.get_absolute_url()
    assert (opportunity.owner, str(opportunity.amount)) == (agent, "1200.50")


def test_the_form_says_which_field_is_wrong(client, agent):
    client.force_login(agent)

    response = client.post(reverse("crm:opportunity-create"), {"title": "", "amount": "x"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"title", "amount"}


def test_editing_leaves_the_stage_to_the_workflow_bar(client, agent):
    opportunity = _make("Tablets", owner=agent)
    client.force_login(agent)

    page = client.get(reverse("crm:opportunity-edit", args=[opportunity.pk]))
    response = client.post(
        reverse("crm:opportunity-edit", args=[opportunity.pk]),
        {
            "title": "Twelve tablets",
            "category": opportunity.category_id,
            "amount": "10",
        },
    )

    assert "id_stage" not in page.content.decode()
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.title, opportunity.stage.name) == ("Twelve tablets", "Qualification")


def test_the_record_page_without_a_case_shows_an_empty_action_panel(client, agent):
    opportunity = _make("Tablets", owner=agent)
    client.force_login(agent)

    html = client.get(opportunity.get_absolute_url()).content.decode()

    assert "Tablets" in html
    assert "case appear here." in html and 'id="dynamic-case-bar"' not in html


def test_the_section_is_in_the_navigation(client, agent):
    client.force_login(agent)

    html = client.get(reverse("crm:opportunity-list")).content.decode()

    assert 'href="/opportunities/"' in html
