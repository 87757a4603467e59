"""Unbound vendor implementations block activation; `manage.py bpmn_check` reports them.
On PostgreSQL."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.template.loader import render_to_string

from processes.definitions import vendor_report
from processes.engine.actions import register_action, unregister_action
from processes.errors import ProcessError
from processes.models import ProcessDefinition
from processes.services import process_import, process_set_active

pytestmark = pytest.mark.django_db

NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
)


def bpmn(process_id: str, body: str) -> str:
    return (
        f'<bpmn:definitions {NS} id="d"><bpmn:process id="{process_id}" isExecutable="true">'
        f"{body}</bpmn:process></bpmn:definitions>"
    )


CHARGE = bpmn(
    "billing",
    '<bpmn:startEvent id="s"/>'
    '<bpmn:serviceTask id="charge" name="Charge card" camunda:class="com.acme.Charge"/>'
    '<bpmn:endEvent id="e"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="charge"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="charge" targetRef="e"/>',
)
PLAIN = bpmn(
    "billing",
    '<bpmn:startEvent id="s"/><bpmn:userTask id="t"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>',
)


@pytest.fixture
def charge_action():
    register_action("com.acme.Charge")(lambda ctx: None)
    yield
    unregister_action("com.acme.Charge")


def test_a_process_with_an_unbound_task_imports_inactive_and_activation_names_the_task():
    [version] = process_import(data=CHARGE, activate=True)
    definition = version.definition
    assert definition.is_active is False
    with pytest.raises(ProcessError) as refused:
        process_set_active(definition=definition, active=True)
    message = str(refused.value)
    assert "'charge'" in message and "com.acme.Charge" in message
    definition.refresh_from_db()
    assert definition.is_active is False


def test_once_an_action_carries_the_class_name_the_process_activates(charge_action):
    [version] = process_import(data=CHARGE, activate=True)
    assert version.definition.is_active is True


def test_reimporting_an_active_process_with_an_unbound_task_deactivates_it():
    process_import(data=PLAIN, activate=True)
    assert ProcessDefinition.objects.get(code="billing").is_active is True
    process_import(data=CHARGE, activate=True)
    assert ProcessDefinition.objects.get(code="billing").is_active is False


def test_bpmn_check_reports_each_file_and_the_summary(tmp_path):
    (tmp_path / "ok.bpmn").write_text(PLAIN.replace("billing", "plain"))
    (tmp_path / "blocked.bpmn").write_text(CHARGE)
    (tmp_path / "caller.bpmn").write_text(
        bpmn(
            "caller",
            '<bpmn:startEvent id="s"/><bpmn:callActivity id="c" calledElement="plain"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/>',
        )
    )
    sub = tmp_path / "more"
    sub.mkdir()
    (sub / "broken.bpmn20.xml").write_text("<not-bpmn/>")
    out = StringIO()
    call_command("bpmn_check", str(tmp_path), "--deployed", stdout=out)
    lines = out.getvalue().splitlines()
    by_file = {line.split(" ")[1].rstrip(":"): line for line in lines[:-1]}
    assert by_file[str(tmp_path / "ok.bpmn")].startswith("OK ")
    assert by_file[str(tmp_path / "caller.bpmn")].startswith("OK ")
    blocked = by_file[str(tmp_path / "blocked.bpmn")]
    assert blocked.startswith("BLOCKED ") and "'charge'" in blocked and "com.acme.Charge" in blocked
    assert by_file[str(sub / "broken.bpmn20.xml")].startswith("REFUSED ")
    assert lines[-1] == "imported 3 of 4 (75.0%), blocked 1, refused 1, crashed 0"
    assert not ProcessDefinition.objects.exists()  # nothing written


def test_bpmn_check_without_deployed_does_not_resolve_calls_to_other_files(tmp_path):
    (tmp_path / "plain.bpmn").write_text(PLAIN.replace("billing", "plain"))
    (tmp_path / "caller.bpmn").write_text(
        bpmn(
            "caller",
            '<bpmn:startEvent id="s"/><bpmn:callActivity id="c" calledElement="plain"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="c"/>',
        )
    )
    out = StringIO()
    call_command("bpmn_check", str(tmp_path), stdout=out)
    assert "REFUSED" in out.getvalue() and "'plain'" in out.getvalue()
    assert out.getvalue().splitlines()[-1].startswith("imported 1 of 2 (50.0%)")


def test_the_library_report_shows_the_missing_binding_and_each_extension():
    [version] = process_import(
        data=CHARGE.replace(
            '<bpmn:endEvent id="e"/>',
            '<bpmn:endEvent id="e"><bpmn:extensionElements>'
            '<camunda:executionListener event="take" class="com.acme.Audit"/>'
            "</bpmn:extensionElements></bpmn:endEvent>",
        ),
        activate=False,
    )
    html = render_to_string(
        "processes/includes/vendor_report.html", {"vendor_report": vendor_report(version)}
    )
    assert "Tasks with nothing to run" in html
    assert "com.acme.Charge" in html and "charge" in html
    assert "camunda:executionListener" in html and "not at take" in html
