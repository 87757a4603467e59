"""The Process library pages: list, upload, activate, run, versions, diagram."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from processes.models import ProcessDefinition, ProcessInstance
from processes.services import instance_start, process_import, process_set_active

DATA = Path(__file__).parent / "data"
DEMO = Path(__file__).resolve().parents[2] / "processes" / "demo_bpmn"
pytestmark = pytest.mark.django_db

BROKEN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="broken" name="Broken" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="calc" />
    <bpmn:scriptTask id="calc" name="Calculate">
      <bpmn:script>total = = 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def review():
    return process_import(data=(DATA / "review.bpmn").read_bytes())[0].definition


@pytest.fixture
def budget():
    return process_import(data=(DEMO / "budget_split.bpmn").read_bytes())[0].definition


def upload(client, name, content):
    return client.post(
        reverse("processes:library-upload"), {"file": SimpleUploadedFile(name, content)}
    )


def test_an_agent_is_refused_the_process_library(client, agent, review):
    client.force_login(agent)

    for url in (
        reverse("processes:library"),
        reverse("processes:library-detail", args=[review.pk]),
        reverse("processes:library-run", args=[review.pk]),
    ):
        assert client.get(url).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("processes:library"))

    assert response.status_code == 302
    assert "login" in response.url


def test_the_library_shows_only_active_processes_until_the_active_filter_is_cleared(
    admin_client, review, budget
):
    process_set_active(definition=budget, active=False)

    active = admin_client.get(reverse("processes:library")).content.decode()
    everything = admin_client.get(reverse("processes:library"), {"show": "all"}).content.decode()

    assert "Review a request" in active and "Split a team budget" not in active
    assert "Review a request" in everything and "Split a team budget" in everything


def test_searching_the_library_matches_name_or_code(admin_client, review, budget):
    response = admin_client.get(reverse("processes:library"), {"q": "budget", "show": "all"})

    assert "Split a team budget" in response.content.decode()
    assert "Review a request" not in response.content.decode()


def test_the_library_table_answers_an_htmx_request_with_its_fragment(admin_client, review):
    response = admin_client.get(reverse("processes:library"), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="process-table"')
    assert "Review a request" in body


def _make_processes(count, start=0):
    for n in range(start, start + count):
        xml = (
            (DATA / "review.bpmn")
            .read_text()
            .replace(
                'id="review" name="Review a request"', f'id="review_{n}" name="Review {n:02d}"'
            )
        )
        process_import(data=xml)


def test_the_library_list_takes_the_same_number_of_queries_for_3_or_30_processes(
    admin_client, admin_user, django_assert_num_queries
):
    _make_processes(3)
    for definition in ProcessDefinition.objects.all():
        instance_start(definition=definition, user=admin_user, run_now=True)
    url = reverse("processes:library")
    admin_client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as three:
        admin_client.get(url, {"show": "all"})
    _make_processes(30, start=3)

    with django_assert_num_queries(len(three)):
        response = admin_client.get(url, {"show": "all"})
    assert response.content.decode().count('class="cell-primary col-wrap"') == 25


def test_uploading_a_bpmn_file_imports_an_inactive_process_and_opens_it(admin_client):
    response = upload(admin_client, "review.bpmn", (DATA / "review.bpmn").read_bytes())

    definition = ProcessDefinition.objects.get(code="review")
    assert response.status_code == 302
    assert response.url == definition.get_absolute_url()
    assert definition.is_active is False
    assert definition.versions.count() == 1


def test_a_file_that_cannot_import_names_the_element_and_changes_nothing(admin_client, review):
    response = upload(admin_client, "broken.bpmn", BROKEN)

    assert response.status_code == 400
    body = response.content.decode()
    assert "This file cannot be imported" in body
    assert "calc" in body
    assert list(ProcessDefinition.objects.values_list("code", flat=True)) == ["review"]


def test_a_file_over_two_megabytes_is_refused_with_its_size(admin_client):
    big = b"<x>" + b" " * (2 * 1024 * 1024 + 10) + b"</x>"

    response = upload(admin_client, "big.bpmn", big)

    assert response.status_code == 400
    assert "at most 2 MB" in response.content.decode()
    assert not ProcessDefinition.objects.exists()


def test_activating_a_process_lets_it_be_run(admin_client, review):
    process_set_active(definition=review, active=False)

    response = admin_client.post(
        reverse("processes:library-set-active", args=[review.pk]), {"active": "1"}
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.is_active is True


def test_deactivating_a_process_with_running_instances_warns_then_cancels_them(
    admin_client, admin_user, budget, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        failed = instance_start(
            definition=budget, variables={"budget": 1, "people": 0}, user=admin_user
        )
    url = reverse("processes:library-set-active", args=[budget.pk])

    warning = admin_client.post(url, {"active": "0"})

    assert warning.status_code == 200
    assert "1 instance of this process is still running" in warning.content.decode()
    budget.refresh_from_db()
    assert budget.is_active is True

    with django_capture_on_commit_callbacks(execute=True):
        confirmed = admin_client.post(url, {"active": "0", "confirm": "1"}, follow=True)

    budget.refresh_from_db()
    assert budget.is_active is False
    assert ProcessInstance.objects.get(pk=failed.pk).status == "canceled"
    assert "1 running instance was canceled" in confirmed.content.decode()


def test_running_a_process_with_declared_inputs_starts_it_with_typed_variables(
    admin_client, budget, django_capture_on_commit_callbacks
):
    form = admin_client.get(reverse("processes:library-run", args=[budget.pk])).content.decode()
    assert 'name="budget"' in form and 'name="people"' in form

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("processes:library-run", args=[budget.pk]), {"budget": "900", "people": "3"}
        )

    instance = ProcessInstance.objects.get(definition=budget)
    assert response.url == instance.get_absolute_url()
    instance.refresh_from_db()
    assert instance.status == "completed"
    assert instance.variables["share"] == 300


def test_running_a_process_without_declared_inputs_takes_a_json_object(
    admin_client, review, django_capture_on_commit_callbacks
):
    url = reverse("processes:library-run", args=[review.pk])

    bad = admin_client.post(url, {"variables": '{"amount": 2'})
    not_object = admin_client.post(url, {"variables": "[1, 2]"})
    with django_capture_on_commit_callbacks(execute=True):
        good = admin_client.post(url, {"variables": '{"amount": 21}'})

    assert bad.status_code == 400 and "This is not valid JSON" in bad.content.decode()
    assert "{&quot;amount&quot;: 2" in bad.content.decode()  # what was typed is kept
    assert "Give a JSON object" in not_object.content.decode()
    instance = ProcessInstance.objects.get(definition=review)
    assert good.url == instance.get_absolute_url()
    instance.refresh_from_db()
    assert instance.variables["amount"] == 42


def test_a_deactivated_process_cannot_be_run_and_the_reason_is_shown(admin_client, review):
    process_set_active(definition=review, active=False)

    response = admin_client.post(
        reverse("processes:library-run", args=[review.pk]), {"variables": "{}"}
    )

    assert response.status_code == 400
    assert "is not active" in response.content.decode()
    assert not ProcessInstance.objects.exists()


def test_the_process_page_lists_versions_and_each_exports_its_bpmn(admin_client, review):
    process_import(data=(DATA / "review.bpmn").read_bytes())
    page = admin_client.get(reverse("processes:library-detail", args=[review.pk]))
    first = review.versions.get(number=1)

    export = admin_client.get(reverse("processes:version-export", args=[first.pk]))

    assert "v1" in page.content.decode() and "v2" in page.content.decode()
    assert export["Content-Disposition"] == 'attachment; filename="review-v1.bpmn"'
    assert b'id="approve"' in export.content
    assert b"flowdesk:owner=" in export.content


def test_the_diagram_is_the_file_as_imported_for_the_browser_to_lay_out(admin_client, review):
    version = review.versions.get()

    response = admin_client.get(reverse("processes:version-diagram", args=[version.pk]))

    body = response.content.decode()
    assert response["Content-Type"].startswith("application/xml")
    assert body == version.bpmn_xml and "BPMNPlane" not in body
