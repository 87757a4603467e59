"""The BPMN conformance suite: every model in ../shared/bpmn/ runs as its
source project's own test says it should (see tests/engine/conformance.py).
Without ../shared/bpmn beside the repository these tests skip."""

import csv

import pytest

from tests.support.paths import require_bpmn_corpus

from .conformance import SCENARIOS, run_scenario


def _index_rows():
    corpus = require_bpmn_corpus("the conformance index check")
    with open(corpus / "INDEX.tsv", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def _params():
    for scenario in SCENARIOS:
        marks = [pytest.mark.xfail(strict=True, reason=scenario.xfail)] if scenario.xfail else []
        yield pytest.param(scenario, id=scenario.file.removesuffix(".bpmn"), marks=marks)


def test_every_index_row_has_exactly_one_scenario():
    files = [row["file"] for row in _index_rows()]
    assert len(files) == 49
    assert sorted(s.file for s in SCENARIOS) == sorted(files)


@pytest.mark.parametrize("scenario", list(_params()))
def test_model_behaves_as_its_source_test_expects(scenario):
    require_bpmn_corpus()
    run_scenario(scenario)
