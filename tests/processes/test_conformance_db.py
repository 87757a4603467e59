"""The 49-model BPMN conformance suite through the real persistence layer on
PostgreSQL: the same scenarios and checks as tests/engine/test_conformance.py,
run by `DbWorld` (tests/processes/conformance_db.py) through processes.services.
Without ../shared/bpmn beside the repository these tests skip."""

import logging

import pytest

from bpm_project.celery import app as celery_app
from tests.engine.conformance import SCENARIOS
from tests.engine.own_models import OWN_SCENARIOS
from tests.support.paths import require_bpmn_corpus

from .conformance_db import run_scenario_db

# Scenario file -> why it cannot pass through the database (none, at present).
XFAIL_DB: dict[str, str] = {}


def _params():
    for scenario in SCENARIOS:
        reason = scenario.xfail or XFAIL_DB.get(scenario.file, "")
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        yield pytest.param(scenario, id=scenario.file.removesuffix(".bpmn"), marks=marks)


@pytest.fixture
def tasks_raise():
    """Eager Celery tasks re-raise, so a failing routed task is seen (and logged) here."""
    previous = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_eager_propagates = previous


@pytest.mark.django_db
@pytest.mark.parametrize("scenario", list(_params()))
def test_model_behaves_as_its_source_test_expects_through_the_database(
    scenario, django_capture_on_commit_callbacks, tasks_raise, caplog
):
    require_bpmn_corpus("conformance scenarios through the database")
    with caplog.at_level(logging.ERROR, logger="processes"):
        run_scenario_db(scenario, capture=django_capture_on_commit_callbacks)
    failed = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failed, failed


# -- the project's own models (tests/engine/models/), needing nothing beside the repository


@pytest.mark.django_db
@pytest.mark.parametrize("scenario", list(OWN_SCENARIOS.values()), ids=list(OWN_SCENARIOS))
def test_own_model_takes_the_expected_path_through_the_database(
    scenario, django_capture_on_commit_callbacks, tasks_raise, caplog
):
    with caplog.at_level(logging.ERROR, logger="processes"):
        run_scenario_db(scenario, capture=django_capture_on_commit_callbacks)
    failed = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert not failed, failed
