"""The Actions menu: Escalate, reassign, Reclassify, Search for similar cases, Internal note."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from cases import assignment, services
from cases.models import CaseEvent, ConfigurationItem, Service, Tag
from knowledge.models import KnowledgeArticle
from notifications.models import Notification
from tests.cases.factories import agreement, category, level, make_case, status

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def test_the_escalate_dialog_offers_higher_support_levels(client, agent):
    case = make_case(by=agent, support_level=level(1))
    client.force_login(agent)
    html = client.get(f"/cases/{case.pk}/escalate/", headers=HX).content.decode()
    assert html.lstrip().startswith('<div id="case-action"')
    assert ">2nd line<" in html and ">1st line<" not in html
    full = client.get(f"/cases/{case.pk}/escalate/").content.decode()
    assert "<html" in full and 'id="case-action"' in full


def test_an_escalation_without_a_new_assignee_or_group_says_what_is_missing(client, agent):
    case = make_case(by=agent, assignee=agent)
    client.force_login(agent)
    response = client.post(
        f"/cases/{case.pk}/escalate/", {"support_level": level(2).pk}, headers=HX
    )
    assert "To escalate the case, choose a new assignee or assignee group." in (
        response.content.decode()
    )
    response = client.post(f"/cases/{case.pk}/escalate/", {}, headers=HX)
    assert (
        "To escalate the case, choose the new support level and a new assignee or assignee group."
    ) in response.content.decode()
    with pytest.raises(services.CaseError, match="already with this assignee"):
        assignment.case_escalate(case=case, user=agent, support_level=level(2), assignee=agent)
    case.refresh_from_db()
    assert case.support_level_id is None and case.assignee == agent


def test_escalating_to_the_2nd_line_group_tells_every_member(
    client, agent, second_line_agent, committed
):
    case = make_case(by=agent, assignee=agent)
    second_line = Group.objects.get(name="2nd line support")
    client.force_login(agent)
    with committed():
        response = client.post(
            f"/cases/{case.pk}/escalate/",
            {
                "support_level": level(2).pk,
                "assignee": "",
                "assignee_group": second_line.pk,
                "note": "Needs the relay logs",
            },
            headers=HX,
        )
    assert response.headers["HX-Redirect"] == case.get_absolute_url()
    case.refresh_from_db()
    assert (case.assignee, case.assignee_group, case.support_level) == (None, second_line, level(2))
    [notice] = Notification.objects.filter(recipient=second_line_agent)
    assert notice.title == f"{case.number} is waiting in the 2nd line support queue"
    event = case.events.get(kind=CaseEvent.Kind.ESCALATION)
    assert "Needs the relay logs" in event.text and event.actor == agent


def test_reassign_changes_the_assignee_or_group(client, agent, other_agent):
    case = make_case(by=agent, assignee=agent)
    client.force_login(agent)
    page = client.get(f"/cases/{case.pk}/reassign/").content.decode()
    assert f'<option value="{agent.pk}" selected>' in page
    client.post(f"/cases/{case.pk}/reassign/", {"assignee": other_agent.pk})
    case.refresh_from_db()
    assert case.assignee == other_agent
    assert case.events.filter(kind=CaseEvent.Kind.ASSIGNMENT, actor=agent).exists()


def test_reclassify_recomputes_the_deadlines_category_and_terms(client, agent):
    monday = datetime(2026, 3, 2, 10, tzinfo=ZoneInfo("UTC"))
    standard = agreement("Standard", response=60, resolution=9 * 60)
    catalogue = agreement(
        "Catalogue", response=120, resolution=18 * 60, category_code="service_request"
    )
    case = make_case(by=agent, service_agreement=standard, registered_at=monday)
    assert case.resolution_due == datetime(2026, 3, 3, 10, tzinfo=ZoneInfo("UTC"))
    client.force_login(agent)
    response = client.post(
        f"/cases/{case.pk}/reclassify/", {"service_agreement": catalogue.pk}, headers=HX
    )
    assert response.headers["HX-Redirect"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.service_agreement == catalogue
    assert case.category == category("service_request")
    assert case.response_due == datetime(2026, 3, 2, 12, tzinfo=ZoneInfo("UTC"))
    assert case.resolution_due == datetime(2026, 3, 4, 10, tzinfo=ZoneInfo("UTC"))
    assert case.events.filter(kind=CaseEvent.Kind.RECLASSIFIED).exists()


def test_similar_cases_share_service_item_or_tags_and_resolved_ones_show_articles(client, agent):
    printers = Service.objects.create(name="Printers")
    prn = ConfigurationItem.objects.create(name="PRN-3F", service=printers)
    jam = Tag.objects.create(name="paper jam")
    case = make_case(by=agent, subject="Jams again", service=printers)
    case.tags.add(jam)
    by_service = make_case(by=agent, subject="Same service", service=printers)
    make_case(by=agent, subject="Same printer", configuration_item=prn)
    by_tag = make_case(by=agent, subject="Same tag")
    by_tag.tags.add(jam)
    resolved = make_case(by=agent, subject="Solved before", service=printers)
    services.case_set_status(case=resolved, status=status("resolved"), user=agent)
    resolved.articles.add(KnowledgeArticle.objects.create(title="Clearing a paper jam"))
    make_case(by=agent, subject="Unrelated")

    client.force_login(agent)
    html = client.get(f"/cases/{case.pk}/similar/", headers=HX).content.decode()
    for other in (by_service, by_tag, resolved):
        assert other.subject in html
    assert "Unrelated" not in html and "Same printer" not in html
    assert "Clearing a paper jam" in html
    assert html.index("Solved before") < html.index("Same service")

    case.configuration_item = prn
    case.save()
    assert "Same printer" in client.get(f"/cases/{case.pk}/similar/").content.decode()


def test_choosing_a_similar_case_sets_the_parent_case_and_loops_are_refused(client, agent):
    case = make_case(by=agent)
    original = make_case(by=agent, subject="The original")
    client.force_login(agent)
    response = client.post(f"/cases/{case.pk}/parent/", {"parent": original.pk}, headers=HX)
    assert response.headers["HX-Redirect"] == case.get_absolute_url()
    case.refresh_from_db()
    assert case.parent == original
    page = client.get(case.get_absolute_url()).content.decode()
    assert f"{original.number} The original" in page
    with pytest.raises(services.CaseError, match="own parent"):
        services.case_set_parent(case=original, parent=case, user=agent)


def test_an_internal_note_appears_in_the_history_with_who_and_when(client, agent):
    case = make_case(by=agent)
    client.force_login(agent)
    client.post(f"/cases/{case.pk}/note/", {"text": "Asked the vendor for a part"}, headers=HX)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "Asked the vendor for a part" in page and "Internal note" in page
    note = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert note.actor == agent
    response = client.post(f"/cases/{case.pk}/note/", {"text": "  "}, headers=HX)
    assert "This field is required." in response.content.decode()


def test_the_history_feed_shows_emails_status_and_assignment_changes(
    client, agent, other_agent, committed
):
    case = make_case(by=agent)
    with committed():
        services.case_set_status(case=case, status=status("in_progress"), user=agent)
    assignment.case_assign(case=case, user=agent, assignee=other_agent)
    client.force_login(agent)
    page = client.get(case.get_absolute_url()).content.decode()
    for text in (
        "Case registered",
        "Status changed",
        "New → In progress",
        "Email",
        "We are working on your case",
        "Assignee: Carol Agent",
    ):
        assert text in page
