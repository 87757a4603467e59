"""The designer's server side: the importer in check mode, drafts, publishing as
version N+1, reverting, and the JSON endpoints the page calls."""

import json

import pytest
from django.urls import reverse

from processes import designer
from processes.models import ProcessDefinition, ProcessDraft, ProcessInstance
from processes.services import instance_start, process_import

pytestmark = pytest.mark.django_db

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:flowdesk="https://flowdesk.dev/bpmn" id="d" targetNamespace="t">'
)


def model(task, *, code="offer", name="Offer"):
    return (
        HEAD + f'<bpmn:process id="{code}" name="{name}" isExecutable="true">'
        '<bpmn:startEvent id="start"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="ask"/>'
        f"{task}"
        '<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="end"/>'
        '<bpmn:endEvent id="end"/></bpmn:process></bpmn:definitions>'
    )


QUESTION = model(
    '<bpmn:userTask id="ask" name="Ask" flowdesk:page="question" flowdesk:answers="Yes;No"/>'
)
NO_ANSWERS = model('<bpmn:userTask id="ask" name="Ask" flowdesk:page="question"/>')


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_check_returns_the_importers_refusal_naming_the_element_and_writes_nothing():
    problems = designer.check(NO_ANSWERS)
    assert [(p.element, p.kind, p.level) for p in problems] == [("ask", "refused", "error")]
    assert "no answers" in problems[0].message
    assert not ProcessDefinition.objects.exists()


def test_check_reports_tasks_that_block_activation_and_owners_that_do_not_exist():
    xml = model(
        '<bpmn:serviceTask id="ask" name="Charge" flowdesk:action="nobody.registered.this"/>'
    )
    assert [(p.element, p.kind) for p in designer.check(xml)] == [("ask", "blocked")]
    xml = model('<bpmn:userTask id="ask" name="Ask" flowdesk:owner="nobody_here"/>')
    assert [(p.element, p.kind, p.level) for p in designer.check(xml)] == [
        ("ask", "warning", "warning")
    ]


def test_check_refuses_an_oversized_model_with_its_size():
    problems = designer.check(QUESTION + " " * (2 * 1024 * 1024))
    assert problems[0].kind == "refused"
    assert "at most 2 MB" in problems[0].message


def test_a_new_draft_publishes_as_version_1_of_an_active_process_and_is_gone(admin_user):
    draft = designer.draft_new(name="Offer", code="offer", user=admin_user)
    assert 'id="offer"' in draft.bpmn_xml
    version = designer.draft_publish(draft=draft, xml=QUESTION, user=admin_user)
    assert version.number == 1
    assert version.definition.is_active
    assert version.created_by == admin_user
    assert not ProcessDraft.objects.exists()


def test_publishing_a_model_the_importer_refuses_is_impossible_with_the_same_message(
    admin_user,
):
    draft = designer.draft_new(name="Offer", code="offer", user=admin_user)
    with pytest.raises(designer.DraftRefused) as refused:
        designer.draft_publish(draft=draft, xml=NO_ANSWERS, user=admin_user)
    assert "Element 'ask'" in refused.value.message
    assert "no answers" in refused.value.message
    assert not ProcessDefinition.objects.exists()
    draft.refresh_from_db()
    assert draft.bpmn_xml == NO_ANSWERS  # the work is kept as a draft


def test_a_draft_of_version_1_publishes_version_2_and_running_instances_keep_theirs(
    admin_user,
):
    first = process_import(data=QUESTION)[0]
    instance = instance_start(definition=first.definition, user=admin_user)
    draft = designer.draft_from_version(version=first, user=admin_user)
    assert draft.definition == first.definition and draft.based_on == first
    second = designer.draft_publish(
        draft=draft, xml=QUESTION.replace('name="Ask"', 'name="Ask again"'), user=admin_user
    )
    assert second.number == 2
    assert "Ask again" in second.bpmn_xml
    instance.refresh_from_db()
    assert instance.version == first
    assert ProcessInstance.objects.get().status == ProcessInstance.Status.RUNNING


def test_a_draft_cannot_publish_under_another_process_id_or_take_a_used_code(admin_user):
    first = process_import(data=QUESTION)[0]
    draft = designer.draft_from_version(version=first, user=admin_user)
    with pytest.raises(designer.DraftRefused, match="must stay “offer”"):
        designer.draft_publish(
            draft=draft, xml=QUESTION.replace('id="offer"', 'id="other"'), user=admin_user
        )
    with pytest.raises(designer.DraftRefused, match="exists already"):
        designer.draft_new(name="Again", code="offer", user=admin_user)
    with pytest.raises(designer.DraftRefused, match="cannot be a process id"):
        designer.draft_new(name="Bad", code="1 bad code", user=admin_user)
    fresh = designer.draft_new(name="Fresh", code="fresh", user=admin_user)
    with pytest.raises(designer.DraftRefused, match="exists already"):
        designer.draft_publish(draft=fresh, xml=QUESTION, user=admin_user)
    assert first.definition.versions.count() == 1


def test_reverting_makes_an_old_model_the_newest_version(admin_user):
    first = process_import(data=QUESTION)[0]
    process_import(data=QUESTION.replace('name="Ask"', 'name="Changed"'))
    third = designer.version_revert(version=first, user=admin_user)
    assert third.number == 3
    assert third.bpmn_xml == first.bpmn_xml


def test_the_page_endpoints_check_save_and_publish(admin_client, admin_user, django_user_model):
    django_user_model.objects.create_user("olga", first_name="Olga", last_name="Owner")
    response = admin_client.post(
        reverse("processes:designer-new"), {"name": "Offer", "code": "offer"}
    )
    draft = ProcessDraft.objects.get()
    assert response.url == reverse("processes:designer", args=[draft.pk])
    assert admin_client.get(response.url).status_code == 200
    assert admin_client.get(
        reverse("processes:designer-model", args=[draft.pk])
    ).content.decode() == (draft.bpmn_xml)

    choices = admin_client.get(reverse("processes:designer-choices")).json()
    assert {"value": "olga", "label": "Olga Owner"} in choices["users"]

    check = admin_client.post(
        reverse("processes:designer-check", args=[draft.pk]), {"xml": NO_ANSWERS}
    )
    assert check.json()["problems"][0]["element"] == "ask"
    saved = admin_client.post(
        reverse("processes:designer-save", args=[draft.pk]), {"xml": QUESTION}
    )
    assert saved.json() == {"message": "Draft saved.", "problems": []}

    refused = admin_client.post(
        reverse("processes:designer-publish", args=[draft.pk]), {"xml": NO_ANSWERS}
    )
    assert refused.status_code == 400
    assert "no answers" in refused.json()["message"]
    published = admin_client.post(
        reverse("processes:designer-publish", args=[draft.pk]), {"xml": QUESTION}
    )
    definition = ProcessDefinition.objects.get(code="offer")
    assert published.json() == {"url": definition.get_absolute_url(), "version": 1}


def test_the_designer_is_for_administrators_only(client, agent):
    client.force_login(agent)
    assert client.get(reverse("processes:designer-choices")).status_code == 403
    assert client.get(reverse("processes:designer-new")).status_code == 403


def test_the_strings_for_the_browser_are_plain_json():
    assert json.loads(json.dumps(designer.strings()))["page_question"] == "Question"
