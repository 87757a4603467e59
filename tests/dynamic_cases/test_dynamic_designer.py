"""The Case designer: JSON import and export, validation that names what is wrong, the
editing form, and the record page's workflow-bar actions."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dynamic_cases import selectors, services
from dynamic_cases.definition import DefinitionInvalid
from dynamic_cases.models import DynamicCase
from tests.dynamic_cases.dynamic_factories import (
    make_opportunity,
    medium_case,
    save_case,
    small_case,
)
from tests.support.workflow_bar import bar_stages

pytestmark = pytest.mark.django_db


def _errors(data):
    with pytest.raises(DefinitionInvalid) as refused:
        services.dynamic_case_save(data=data)
    return " | ".join(refused.value.errors)


def test_export_then_import_gives_the_same_definition_as_a_new_version(client, admin_user):
    version = save_case(small_case())
    client.force_login(admin_user)

    exported = client.get(reverse("dynamic_cases:case-export", args=[version.case.pk]))
    data = json.loads(exported.content)
    imported = services.dynamic_case_import(data=exported.content)

    assert exported["Content-Disposition"] == 'attachment; filename="small.case.json"'
    assert data["format"] == "flowdesk-dynamic-case"
    assert imported.number == 2
    assert imported.definition == version.definition
    assert selectors.export_data(imported.case) == data


def test_validation_names_the_stage_and_step_at_fault():
    data = small_case()
    data["stages"][0]["next"] = ["Nowhere"]
    data["stages"][1]["steps"][0].update(owner="nobody")
    data["stages"][1]["steps"][1].update(start="missing")
    data["stages"][0]["steps"][1].update(answers=["Yes"])

    message = _errors(data)

    assert "Stage 1 “Qualification”: next stage “Nowhere” is not a stage of this case." in message
    assert "Stage 2 “Presentation”, step “Prepare the demo”: there is no user “nobody”." in message
    assert "step “Present the offer”: it starts after “missing”" in message
    assert "step “Is the budget confirmed?”: a question needs at least two answers." in message
    assert not DynamicCase.objects.exists()


def test_validation_checks_the_section_columns_and_values():
    assert "“crm.Nothing” is not a registered section model" in _errors(
        small_case(section="crm.Nothing")
    )
    assert "“Tiny business” is not a value of “category”" in _errors(
        small_case(choice_value="Tiny business")
    )
    assert "has no column “colour”" in _errors(small_case(choice_field="colour"))
    data = small_case()
    data["stages"][2]["value"] = "Signed"
    assert "Stage 3 “Signed”: “Signed” is not a value of the stage column." in _errors(data)


def test_a_sub_process_step_needs_a_known_process_and_keys_are_unique():
    data = small_case()
    data["stages"][2]["steps"] = [
        {"key": "qualify", "name": "Onboard", "kind": "subprocess", "process": "nope"},
    ]

    message = _errors(data)

    assert "there is no process with the code “nope”" in message
    assert "the key “qualify” is already used in Stage 1 “Qualification”" in message


def test_importing_a_file_that_is_not_json_says_where(client, admin_user):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("case.json", b'{"code": "x",\n oops}', "application/json")

    response = client.post(reverse("dynamic_cases:case-import"), {"file": upload})

    assert response.status_code == 400
    assert "The file is not valid JSON (line 2, column 2)." in response.content.decode()


def test_importing_a_valid_file_opens_the_case(client, admin_user):
    client.force_login(admin_user)
    body = json.dumps(small_case()).encode()

    response = client.post(
        reverse("dynamic_cases:case-import"), {"file": SimpleUploadedFile("small.json", body)}
    )

    case = DynamicCase.objects.get(code="small")
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()


def test_the_designer_lists_cases_in_the_list_frame_and_answers_its_table_alone(client, admin_user):
    save_case(small_case())
    save_case(medium_case(active=False))
    client.force_login(admin_user)

    page = client.get(reverse("dynamic_cases:designer")).content.decode()
    table = client.get(
        reverse("dynamic_cases:designer"), headers={"HX-Request": "true"}
    ).content.decode()

    assert 'id="case-table"' in page and "Import a case from its JSON file" in page
    assert table.lstrip().startswith('<div id="case-table"') and "<html" not in table
    assert "Small business sale" in table and "Medium business sale" in table
    assert "2 records" in table


def test_the_designer_is_for_administrators_only(client, agent):
    client.force_login(agent)

    assert client.get(reverse("dynamic_cases:designer")).status_code == 403


def test_the_editor_adds_reorders_and_saves_stages(client, admin_user):
    version = save_case(small_case())
    client.force_login(admin_user)
    url = reverse("dynamic_cases:case-edit", args=[version.case.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = _form_data(selectors.export_data(version.case))

    added = client.post(url, {**form, "op": "add-stage"})
    assert added.content.decode().count('class="dyn-stage-card') == 5

    moved = client.post(url, {**form, "op": "down:0"})
    assert moved.content.decode().index('id="stage-0"') < moved.content.decode().index(
        'value="Presentation" selected'
    )

    saved = client.post(url, {**form, "name": "Small sale", "op": "save"})
    assert saved.status_code == 302
    case = DynamicCase.objects.get(pk=version.case.pk)
    assert (case.name, case.versions.count()) == ("Small sale", 2)


def test_the_editor_shows_every_problem_without_saving(client, admin_user):
    version = save_case(small_case())
    client.force_login(admin_user)
    form = _form_data(selectors.export_data(version.case))
    form["stage-1-step-0-name"] = ""

    response = client.post(
        reverse("dynamic_cases:case-edit", args=[version.case.pk]), {**form, "op": "save"}
    )

    assert response.status_code == 400
    assert "Stage 2 “Presentation”, step 1: give the step a name." in response.content.decode()
    assert version.case.versions.count() == 1


def _form_data(data):
    form = {
        key: data[key]
        for key in ("code", "name", "section", "stage_field", "choice_field", "choice_value")
    }
    form["active"] = "on"
    form["stage-count"] = len(data["stages"])
    for i, stage in enumerate(data["stages"]):
        form[f"stage-{i}-value"] = stage["value"]
        form[f"stage-{i}-next"] = stage["next"]
        if stage["unsuccessful"]:
            form["unsuccessful"] = str(i)
        form[f"stage-{i}-step-count"] = len(stage["steps"])
        for j, step in enumerate(stage["steps"]):
            p = f"stage-{i}-step-{j}"
            for key in ("key", "name", "kind", "owner", "role", "process", "hint", "start"):
                form[f"{p}-{key}"] = step[key]
            form[f"{p}-answers"] = "; ".join(step["answers"])
            form[f"{p}-fields"] = "; ".join(step["fields"])
            if step["required"]:
                form[f"{p}-required"] = "on"
            if step["move_when_done"]:
                form[f"{p}-move_when_done"] = "on"
    return form


# -- the record page -------------------------------------------------------------


def test_the_record_page_shows_the_bar_and_the_stage_steps(client, agent):
    save_case(small_case())
    opportunity = make_opportunity(by=agent)
    client.force_login(agent)

    html = client.get(opportunity.get_absolute_url()).content.decode()

    assert 'id="dynamic-case-bar"' in html
    assert 'aria-current="step">Qualification<' in html
    assert "Qualify the needs" in html and "Skip" in html


def test_the_bar_checks_passed_stages_and_marks_the_unsuccessful_one(client, agent, committed):
    save_case(small_case())
    opportunity = make_opportunity(by=agent)
    record_case = selectors.record_case_of(opportunity)
    with committed():
        services.step_perform(step=record_case.steps.get(key="qualify"), user=agent)
    services.record_case_move(record=opportunity, stage="Presentation", user=agent)
    client.force_login(agent)

    stages = bar_stages(client.get(opportunity.get_absolute_url()).content.decode())

    assert list(stages) == ["Qualification", "Presentation", "Closed won", "Closed lost"]
    assert "is-done" in stages["Qualification"]["classes"] and stages["Qualification"]["check"]
    assert "is-current" in stages["Presentation"]["classes"]
    assert {"is-allowed", "tone-unsuccessful"} <= stages["Closed lost"]["classes"]
    assert stages["Closed won"]["posts"] == ("stage", "Closed won")
    assert not stages["Closed won"]["check"]


def test_a_blocked_move_answers_the_bar_with_the_missing_steps(client, agent):
    save_case(small_case())
    opportunity = make_opportunity(by=agent)
    client.force_login(agent)
    url = reverse(
        "dynamic_cases:record-move",
        args=[selectors.record_case_of(opportunity).record_type_id, opportunity.pk],
    )

    response = client.post(url, {"stage": "Presentation"}, headers={"HX-Request": "true"})

    assert response["HX-Retarget"] == "#dynamic-case-bar"
    assert "Complete the required steps of “Qualification” first: Qualify the needs." in (
        response.content.decode()
    )


def test_done_and_move_from_the_page(client, agent, committed):
    save_case(small_case())
    opportunity = make_opportunity(by=agent)
    record_case = selectors.record_case_of(opportunity)
    step = record_case.steps.get(key="qualify")
    client.force_login(agent)

    with committed():
        done = client.post(reverse("dynamic_cases:step-perform", args=[step.pk]))
    moved = client.post(
        reverse("dynamic_cases:record-move", args=[record_case.record_type_id, opportunity.pk]),
        {"stage": "Presentation"},
    )

    assert done.status_code == moved.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.stage.name == "Presentation"
