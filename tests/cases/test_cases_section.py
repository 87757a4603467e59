"""Cases section: list, filters, sorting, flat queries, New case, sections, registry, demo."""

import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services
from cases.demo import load_cases
from cases.models import Case, CaseStatus
from crm import sections
from crm.demo import load_people
from processes import registry
from tests.cases.factories import agreement, contact, make_case, priority, status

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


def subjects(response):
    return [c.subject for c in response.context["page_obj"]]


def test_numbers_are_unique_and_follow_the_registration_order(agent):
    first, second = make_case(by=agent), make_case(by=agent)
    assert first.number == f"SR-{first.pk:05d}" and second.number == f"SR-{second.pk:05d}"
    assert Case.objects.filter(number=first.number).count() == 1


@pytest.mark.django_db(transaction=True)
def test_numbers_stay_unique_when_cases_are_registered_concurrently(agent):
    customer = contact()
    barrier = threading.Barrier(4)

    def register():
        try:
            barrier.wait()
            make_case(by=agent, subject="Concurrent", contact=customer)
        finally:
            connection.close()

    threads = [threading.Thread(target=register) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == 4 and len(set(numbers)) == 4 and None not in numbers


def test_the_list_filters_by_status_priority_assignee_group_overdue_and_search(
    client, agent, other_agent
):
    first_line = Group.objects.get(name="1st line support")
    make_case(by=agent, subject="Mine", assignee=agent, priority=priority("high"))
    make_case(by=agent, subject="Carol's", assignee=other_agent)
    make_case(by=agent, subject="Group", assignee_group=first_line)
    late = make_case(
        by=agent,
        subject="Late printer",
        service_agreement=agreement(response=1, resolution=2),
        registered_at=timezone.now() - timedelta(days=9),
    )
    services.case_set_status(case=late, status=status("waiting"), user=agent)
    services.case_set_status(case=late, status=status("in_progress"), user=agent)
    client.force_login(agent)

    assert set(subjects(client.get("/cases/?assignee=mine"))) == {"Mine", "Late printer"}
    assert subjects(client.get("/cases/?assignee=unassigned")) == ["Group"]
    assert subjects(client.get(f"/cases/?group={first_line.pk}")) == ["Group"]
    assert subjects(client.get(f"/cases/?priority={priority('high').pk}")) == ["Mine"]
    assert subjects(client.get(f"/cases/?status={status('in_progress').pk}")) == ["Late printer"]
    assert subjects(client.get("/cases/?overdue=1")) == ["Late printer"]
    assert subjects(client.get("/cases/?q=printer")) == ["Late printer"]
    assert subjects(client.get(f"/cases/?q={late.number}")) == ["Late printer"]


def test_the_list_sorts_and_paginates_with_real_links(client, agent):
    for index in range(30):
        make_case(by=agent, subject=f"Case {index:02d}")
    client.force_login(agent)
    response = client.get("/cases/?sort=subject")
    assert subjects(response)[:2] == ["Case 00", "Case 01"]
    assert len(subjects(response)) == 25
    html = response.content.decode()
    assert 'href="?sort=subject&amp;page=2"' in html
    assert subjects(client.get("/cases/?sort=-subject"))[0] == "Case 29"
    case = Case.objects.get(subject="Case 00")
    assert f'href="{case.get_absolute_url()}"' in html


def test_an_htmx_request_gets_only_the_table(client, agent):
    make_case(by=agent)
    client.force_login(agent)
    response = client.get("/cases/?q=printer", headers=HX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="case-table"') and "<html" not in html
    assert response.headers["Vary"].count("HX-Request") == 1


def test_the_list_runs_the_same_number_of_queries_for_3_and_30_cases(
    client, agent, django_assert_num_queries
):
    client.force_login(agent)
    sla = agreement()
    for index in range(3):
        make_case(by=agent, subject=f"Few {index}", assignee=agent, service_agreement=sla)
    client.get("/cases/")

    with CaptureQueriesContext(connection) as few:
        client.get("/cases/")
    for index in range(27):
        make_case(
            by=agent,
            subject=f"Many {index}",
            assignee=agent,
            service_agreement=sla,
            assignee_group=Group.objects.get(name="1st line support"),
        )
    with django_assert_num_queries(len(few)):
        client.get("/cases/")


def test_new_case_form_registers_a_case_and_says_what_is_missing(client, agent):
    client.force_login(agent)
    response = client.post("/cases/new/", {"subject": ""})
    html = response.content.decode()
    assert "This field is required." in html and Case.objects.count() == 0
    response = client.post(
        "/cases/new/", {"subject": "Laptop will not boot", "priority": priority("high").pk}
    )
    case = Case.objects.get()
    assert response.url == case.get_absolute_url()
    assert case.status == status("new") and case.created_by == agent


def test_the_case_page_shows_profile_workflow_bar_actions_and_history(client, agent):
    case = make_case(by=agent)
    client.force_login(agent)
    html = client.get(case.get_absolute_url()).content.decode()
    for text in (
        'id="case-record"',
        'class="workflow-bar"',
        "Escalate",
        "Reclassify",
        "Search for similar cases",
        "Internal note",
        "Parent case",
        "Assignee group",
        "History",
        "Case registered",
        f'href="/cases/{case.pk}/escalate/"',
    ):
        assert text in html
    for name in CaseStatus.objects.values_list("name", flat=True):
        assert f">{name}<" in html


def test_sections_and_the_process_registry_know_cases(admin_user):
    visible = {s.key: s for s in sections.visible_to(admin_user)}
    assert (visible["agent-desktop"].label, visible["agent-desktop"].order) == ("Agent desktop", 10)
    assert (visible["cases"].label, visible["cases"].order) == ("Cases", 20)
    registered = registry.get_model("cases.Case")
    assert registered.model is Case and "assignee" in registered.fields


def test_every_lookup_is_editable_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    for model in (
        "casestatus",
        "casepriority",
        "casecategory",
        "supportlevel",
        "closurecode",
        "tag",
        "service",
        "configurationitem",
        "satisfactionlevel",
        "workcalendar",
        "serviceagreement",
        "case",
    ):
        assert client.get(f"/admin/cases/{model}/add/").status_code == 200, model


def test_the_demo_loader_is_idempotent_and_covers_every_status(settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}

    load_people()
    load_cases()
    count = Case.objects.count()
    load_cases()
    assert Case.objects.count() == count
    assert set(Case.objects.values_list("status__code", flat=True)) == set(
        CaseStatus.objects.values_list("code", flat=True)
    )
    assert Case.objects.values("contact").distinct().count() > 3
