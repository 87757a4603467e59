"""Test run from the designer: a draft runs as drawn without being published; the
importer refuses what publishing refuses; the test version is never the newest."""

import json

import pytest
from django.urls import reverse

from api import tokens as api_tokens
from processes import designer, selectors
from processes.models import ProcessInstance, ProcessVersion, Step
from processes.services import instance_start, process_import

pytestmark = pytest.mark.django_db

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:flowdesk="https://flowdesk.dev/bpmn" id="d" targetNamespace="t">'
)


def model(task, *, code="offer"):
    return (
        HEAD + f'<bpmn:process id="{code}" name="Offer" isExecutable="true">'
        '<bpmn:startEvent id="start"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask"/>'
        f"{task}"
        '<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="end"/>'
        '<bpmn:endEvent id="end"/></bpmn:process></bpmn:definitions>'
    )


PUBLISHED = model('<bpmn:userTask id="ask" name="Ask" flowdesk:page="task"/>')
DRAFTED = model('<bpmn:userTask id="ask" name="Check the offer" flowdesk:owner="admin"/>')
NO_ANSWERS = model('<bpmn:userTask id="ask" name="Ask" flowdesk:page="question"/>')


@pytest.fixture
def draft(admin_user):
    version = process_import(data=PUBLISHED, user=admin_user)[0]
    return designer.draft_from_version(version=version, user=admin_user)


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_a_test_run_starts_the_draft_as_drawn_for_the_admin_without_publishing_it(
    draft, admin_user
):
    instance = designer.draft_test_run(
        draft=draft, xml=DRAFTED, variables={"amount": 1200}, user=admin_user
    )
    assert instance.version.is_test_run
    assert instance.started_by == admin_user
    assert instance.variables["amount"] == 1200
    step = Step.objects.get(instance=instance, element_id="ask", status="waiting")
    assert step.name == "Check the offer"  # the draft's name, not version 1's
    assert step.owner == admin_user  # its user step reaches its owner
    draft.refresh_from_db()
    assert draft.bpmn_xml == DRAFTED  # saved

    # Never the newest: a start by code takes version 1, and the library counts one.
    started = instance_start(code="offer", user=admin_user, run_now=True)
    assert started.version.number == 1 and not started.version.is_test_run
    assert selectors.latest_version(draft.definition).number == 1
    assert [v.number for v in selectors.version_list(draft.definition)] == [1]
    listed = selectors.library_list(q="offer").get()
    assert listed.version_count == 1


def test_a_second_test_run_makes_another_test_version_and_an_inactive_process_runs(
    draft, admin_user
):
    draft.definition.is_active = False
    draft.definition.save()
    first = designer.draft_test_run(draft=draft, xml=DRAFTED, variables={}, user=admin_user)
    second = designer.draft_test_run(draft=draft, xml=DRAFTED, variables={}, user=admin_user)
    assert first.version_id != second.version_id
    assert ProcessVersion.objects.filter(is_test_run=True).count() == 2


def test_a_model_the_importer_refuses_does_not_run_with_publishings_message(draft, admin_user):
    with pytest.raises(designer.DraftRefused) as refused:
        designer.draft_test_run(draft=draft, xml=NO_ANSWERS, variables={}, user=admin_user)
    assert refused.value.message.startswith("This model cannot be published: Element 'ask'")
    assert not ProcessInstance.objects.exists()
    assert not ProcessVersion.objects.filter(is_test_run=True).exists()


def test_a_new_processs_draft_cannot_test_run_before_it_is_published(admin_user):
    new = designer.draft_new(name="Fresh", code="fresh", user=admin_user)
    with pytest.raises(designer.DraftRefused, match="once it is published"):
        designer.draft_test_run(
            draft=new,
            xml=model("<bpmn:task id='ask'/>", code="fresh"),
            variables={},
            user=admin_user,
        )


def test_the_view_starts_a_test_run_and_answers_with_the_log_page(admin_client, draft):
    url = reverse("processes:designer-test-run", args=[draft.pk])
    response = admin_client.post(url, {"xml": DRAFTED, "variables": '{"amount": 5}'})
    assert response.status_code == 200
    instance = ProcessInstance.objects.get(pk=response.json()["instance"])
    assert response.json()["url"] == instance.get_absolute_url()
    page = admin_client.get(instance.get_absolute_url())
    assert "data-test-run>Test run</span>" in page.content.decode()
    # The Process log lists it by default, badged; a published version's instance is not.
    instance_start(code="offer", run_now=True)
    listing = admin_client.get(reverse("processes:log")).content.decode()
    assert listing.count('status-test-run">Test run</span>') == 1


@pytest.mark.parametrize(
    ("variables", "error"),
    [
        ("{amount: 5}", "This is not valid JSON"),
        ("[1, 2]", "Give a JSON object"),
        ('{"n": 1' + "0" * 40 + "}", "too large"),
    ],
)
def test_bad_variables_are_refused_in_the_form_and_nothing_runs(
    admin_client, draft, variables, error
):
    url = reverse("processes:designer-test-run", args=[draft.pk])
    response = admin_client.post(url, {"xml": DRAFTED, "variables": variables})
    assert response.status_code == 400
    assert error in " ".join(response.json()["errors"])
    assert not ProcessInstance.objects.exists()


def test_a_refused_draft_is_refused_by_the_view_naming_the_element(admin_client, draft):
    url = reverse("processes:designer-test-run", args=[draft.pk])
    response = admin_client.post(url, {"xml": NO_ANSWERS, "variables": ""})
    assert response.status_code == 400
    data = response.json()
    assert data["problems"][0]["element"] == "ask"
    assert "cannot be published" in data["message"]


def test_the_test_run_is_for_staff_only_and_needs_a_post(client, draft, django_user_model):
    url = reverse("processes:designer-test-run", args=[draft.pk])
    user = django_user_model.objects.create_user("agent", password="x")
    client.force_login(user)
    response = client.post(url, {"xml": DRAFTED, "variables": json.dumps({})})
    assert response.status_code in {302, 403}
    assert not ProcessInstance.objects.exists()
    client.force_login(django_user_model.objects.create_user("boss", is_staff=True))
    assert client.get(url).status_code == 405


def test_the_apis_list_no_test_run_as_a_version(draft, admin_user, admin_client):
    designer.draft_test_run(draft=draft, xml=DRAFTED, variables={}, user=admin_user)
    mine = admin_client.get("/api/definitions/offer/versions")
    assert mine.status_code == 200, mine.content
    assert [v["number"] for v in mine.json()["items"]] == [1]
    token = api_tokens.token_create(user=admin_user, name="camunda", scope="read")[1]
    camunda = admin_client.get(
        "/engine-rest/process-definition?key=offer", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert camunda.status_code == 200, camunda.content
    assert [d["version"] for d in camunda.json()] == [1]
