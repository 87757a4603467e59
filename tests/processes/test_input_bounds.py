"""Typed numbers and texts that become process variables are bounded: a huge number or
text gets a form error naming the field, stores nothing, and never stalls the server."""

import html
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from crm.models import Contact
from processes.models import ProcessInstance, Step
from processes.services import instance_start, process_import
from tests.activities.factories import one_step_process, start, step_url, waiting_step
from tests.crm.factories import make_contact

DATA = Path(__file__).parent / "data"
DEMO = Path(__file__).resolve().parents[2] / "processes" / "demo_bpmn"
pytestmark = pytest.mark.django_db

HUGE_EXPONENT = "1e300000"
TEN_THOUSAND_DIGITS = "9" * 10_000
ONE_MEGABYTE = "x" * 1_048_576


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def text_of(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def auto_step(agent):
    definition = one_step_process(
        "bounded",
        'flowdesk:page="auto" flowdesk:fields="amount:number:Amount;comment:text:Comment"',
    )
    return waiting_step(start(definition, user=agent))


@pytest.mark.parametrize("amount", [HUGE_EXPONENT, TEN_THOUSAND_DIGITS, "-" + TEN_THOUSAND_DIGITS])
def test_a_huge_number_on_an_auto_page_is_refused_naming_the_field(agent, auto_step, amount):
    response = signed_in(agent).post(step_url(auto_step), {"step-amount": amount})

    assert response.status_code == 422
    assert "“Amount” is too large" in text_of(response)
    step = Step.objects.get(pk=auto_step.pk)
    assert step.status == "waiting"
    assert "amount" not in step.instance.variables


def test_a_megabyte_of_text_on_an_auto_page_is_refused_naming_the_field(agent, auto_step):
    response = signed_in(agent).post(step_url(auto_step), {"step-comment": ONE_MEGABYTE})

    assert response.status_code == 422
    assert "“Comment” may be at most 10,000 characters long" in text_of(response)
    step = Step.objects.get(pk=auto_step.pk)
    assert step.status == "waiting"
    assert "comment" not in step.instance.variables


def test_a_number_with_too_many_decimal_places_is_refused(agent, auto_step):
    response = signed_in(agent).post(step_url(auto_step), {"step-amount": "1." + "5" * 5000})

    assert response.status_code == 422
    assert Step.objects.get(pk=auto_step.pk).status == "waiting"


def test_ordinary_values_on_an_auto_page_still_complete_the_step(agent, auto_step):
    signed_in(agent).post(
        step_url(auto_step),
        {"step-amount": "-123456789012345.25", "step-comment": "a" * 10_000},
    )

    step = Step.objects.get(pk=auto_step.pk)
    assert step.status == "completed"
    assert step.instance.variables["amount"] == -123456789012345.25
    assert step.instance.variables["comment"] == "a" * 10_000


def test_a_megabyte_of_text_on_a_record_page_is_refused_and_the_record_is_not_saved(agent):
    contact = make_contact("Maria Anders")
    definition = one_step_process(
        "edit_notes",
        'flowdesk:page="edit" flowdesk:model="crm.Contact" flowdesk:record="=record.id" '
        'flowdesk:fields="notes"',
    )
    step = waiting_step(start(definition, user=agent, record=contact))

    response = signed_in(agent).post(step_url(step), {"step-notes": ONE_MEGABYTE})

    assert response.status_code == 422
    assert "may be at most 10,000 characters long" in text_of(response)
    assert Contact.objects.get(pk=contact.pk).notes == ""
    assert Step.objects.get(pk=step.pk).status == "waiting"


# -- Process library: "Run with inputs" ---------------------------------------------------


@pytest.fixture
def admin_client(admin_user):
    return signed_in(admin_user)


@pytest.fixture
def review():
    return process_import(data=(DATA / "review.bpmn").read_bytes())[0].definition


@pytest.fixture
def budget():
    return process_import(data=(DEMO / "budget_split.bpmn").read_bytes())[0].definition


@pytest.mark.parametrize(
    "variables",
    [
        '{"amount": ' + HUGE_EXPONENT + "}",
        '{"amount": ' + TEN_THOUSAND_DIGITS + "}",
        '{"amount": -' + TEN_THOUSAND_DIGITS + ".5}",
        '{"note": "' + ONE_MEGABYTE + '"}',
        '{"amount": NaN}',
    ],
    ids=["exponent", "digits", "decimal", "megabyte", "nan"],
)
def test_run_with_inputs_refuses_unbounded_json_values(admin_client, review, variables):
    response = admin_client.post(
        reverse("processes:library-run", args=[review.pk]), {"variables": variables}
    )

    assert response.status_code == 400
    body = text_of(response)
    assert "“Input variables”" in body or "not a number JSON can hold" in body
    assert not ProcessInstance.objects.exists()


def test_run_with_inputs_refuses_deeply_nested_json(admin_client, review):
    response = admin_client.post(
        reverse("processes:library-run", args=[review.pk]),
        {"variables": '{"a": ' + "[" * 50_000 + "]" * 50_000 + "}"},
    )

    assert response.status_code == 400
    assert "“Input variables” is nested too deeply" in text_of(response)
    assert not ProcessInstance.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("budget", HUGE_EXPONENT, "“budget” is too large"),
        ("people", "9" * 20, "“people” is too large"),
        ("people", TEN_THOUSAND_DIGITS, "“people” is too large"),
    ],
)
def test_declared_inputs_refuse_huge_numbers_naming_the_input(
    admin_client, budget, field, value, message
):
    data = {"budget": "900", "people": "3", field: value}

    response = admin_client.post(reverse("processes:library-run", args=[budget.pk]), data)

    assert response.status_code == 400
    assert message in text_of(response)
    assert not ProcessInstance.objects.exists()


# -- Process log: "edit variables" --------------------------------------------------------


@pytest.mark.parametrize(
    "variables",
    [
        '{"people": 4, "budget": ' + HUGE_EXPONENT + "}",
        '{"people": 4, "budget": ' + TEN_THOUSAND_DIGITS + "}",
        '{"budget": 1, "people": 4, "note": "' + ONE_MEGABYTE + '"}',
    ],
    ids=["exponent", "digits", "megabyte"],
)
def test_editing_variables_refuses_unbounded_values_and_keeps_the_old_ones(
    admin_client, admin_user, budget, variables
):
    instance = instance_start(
        definition=budget, variables={"budget": 1200, "people": 0}, user=admin_user, run_now=True
    )

    response = admin_client.post(
        reverse("processes:log-variables", args=[instance.pk]), {"variables": variables}
    )

    assert response.status_code == 400
    assert "“Variables”" in text_of(response)
    instance.refresh_from_db()
    assert instance.variables == {"budget": 1200, "people": 0}
