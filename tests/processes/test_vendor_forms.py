"""Vendor forms on Flowdesk's auto-generated page: Camunda formData fields with
their types, labels, defaults, enum values and validation constraints; SpiffArena
JSON-schema forms when the schema is beside the model. A constraint or default
Flowdesk cannot apply is named in the import notes, not dropped silently."""

import html
import io
import json

import pytest
from django.core.management import call_command

from processes.engine.bpmn import parse_bpmn
from processes.user_steps.forms import AutoPageForm, PageDefinitionError, parse_auto_fields
from processes.user_steps.spec import spec_of
from tests.engine.test_runtime import flows
from tests.engine.test_vendor_extensions import graph_of

FORM = (
    '<bpmn:startEvent id="s"/>'
    '<bpmn:userTask id="t" name="Order a shirt"><bpmn:extensionElements><camunda:formData>'
    '<camunda:formField id="size" label="Size" type="enum" defaultValue="m">'
    '<camunda:value id="s" name="Small"/><camunda:value id="m" name="Medium"/>'
    '<camunda:value id="l" name="Large: roomy"/>'
    '<camunda:validation><camunda:constraint name="required"/></camunda:validation>'
    "</camunda:formField>"
    '<camunda:formField id="initials" label="Initials" type="string">'
    '<camunda:validation><camunda:constraint name="minlength" config="2"/>'
    '<camunda:constraint name="maxlength" config="3"/></camunda:validation>'
    "</camunda:formField>"
    '<camunda:formField id="qty" label="How many" type="long" defaultValue="3">'
    '<camunda:validation><camunda:constraint name="min" config="1"/>'
    '<camunda:constraint name="max" config="10"/></camunda:validation>'
    "</camunda:formField>"
    '<camunda:formField id="ref" label="Reference" type="string" defaultValue="R-1; x">'
    '<camunda:validation><camunda:constraint name="readonly"/></camunda:validation>'
    "</camunda:formField>"
    '<camunda:formField id="by" label="Needed by" type="date" defaultValue="31/12/2030"/>'
    '<camunda:formField id="gift" label="A gift" type="boolean" defaultValue="false"/>'
    '<camunda:formField id="note" label="Note" defaultValue="${greeting}">'
    '<camunda:validation><camunda:constraint name="validator" config="com.acme.Check"/>'
    "</camunda:validation></camunda:formField>"
    "</camunda:formData></bpmn:extensionElements></bpmn:userTask>"
    '<bpmn:endEvent id="e"/>' + flows("s>t", "t>e")
)


def page_form(data=None):
    element = graph_of(FORM).elements["t"]
    return AutoPageForm(data, spec=spec_of(element), prefix="step")


def test_camunda_form_fields_keep_their_defaults_values_and_constraints():
    form = page_form()

    assert [(n, f.label) for n, f in form.fields.items()][:3] == [
        ("size", "Size"),
        ("initials", "Initials"),
        ("qty", "How many"),
    ]
    assert list(form.fields["size"].choices) == [
        ("", "—"),
        ("s", "Small"),
        ("m", "Medium"),
        ("l", "Large: roomy"),
    ]
    assert form["size"].value() == "m"
    assert str(form["qty"].value()) == "3"
    assert str(form["by"].value()) == "2030-12-31"
    assert form["gift"].value() == "no"
    assert form["note"].value() is None  # an expression default is not evaluated
    html = str(form["initials"]) + str(form["qty"]) + str(form["ref"])
    assert 'maxlength="3"' in html and 'minlength="2"' in html
    assert 'min="1"' in html and 'max="10"' in html
    assert "disabled" in str(form["ref"]) and "R-1; x" in str(form["ref"])


def test_the_page_refuses_what_the_constraints_refuse():
    form = page_form({"step-size": "xl", "step-initials": "a", "step-qty": "11"})

    assert not form.is_valid()
    assert set(form.errors) == {"size", "initials", "qty"}
    assert "at least 2 characters" in form.errors["initials"][0]
    assert "less than or equal to 10" in form.errors["qty"][0]


def test_a_read_only_field_keeps_its_default_whatever_is_posted():
    form = page_form(
        {
            "step-size": "l",
            "step-initials": "AB",
            "step-qty": "4",
            "step-ref": "changed",
            "step-by": "2031-01-02",
            "step-gift": "yes",
        }
    )

    assert form.is_valid(), form.errors
    assert form.variables() == {
        "size": "l",
        "initials": "AB",
        "qty": 4,
        "ref": "R-1; x",
        "by": "2031-01-02",
        "gift": True,
        "note": "",
    }


def test_what_the_page_cannot_apply_is_named_at_import():
    graph = graph_of(FORM)
    [note] = [n for n in graph.vendor_notes if n.extension == "camunda:formField"]
    assert note.treatment == "ignored"
    assert "note: default ${greeting}" in note.value
    assert "note: validator=com.acme.Check" in note.value


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ("size:choice:Size", "has no values to choose from"),
        ("size:choice:Size:choices=s=Small:default=xl", "is not one of its values"),
        ("n:text:Name:minlength=two", "must be a whole number"),
        ("n:number:N:default=many", "is not a number"),
        ("n:text:Name:colour=red", "unknown option"),
    ],
)
def test_field_definitions_that_cannot_hold_together_are_refused(fields, message):
    with pytest.raises(PageDefinitionError, match=message):
        parse_auto_fields(fields)


SPIFF = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d">'
    '<bpmn:process id="pizza" isExecutable="true"><bpmn:startEvent id="s"/>'
    '<bpmn:userTask id="t" name="Order a pizza"><bpmn:extensionElements>'
    "<spiffworkflow:properties>{properties}</spiffworkflow:properties>"
    '</bpmn:extensionElements></bpmn:userTask><bpmn:endEvent id="e"/>'
    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
    '<bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e"/>'
    "</bpmn:process></bpmn:definitions>"
)
BY_FILE = '<spiffworkflow:property name="formJsonSchemaFilename" value="pizza_form.json"/>'
SCHEMA = json.dumps(
    {
        "title": "Pizza",
        "type": "object",
        "required": ["size"],
        "properties": {
            "size": {
                "type": "string",
                "title": "Size",
                "enum": ["s", "l"],
                "enumNames": ["Small", "Large"],
                "default": "l",
            },
            "slices": {"type": "integer", "title": "Slices", "minimum": 4, "maximum": 12},
            "extra_cheese": {"type": "boolean", "title": "Extra cheese", "default": True},
            "wanted_on": {"type": "string", "format": "date", "title": "Wanted on"},
            "toppings": {"type": "array", "items": {"type": "string"}},
        },
    }
)


def spiff_page(properties, form_schemas=None):
    graph = parse_bpmn(SPIFF.format(properties=properties), form_schemas=form_schemas).processes[0]
    element = graph.elements["t"]
    return graph, AutoPageForm(None, spec=spec_of(element), prefix="step")


def test_a_deployed_json_schema_form_becomes_the_steps_page_fields():
    graph, form = spiff_page(BY_FILE, {"pizza_form.json": SCHEMA})

    assert list(form.fields) == ["size", "slices", "extra_cheese", "wanted_on"]
    assert list(form.fields["size"].choices)[1:] == [("s", "Small"), ("l", "Large")]
    assert form.fields["size"].required and not form.fields["slices"].required
    assert form["size"].value() == "l" and form["extra_cheese"].value() == "yes"
    assert (form.fields["slices"].min_value, form.fields["slices"].max_value) == (4, 12)
    [skipped] = [n for n in graph.vendor_notes if n.treatment == "ignored"]
    assert "toppings: array type" in skipped.value


def test_an_embedded_json_schema_form_needs_no_file():
    embedded = (
        '<spiffworkflow:property name="formJsonSchema" value="'
        + html.escape(json.dumps({"properties": {"note": {"type": "string", "maxLength": 9}}}))
        + '"/>'
    )
    _graph, form = spiff_page(embedded)
    assert form.fields["note"].max_length == 9


def test_a_json_schema_form_that_is_not_there_is_reported_not_dropped():
    graph, _form = spiff_page(BY_FILE)

    assert spec_of(graph.elements["t"]).page == "task"
    [note] = [n for n in graph.vendor_notes if n.treatment == "ignored"]
    assert "pizza_form.json was not deployed with the model" in note.reason


@pytest.mark.django_db
def test_bpmn_check_reads_the_form_schema_beside_the_model(tmp_path):
    (tmp_path / "pizza.bpmn").write_text(SPIFF.format(properties=BY_FILE))
    out = io.StringIO()
    call_command("bpmn_check", str(tmp_path), stdout=out)
    assert "was not deployed with the model" in out.getvalue()

    (tmp_path / "pizza_form.json").write_text(SCHEMA)
    out = io.StringIO()
    call_command("bpmn_check", str(tmp_path), stdout=out)
    assert out.getvalue().startswith("OK ")
    assert "was not deployed" not in out.getvalue()
