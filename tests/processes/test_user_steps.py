"""User step pages: each page kind, what submitting it does, and who may do it."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client

from activities.models import Activity
from activities.services import activity_complete
from crm.models import Contact
from processes import registry, services
from processes.engine.bpmn import BpmnImportError
from processes.models import ProcessInstance, Step
from tests.activities.factories import one_step_process, start, step_url, waiting_step
from tests.crm.factories import make_account, make_contact

pytestmark = pytest.mark.django_db(transaction=True)

GATEWAY = """
<bpmn:sequenceFlow id="f2" sourceRef="ask" targetRef="gw"/>
<bpmn:exclusiveGateway id="gw" default="f_no"/>
<bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="yes_task">
  <bpmn:conditionExpression>{condition}</bpmn:conditionExpression>
</bpmn:sequenceFlow>
<bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end"/>
<bpmn:userTask id="yes_task" name="After yes" flowdesk:page="question" flowdesk:answers="Ok"/>
<bpmn:sequenceFlow id="f3" sourceRef="yes_task" targetRef="end"/>
"""


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_a_question_answer_becomes_a_variable_that_the_gateway_follows(agent):
    definition = one_step_process(
        "q",
        'flowdesk:page="question" flowdesk:answers="Yes;No" flowdesk:variable="approved" '
        'flowdesk:hint="Read the expense first"',
        after=GATEWAY.format(condition="approved == 'Yes'"),
    )
    instance = start(definition, user=agent)
    step = waiting_step(instance)
    client = signed_in(agent)
    page = client.get(step_url(step)).content.decode()
    assert "Yes" in page and "No" in page and "Read the expense first" in page
    assert "Perform later" in page

    response = client.post(step_url(step), {"step-answer": "Yes"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "flowdesk:stepDone" in response["HX-Trigger"]
    instance.refresh_from_db()
    assert instance.variables["approved"] == "Yes"
    assert Step.objects.get(pk=step.pk).result == "Yes"
    assert waiting_step(instance).element_id == "yes_task"


def test_a_question_with_several_answers_stores_the_list_and_the_other_path_ends(agent):
    definition = one_step_process(
        "qm",
        'flowdesk:page="question" flowdesk:answers="Email,Phone,Visit" flowdesk:multiple="true"',
        after=GATEWAY.format(condition="'Visit' in answer"),
    )
    instance = start(definition, user=agent)
    signed_in(agent).post(step_url(waiting_step(instance)), {"step-answer": ["Email", "Phone"]})
    instance.refresh_from_db()
    assert instance.variables["answer"] == ["Email", "Phone"]
    assert instance.status == "completed"


def test_a_question_needs_an_answer(agent):
    instance = start(
        one_step_process("qe", 'flowdesk:page="question" flowdesk:answers="A;B"'), user=agent
    )
    step = waiting_step(instance)
    response = signed_in(agent).post(step_url(step), {})
    assert response.status_code == 422
    assert "Choose an answer to go on." in response.content.decode()
    assert Step.objects.get(pk=step.pk).status == "waiting"


def test_an_auto_page_turns_fields_into_variables_and_the_button_into_the_result(agent):
    account = make_account("Globex")
    definition = one_step_process(
        "auto",
        'flowdesk:page="auto" flowdesk:fields="amount:number:Amount:required;when:date:When;'
        'ok:bool:Agreed;account:lookup:crm.Account:Account;comment:text:Comment" '
        'flowdesk:buttons="Approve,Reject" flowdesk:hint="Check the budget"',
        after=GATEWAY.format(condition="button == 'Approve'"),
    )
    instance = start(definition, user=agent)
    step = waiting_step(instance)
    client = signed_in(agent)
    page = client.get(step_url(step)).content.decode()
    for text in ("Amount", "When", "Agreed", "Globex", "Approve", "Reject", "Close"):
        assert text in page

    missing = client.post(step_url(step), {"button": "Approve"})
    assert missing.status_code == 422 and "This field is required." in missing.content.decode()

    client.post(
        step_url(step),
        {
            "step-amount": "1250",
            "step-when": "2030-05-01",
            "step-ok": "yes",
            "step-account": str(account.pk),
            "step-comment": "fine",
            "button": "Approve",
        },
    )
    instance.refresh_from_db()
    assert instance.variables["amount"] == 1250
    assert instance.variables["when"] == "2030-05-01"
    assert instance.variables["ok"] is True
    assert instance.variables["account"] == account.pk
    assert instance.variables["button"] == "Approve"
    assert Step.objects.get(pk=step.pk).result == "Approve"
    assert waiting_step(instance).element_id == "yes_task"


def test_step_pages_speak_to_agents_not_in_engine_words(agent):
    make_account("Globex")
    contact = make_contact("Maria Anders")
    definition = one_step_process(
        "words",
        'flowdesk:page="edit" flowdesk:model="crm.Contact" flowdesk:record="=record.id" '
        'flowdesk:fields="job_title,account"',
        name="Keep contacts current",
    )
    step = waiting_step(start(definition, user=agent, record=contact))
    client = signed_in(agent)

    page = client.get(step_url(step)).content.decode()
    assert "Record to update · Keep contacts current" in page
    assert "Open edit page" not in page and "---------" not in page
    assert '<option value="" selected>—</option>' in page

    done = client.post(
        step_url(step),
        {"step-job_title": "Buyer", "step-account": ""},
        headers={"HX-Request": "true"},
    )
    assert "Saved." in done["HX-Trigger"] and "process moves on" not in done["HX-Trigger"]


def test_an_edit_page_saves_the_record_and_completes_only_when_its_condition_holds(agent):
    contact = make_contact("Maria Anders")
    definition = one_step_process(
        "edit",
        'flowdesk:page="edit" flowdesk:model="crm.Contact" flowdesk:record="=record.id" '
        'flowdesk:fields="job_title*,email,phone" flowdesk:condition="email != \'\'"',
    )
    instance = start(definition, user=agent, record=contact)
    step = waiting_step(instance)
    client = signed_in(agent)
    assert "Maria Anders" in client.get(step_url(step)).content.decode()

    required = client.post(step_url(step), {"step-email": "m@example.com"})
    assert required.status_code == 422 and "This field is required." in required.content.decode()

    stays = client.post(step_url(step), {"step-job_title": "Buyer", "step-email": ""})
    assert stays.status_code == 422
    assert "not complete yet" in stays.content.decode()
    contact.refresh_from_db()
    assert contact.job_title == "Buyer"
    assert Step.objects.get(pk=step.pk).status == "waiting"

    client.post(step_url(step), {"step-job_title": "Buyer", "step-email": "m@example.com"})
    contact.refresh_from_db()
    assert contact.email == "m@example.com"
    assert Step.objects.get(pk=step.pk).status == "completed"


def test_an_edit_page_for_a_new_record_gives_its_id_to_the_process(agent):
    definition = one_step_process(
        "new",
        'flowdesk:page="edit" flowdesk:model="crm.Contact" '
        'flowdesk:fields="full_name*,email" flowdesk:resultVariable="contact_id"',
    )
    instance = start(definition, user=agent)
    signed_in(agent).post(
        step_url(waiting_step(instance)),
        {"step-full_name": "Hiro Tanaka", "step-email": "h@example.com"},
    )
    instance.refresh_from_db()
    assert instance.variables["contact_id"] == Contact.objects.get(full_name="Hiro Tanaka").pk


def test_an_email_page_is_prefilled_from_expressions_and_sent_after_commit(agent):
    contact = make_contact("Grace Okafor", email="grace@example.com")
    definition = one_step_process(
        "mail",
        'flowdesk:page="email" flowdesk:to="=record.email" '
        'flowdesk:subject="=&quot;Hello &quot; + record.full_name" flowdesk:body="Thanks!"',
    )
    instance = start(definition, user=agent, record=contact)
    step = waiting_step(instance)
    client = signed_in(agent)
    page = client.get(step_url(step)).content.decode()
    assert "grace@example.com" in page and "Hello Grace Okafor" in page and "Thanks!" in page

    bad = client.post(step_url(step), {"step-to": "nope", "step-subject": "s", "step-body": "b"})
    assert bad.status_code == 422 and "is not an email address" in bad.content.decode()
    assert mail.outbox == []

    client.post(
        step_url(step),
        {"step-to": "grace@example.com", "step-subject": "Hello", "step-body": "Thanks!"},
    )
    assert [m.to for m in mail.outbox] == [["grace@example.com"]]
    assert Step.objects.get(pk=step.pk).status == "completed"
    instance.refresh_from_db()
    assert instance.variables["email_to"] == ["grace@example.com"]


def test_a_page_that_creates_an_activity_waits_for_the_activity_result(agent):
    definition = one_step_process(
        "qa",
        'flowdesk:page="question" flowdesk:answers="Bug,Feature" '
        'flowdesk:createActivity="true" flowdesk:results="Fixed;Won\'t fix"',
    )
    instance = start(definition, user=agent)
    step = waiting_step(instance)
    activity = Activity.objects.get(step=step)
    assert activity.results == ["Fixed", "Won't fix"] and activity.owner == agent

    client = signed_in(agent)
    # Before the page is filled in, the activity opens the step's page.
    assert client.get(activity.get_absolute_url())["Location"] == step_url(step)
    client.post(step_url(step), {"step-answer": "Bug"})
    step.refresh_from_db()
    assert step.status == "waiting" and step.data["page"]["values"] == {"answer": "Bug"}
    # Now the step's page is its activity.
    assert client.get(step_url(step)).status_code == 302

    activity_complete(activity_id=activity.pk, user=agent, result="Fixed")
    step.refresh_from_db()
    instance.refresh_from_db()
    assert step.status == "completed" and step.result == "Fixed"
    assert instance.variables["answer"] == "Bug" and instance.status == "completed"


def test_an_answer_that_names_a_result_completes_the_step_and_its_activity_at_once(agent):
    definition = one_step_process(
        "qb",
        'flowdesk:page="question" flowdesk:answers="Fixed;Won\'t fix" '
        'flowdesk:createActivity="true" flowdesk:results="Fixed;Won\'t fix"',
    )
    instance = start(definition, user=agent)
    step = waiting_step(instance)
    activity = Activity.objects.get(step=step)

    client = signed_in(agent)
    # From the activity: it opens the question, and one answer is enough.
    page_url = client.get(activity.get_absolute_url())["Location"]
    answered = client.post(page_url, {"step-answer": "Won't fix"})
    assert answered.status_code == 200 and "Answer recorded." in answered.content.decode()
    step.refresh_from_db()
    activity.refresh_from_db()
    instance.refresh_from_db()
    assert step.status == "completed" and step.result == "Won't fix"
    assert activity.status == "completed" and activity.result == "Won't fix"
    assert instance.variables["answer"] == "Won't fix" and instance.status == "completed"


def test_someone_else_is_told_whose_step_it_is_and_the_process_waits(agent, outsider):
    instance = start(
        one_step_process("mine", 'flowdesk:page="question" flowdesk:answers="A"'), user=agent
    )
    step = waiting_step(instance)
    client = signed_in(outsider)
    page = client.get(step_url(step))
    assert page.status_code == 403
    assert "This step belongs to Bob Agent" in page.content.decode()
    refused = client.post(step_url(step), {"step-answer": "A"})
    assert refused.status_code == 403
    assert Step.objects.get(pk=step.pk).status == "waiting"
    assert ProcessInstance.objects.get(pk=instance.pk).status == "running"


def test_a_role_step_is_for_every_member_and_refused_to_others_naming_the_role(
    agent, other_agent, outsider
):
    definition = one_step_process(
        "role",
        'flowdesk:page="question" flowdesk:answers="A" flowdesk:owner="role:1st line support"',
    )
    step = waiting_step(start(definition, user=outsider))
    assert step.owner_id is None and step.owner_role.name == "1st line support"
    refused = signed_in(outsider).get(step_url(step))
    assert "for the role “1st line support”" in refused.content.decode()
    assert signed_in(other_agent).get(step_url(step)).status_code == 200
    signed_in(agent).post(step_url(step), {"step-answer": "A"})
    assert Step.objects.get(pk=step.pk).status == "completed"


def test_owner_expressions_see_variables_and_the_connected_record(agent, other_agent):
    by_variable = one_step_process(
        "byvar", 'flowdesk:page="question" flowdesk:answers="A" flowdesk:owner="=who"'
    )
    step = waiting_step(start(by_variable, user=agent, variables={"who": "carol"}))
    assert step.owner == other_agent

    contact = make_contact("Owned", owner=other_agent)

    registry.register_model(
        "crm.Contact",
        fields=("full_name", "email", "phone", "job_title", "account", "notes", "owner"),
    )
    try:
        by_record = one_step_process(
            "byrec", 'flowdesk:page="question" flowdesk:answers="A" flowdesk:owner="=record.owner"'
        )
        instance = services.instance_start(
            definition=by_record, user=agent, record=contact, run_now=True
        )
        assert waiting_step(instance).owner == other_agent
    finally:
        registry.register_model(
            "crm.Contact", fields=("full_name", "email", "phone", "job_title", "account", "notes")
        )


def test_a_second_tab_is_told_the_step_is_done_and_keeps_what_was_typed(agent):
    instance = start(
        one_step_process("tabs", 'flowdesk:page="auto" flowdesk:fields="note:text:Note:required"'),
        user=agent,
    )
    step = waiting_step(instance)
    first, second = signed_in(agent), signed_in(agent)
    first.post(step_url(step), {"step-note": "from tab one"})
    late = second.post(step_url(step), {"step-note": "typed in tab two"}, HTTP_HX_REQUEST="true")
    assert late.status_code == 409
    html = late.content.decode()
    assert "This step is already done." in html and "typed in tab two" in html
    instance.refresh_from_db()
    assert instance.variables["note"] == "from tab one"


def test_two_people_completing_one_step_at_once_exactly_one_wins(agent, other_agent):
    definition = one_step_process(
        "race",
        'flowdesk:page="question" flowdesk:answers="A;B" flowdesk:owner="role:1st line support"',
    )
    step = waiting_step(start(definition, user=agent))
    outcomes = []
    barrier = threading.Barrier(2)

    def complete(user, answer):
        try:
            barrier.wait()
            services.step_submit_page(
                instance_id=step.instance_id,
                step_number=step.number,
                user=user,
                variables={"answer": answer},
            )
            outcomes.append("won")
        except services.StepNotAvailable as error:
            outcomes.append(str(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=complete, args=(u, a))
        for u, a in ((agent, "A"), (other_agent, "B"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["This step is already done.", "won"]
    assert Step.objects.get(pk=step.pk).status == "completed"


def test_perform_later_postpones_the_step_to_the_chosen_time(agent):
    instance = start(
        one_step_process("later", 'flowdesk:page="question" flowdesk:answers="A"'), user=agent
    )
    step = waiting_step(instance)
    client = signed_in(agent)
    past = client.post(
        step_url(step), {"_action": "postpone", "later-date": "2001-01-01", "later-time": "10:00"}
    )
    assert past.status_code == 422 and "in the future" in past.content.decode()
    response = client.post(
        step_url(step),
        {"_action": "postpone", "later-date": "2040-03-04", "later-time": "09:30"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and "Postponed to" in response.content.decode()
    step.refresh_from_db()
    assert step.postponed_until.year == 2040 and step.status == "waiting"


def test_a_page_that_cannot_be_built_is_refused_at_import_saying_which_attribute_is_wrong():
    # Caught at import (tests/processes/test_import_checks.py), not on the owner's screen.
    with pytest.raises(BpmnImportError, match="colour"):
        one_step_process("broken", 'flowdesk:page="auto" flowdesk:fields="x:colour:X"')


def test_a_finished_step_page_says_it_is_done(agent):
    instance = start(
        one_step_process("fin", 'flowdesk:page="question" flowdesk:answers="A"'), user=agent
    )
    step = waiting_step(instance)
    client = signed_in(agent)
    client.post(step_url(step), {"step-answer": "A"})
    assert "This step is already done." in client.get(step_url(step)).content.decode()
