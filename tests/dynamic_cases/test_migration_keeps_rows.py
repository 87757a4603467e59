"""Moving dynamic cases out of the cases app keeps every row: a database at the schema
they had in cases (cases 0005) is written through the historical models, migrated
forward, and read back through the models of dynamic_cases."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from crm.models import Opportunity
from dynamic_cases import selectors
from dynamic_cases.models import DynamicCase, DynamicCaseVersion, RecordCase, RecordCaseStep
from processes.models import ProcessInstance

pytestmark = pytest.mark.django_db(transaction=True)

# The last migration of cases while the dynamic-case models lived there.
# The schema of the day before the move: cases as it was, and processes as it was then
# (a later processes migration adds columns the historical models would not fill).
BEFORE_THE_MOVE = [("cases", "0005_customer_defaults"), ("processes", "0002_instance_start_event")]


def _migrate(targets=None):
    """Migrate the test database to `targets` (default: every app's newest migration) and
    return the models of that state."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture(autouse=True)
def _newest_schema_afterwards():
    """Whatever a test asserts, the databases of the tests after it have today's schema."""
    yield
    _migrate()


def _write_old_rows(apps):
    """Rows as today's main writes them, through the models of the old state."""
    user_model = apps.get_model("auth", "User")
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group")
    owner = user_model.objects.create(username="mover")
    opportunity = apps.get_model("crm", "Opportunity").objects.create(
        title="Fleet telematics rollout", owner=owner
    )
    definition = apps.get_model("processes", "ProcessDefinition").objects.create(
        code="dyn_fleet_v1_call", name="Call the customer", is_system=True
    )
    process_version = apps.get_model("processes", "ProcessVersion").objects.create(
        definition=definition, number=1, name="Call the customer", bpmn_xml="<x/>", checksum="0"
    )
    instance = apps.get_model("processes", "ProcessInstance").objects.create(
        definition=definition, version=process_version, started_at=timezone.now()
    )

    case = apps.get_model("cases", "DynamicCase").objects.create(
        code="fleet", name="Fleet sale", section="crm.Opportunity"
    )
    version = apps.get_model("cases", "DynamicCaseVersion").objects.create(
        case=case,
        number=1,
        definition={"stage_field": "stage", "stages": [{"value": "Qualification"}]},
        created_by=owner,
    )
    record_case = apps.get_model("cases", "RecordCase").objects.create(
        record_type=content_type.objects.get_or_create(app_label="crm", model="opportunity")[0],
        record_id=str(opportunity.pk),
        version=version,
        stage="Qualification",
        visited=["Qualification"],
        stage_entered_at=timezone.now() - timedelta(days=2),
    )
    step = apps.get_model("cases", "RecordCaseStep").objects.create(
        record_case=record_case,
        round=1,
        stage="Qualification",
        key="call",
        name="Call the customer",
        status="running",
        instance=instance,
    )
    # An admin gave a role the right to change dynamic cases while they were in cases.
    case_type, _ = content_type.objects.get_or_create(app_label="cases", model="dynamiccase")
    change, _ = permission.objects.get_or_create(
        content_type=case_type, codename="change_dynamiccase", defaults={"name": "Can change"}
    )
    designers = group.objects.create(name="Case designers")
    designers.permissions.add(change)
    return {
        "opportunity": opportunity.pk,
        "instance": instance.pk,
        "case": case.pk,
        "version": version.pk,
        "record_case": record_case.pk,
        "step": step.pk,
        "case_type": case_type.pk,
    }


def test_every_dynamic_case_row_is_found_through_the_new_app_after_migrating():
    old = _write_old_rows(_migrate(BEFORE_THE_MOVE))

    _migrate()
    ContentType.objects.clear_cache()

    case = DynamicCase.objects.get(pk=old["case"])
    assert (case.code, case.name, case.section) == ("fleet", "Fleet sale", "crm.Opportunity")
    version = DynamicCaseVersion.objects.get(pk=old["version"])
    assert version.case == case and version.created_by.username == "mover"
    assert version.stage("Qualification") == {"value": "Qualification"}
    opportunity = Opportunity.objects.get(pk=old["opportunity"])
    record_case = selectors.record_case_of(opportunity)
    assert record_case.pk == old["record_case"] and record_case.version == version
    assert selectors.record_of(record_case) == opportunity
    step = RecordCaseStep.objects.get(pk=old["step"])
    assert step.record_case == record_case and step.status == RecordCaseStep.Status.RUNNING
    assert step.instance == ProcessInstance.objects.get(pk=old["instance"])
    assert list(RecordCase.objects.filter(steps__key="call")) == [record_case]


def test_permissions_given_on_the_old_models_keep_working_after_migrating():
    old = _write_old_rows(_migrate(BEFORE_THE_MOVE))

    _migrate()
    ContentType.objects.clear_cache()

    case_type = ContentType.objects.get_for_model(DynamicCase)
    assert case_type.pk == old["case_type"]
    assert (case_type.app_label, case_type.model) == ("dynamic_cases", "dynamiccase")
    assert not ContentType.objects.filter(app_label="cases", model="dynamiccase").exists()
    designers = Group.objects.get(name="Case designers")
    user = designers.user_set.model.objects.create(username="designer")
    user.groups.add(designers)
    assert user.has_perm("dynamic_cases.change_dynamiccase")
    assert Permission.objects.get(
        content_type=case_type, codename="change_dynamiccase"
    ).group_set.filter(pk=designers.pk)


def test_migrating_back_gives_the_rows_and_content_types_back_to_cases():
    _migrate()
    case = DynamicCase.objects.create(code="back", name="Back", section="crm.Opportunity")
    ContentType.objects.clear_cache()
    case_type = ContentType.objects.get_for_model(DynamicCase)

    apps = _migrate(BEFORE_THE_MOVE)

    assert apps.get_model("cases", "DynamicCase").objects.get(pk=case.pk).code == "back"
    old_type = apps.get_model("contenttypes", "ContentType").objects.get(pk=case_type.pk)
    assert (old_type.app_label, old_type.model) == ("cases", "dynamiccase")
