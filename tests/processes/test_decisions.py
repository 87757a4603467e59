"""Decisions in the product: DMN files in the Process library, versioned; the decision
page and its evaluate form; business-rule steps in the Process log (PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from processes.engine.dmn import DmnError
from processes.models import DecisionDefinition, DecisionVersion, ProcessDefinition, Step
from processes.services import (
    decision_import,
    instance_start,
    process_import,
    process_set_active,
)

pytestmark = pytest.mark.django_db

DMN_NS = "https://www.omg.org/spec/DMN/20230324/MODEL/"


def dmn(low_rate: str = "0.1", *, model_id: str = "pricing") -> bytes:
    """A discount table: gold customers over 100 get 0.2, others over 100 ``low_rate``."""
    return (
        f'<definitions xmlns="{DMN_NS}" id="{model_id}" namespace="urn:pricing" name="Pricing">'
        '<inputData id="in_amount" name="amount"><variable name="amount" typeRef="number"/>'
        "</inputData>"
        '<inputData id="in_tier" name="tier"><variable name="tier" typeRef="string"/></inputData>'
        '<decision id="discount" name="Discount"><variable name="Discount" typeRef="number"/>'
        '<informationRequirement><requiredInput href="#in_amount"/></informationRequirement>'
        '<informationRequirement><requiredInput href="#in_tier"/></informationRequirement>'
        '<decisionTable hitPolicy="FIRST">'
        '<input label="Amount"><inputExpression typeRef="number"><text>amount</text>'
        "</inputExpression></input>"
        '<input label="Tier"><inputExpression typeRef="string"><text>tier</text>'
        "</inputExpression></input>"
        '<output name="rate" typeRef="number"/>'
        '<rule id="gold"><inputEntry><text>&gt; 100</text></inputEntry>'
        '<inputEntry><text>"gold"</text></inputEntry><outputEntry><text>0.2</text></outputEntry>'
        "</rule>"
        '<rule id="big"><inputEntry><text>&gt; 100</text></inputEntry>'
        f"<inputEntry><text>-</text></inputEntry><outputEntry><text>{low_rate}</text>"
        "</outputEntry></rule>"
        '<rule id="small"><inputEntry><text>&lt;= 100</text></inputEntry>'
        "<inputEntry><text>-</text></inputEntry><outputEntry><text>0</text></outputEntry></rule>"
        "</decisionTable></decision></definitions>"
    ).encode()


BROKEN_DMN = (
    f'<definitions xmlns="{DMN_NS}" id="broken" namespace="urn:broken" name="Broken">'
    '<decision id="oops" name="Oops"><literalExpression><text>1 +</text></literalExpression>'
    "</decision></definitions>"
).encode()


def bpmn(decision: str = "discount") -> bytes:
    return (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:flowdesk="https://flowdesk.dev/bpmn" id="defs">'
        '<bpmn:process id="quote" name="Quote" isExecutable="true">'
        '<bpmn:startEvent id="start"/>'
        f'<bpmn:businessRuleTask id="price" name="Price the quote" flowdesk:decision="{decision}"'
        ' flowdesk:resultVariable="rate"/>'
        '<bpmn:endEvent id="end"/>'
        '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="price"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="price" targetRef="end"/>'
        "</bpmn:process></bpmn:definitions>"
    ).encode()


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def upload(client, *files):
    return client.post(
        reverse("processes:library-upload"),
        {"file": [SimpleUploadedFile(name, content) for name, content in files]},
    )


def quote_process():
    definition = process_import(data=bpmn())[0].definition
    process_set_active(definition=definition, active=True)
    return definition


def test_a_dmn_file_uploaded_alone_is_listed_beside_the_processes_and_versioned(admin_client):
    first = upload(admin_client, ("pricing.dmn", dmn()))
    second = upload(admin_client, ("pricing.dmn", dmn("0.15")))

    model = DecisionDefinition.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == model.get_absolute_url()
    assert model.code == "pricing"
    assert list(model.versions.values_list("number", flat=True)) == [2, 1]
    library = admin_client.get(reverse("processes:library")).content.decode()
    assert 'id="decision-models"' in library
    assert "Pricing" in library
    assert "Discount" in library


def test_bpmn_and_dmn_uploaded_together_both_import(admin_client):
    response = upload(admin_client, ("quote.bpmn", bpmn()), ("pricing.dmn", dmn()))

    assert response.status_code == 302
    assert ProcessDefinition.objects.filter(code="quote").exists()
    assert DecisionVersion.objects.filter(definition__code="pricing").count() == 1


def test_a_bad_dmn_file_refuses_the_whole_upload_naming_the_element(admin_client):
    response = upload(admin_client, ("quote.bpmn", bpmn()), ("broken.dmn", BROKEN_DMN))

    body = response.content.decode()
    assert response.status_code == 400
    assert "broken.dmn" in body
    assert "Oops" in body  # the decision whose expression cannot be read
    assert not ProcessDefinition.objects.exists()
    assert not DecisionDefinition.objects.exists()


def test_a_dmn_file_without_a_decision_is_refused():
    with pytest.raises(DmnError, match="no decision"):
        decision_import(data=f'<definitions xmlns="{DMN_NS}" id="x" namespace="urn:x"/>')


def test_the_decision_page_serves_its_model_to_the_viewer(admin_client):
    version = decision_import(data=dmn())

    page = admin_client.get(version.definition.get_absolute_url())
    model = admin_client.get(reverse("processes:decision-version-xml", args=[version.pk]))

    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-decision-id="discount"' in body
    assert "vendor/dmn-viewer.production.min.js" in body
    drawn = admin_client.get(
        reverse("processes:decision-version-xml", args=[version.pk]), {"viewer": "1"}
    )
    assert model.content == dmn()  # the export is the file as imported
    # dmn-js reads DMN 1.3: the viewer gets the 1.5 model under the 1.3 namespace.
    assert b'xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"' in drawn.content
    assert 'name="input_0"' in body and 'name="input_1"' in body  # amount, tier


def test_the_evaluate_form_shows_the_result_and_the_rules_that_matched(admin_client):
    version = decision_import(data=dmn())
    url = reverse("processes:decision-evaluate", args=[version.definition.pk])

    response = admin_client.post(url, {"decision": "discount", "input_0": "250", "input_1": "gold"})

    body = response.content.decode()
    assert response.status_code == 200
    assert '<pre class="code-block" id="decision-value">0.2</pre>' in body
    assert 'data-rule="1"' in body and 'data-rule="2"' in body  # both match; FIRST picks 1
    assert 'data-rule="3"' not in body
    assert DecisionVersion.objects.count() == 1  # trying it out writes nothing


def test_the_evaluate_form_explains_a_bad_number(admin_client):
    version = decision_import(data=dmn())
    url = reverse("processes:decision-evaluate", args=[version.definition.pk])

    response = admin_client.post(url, {"decision": "discount", "input_0": "lots"})

    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()


def test_a_business_rule_step_calls_the_newest_deployed_decision_and_the_log_shows_its_rules(
    admin_client, admin_user
):
    decision_import(data=dmn())
    decision_import(data=dmn("0.15"))  # version 2 is the one called
    instance = instance_start(
        definition=quote_process(),
        variables={"amount": 500, "tier": "silver"},
        user=admin_user,
        run_now=True,
    )

    instance.refresh_from_db()
    step = Step.objects.get(instance=instance, element_id="price")
    assert instance.status == "completed"
    assert instance.variables["rate"] == 0.15
    assert step.data["matched_rules"] == [
        {"decision": "Discount", "rules": [{"number": 2, "id": "big"}]}
    ]
    log = admin_client.get(instance.get_absolute_url()).content.decode()
    assert "Rules matched" in log
    assert 'data-rule="2" title="big"' in log


def test_a_missing_decision_puts_the_step_in_error_and_run_item_retries_it_once_deployed(
    admin_client, admin_user, django_capture_on_commit_callbacks
):
    instance = instance_start(
        definition=quote_process(),
        variables={"amount": 50, "tier": "gold"},
        user=admin_user,
        run_now=True,
    )
    step = Step.objects.get(instance=instance, element_id="price")
    instance.refresh_from_db()
    assert instance.status == "error"
    assert step.status == "error"
    assert "no deployed decision has the id or name discount" in step.error

    decision_import(data=dmn())
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("processes:log-retry", args=[instance.pk, step.number]))

    instance.refresh_from_db()
    assert instance.status == "completed"
    assert instance.variables["rate"] == 0


def test_a_failing_decision_puts_the_step_in_error_with_the_reason(admin_user):
    # The small-amount rule's output names a variable the model does not have.
    decision_import(data=dmn().replace(b"<text>0</text>", b"<text>amount / 0 + x</text>"))
    instance = instance_start(
        definition=quote_process(),
        variables={"amount": 50, "tier": "gold"},
        user=admin_user,
        run_now=True,
    )

    step = Step.objects.get(instance=instance, element_id="price")
    assert step.status == "error"
    assert "decision 'discount' failed" in step.error
