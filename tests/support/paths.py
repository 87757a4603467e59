"""Where the shared conformance models live: ../shared/bpmn beside the repository.

The folder is optional: a clone without it runs every other test, and the tests
that read it skip (`require_bpmn_corpus`), saying which folder is missing.
FLOWDESK_BPMN_CORPUS points elsewhere.
"""

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BPMN_CORPUS = Path(os.environ.get("FLOWDESK_BPMN_CORPUS", REPO.parent / "shared" / "bpmn"))
_MISSING = (
    f"{os.environ['FLOWDESK_BPMN_CORPUS']} (FLOWDESK_BPMN_CORPUS) not found"
    if os.environ.get("FLOWDESK_BPMN_CORPUS")
    else "../shared/bpmn not found beside the repository"
)


def require_bpmn_corpus(what: str = "conformance scenarios") -> Path:
    """The corpus folder; skips the calling test, naming the folder, when it is missing."""
    if not BPMN_CORPUS.is_dir():
        pytest.skip(f"{_MISSING}: {what} skipped")
    return BPMN_CORPUS
