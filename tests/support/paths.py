"""Where the shared conformance models live: ../shared/bpmn beside the repository."""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BPMN_CORPUS = Path(os.environ.get("FLOWDESK_BPMN_CORPUS", REPO.parent / "shared" / "bpmn"))
