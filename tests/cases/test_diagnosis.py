"""The built-in diagnosis process: a task for the assignee, closed as the case moves."""

import pytest
from django.contrib.auth.models import Group

from cases import assignment, services
from cases.diagnosis import diagnosis_definition
from cases.models import Case, SupportLevel
from processes.models import ProcessDefinition, ProcessInstance, Step
from processes.services import instance_start, process_import
from tests.cases.factories import category, make_case, status

pytestmark = pytest.mark.django_db


def diagnosis_steps(case):
    return list(
        Step.objects.filter(
            instance__definition__code="case_diagnosis",
            instance__record_id=str(case.pk),
            is_user_step=True,
        )
        .order_by("instance_id")
        .values_list("status", "result", "owner__username")
    )


def test_assigning_an_incident_starts_a_task_for_the_assignee_connected_to_the_case(
    admin_user, agent
):
    case = make_case(by=admin_user, assignee=agent)
    assert diagnosis_steps(case) == [("waiting", "", "bob")]
    instance = ProcessInstance.objects.get(definition__code="case_diagnosis")
    assert instance.record_type.model_class() is Case and instance.record_id == str(case.pk)
    assert instance.variables["assignee"] == "bob"
    definition = ProcessDefinition.objects.get(code="case_diagnosis")
    assert definition.is_system and definition.is_active


def test_the_process_is_listed_in_the_process_library(client, admin_user, agent):
    make_case(by=admin_user, assignee=agent)
    client.force_login(admin_user)
    page = client.get("/processes/library/").content.decode()
    assert "Creating and processing tasks for case diagnostic and resolution" in page


def test_service_requests_and_unassigned_incidents_get_no_task(admin_user, agent):
    make_case(by=admin_user, assignee=agent, category=category("service_request"))
    make_case(by=admin_user, assignee_group=Group.objects.get(name="1st line support"))
    assert not Step.objects.filter(is_user_step=True).exists()


def test_in_progress_starts_the_task_for_the_agent_who_took_it(agent):
    case = make_case(by=agent)
    services.case_set_status(case=case, status=status("in_progress"), user=agent)
    assert diagnosis_steps(case) == [("waiting", "", "bob")]


@pytest.mark.parametrize(
    ("move", "result"),
    [
        (["resolved"], "Solution found"),
        (["waiting"], "Additional information required"),
    ],
)
def test_moving_the_case_closes_the_task_with_the_matching_result(admin_user, agent, move, result):
    case = make_case(by=admin_user, assignee=agent)
    for code in move:
        services.case_set_status(case=case, status=status(code), user=agent)
    assert diagnosis_steps(case) == [("completed", result, "bob")]


def test_a_new_assignee_closes_the_task_as_escalation_required_and_gets_a_new_one(
    admin_user, agent, second_line_agent
):
    case = make_case(by=admin_user, assignee=agent)
    assignment.case_escalate(
        case=case, user=agent, support_level=_level(2), assignee=second_line_agent
    )
    assert diagnosis_steps(case) == [
        ("completed", "Escalation required", "bob"),
        ("waiting", "", "dave"),
    ]


def test_a_case_back_from_waiting_gets_a_new_task(admin_user, agent):
    case = make_case(by=admin_user, assignee=agent)
    services.case_set_status(case=case, status=status("waiting"), user=agent)
    services.case_set_status(case=case, status=status("reopened"), user=admin_user)
    assert diagnosis_steps(case)[-1] == ("waiting", "", "bob")


def test_the_task_is_not_started_while_the_process_is_deactivated(admin_user, agent):
    diagnosis_definition()
    ProcessDefinition.objects.filter(code="case_diagnosis").update(is_active=False)
    make_case(by=admin_user, assignee=agent)
    assert not Step.objects.filter(is_user_step=True).exists()


def _level(order):
    return SupportLevel.objects.get(order=order)


# -- processes.documents.assign_owner: owner expressions -----------------------------------

OWNER_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:flowdesk="https://flowdesk.dev/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="owner_expr" name="Owner expression" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="task" />
    <bpmn:userTask id="task" name="Task" flowdesk:owner="{owner}" flowdesk:ownerRole="{role}" />
    <bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""


@pytest.mark.parametrize(
    ("owner", "role", "variables", "expected"),
    [
        ("=assignee", "", {"assignee": "carol"}, ("carol", None)),
        ("${who}", "", {"who": "carol"}, ("carol", None)),
        ("carol", "", {}, ("carol", None)),
        ("", "=team", {"team": "2nd line support"}, (None, "2nd line support")),
        ("=missing", "", {}, ("alice", None)),
    ],
)
def test_owner_expressions_pick_the_owner_from_the_instance_variables(
    admin_user, other_agent, second_line_agent, owner, role, variables, expected
):

    process_import(data=OWNER_BPMN.format(owner=owner, role=role), user=admin_user)
    instance = instance_start(code="owner_expr", variables=variables, user=admin_user, run_now=True)
    step = Step.objects.get(instance=instance, is_user_step=True)
    assert (
        getattr(step.owner, "username", None),
        getattr(step.owner_role, "name", None),
    ) == expected
