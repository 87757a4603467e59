"""The after-resolution article process, loaded idempotently.

`load_kb_process(apps)` takes an app registry so the same code runs from a data
migration (historical models) and at run time (real models).
"""

import hashlib
from pathlib import Path

KB_PROCESS = "kb_after_resolution"
KB_PROCESS_NAME = "Create a new article after case resolution"
KB_BPMN = Path(__file__).parent / "bpmn" / "kb_after_resolution.bpmn"


def load_kb_process(apps) -> None:
    """The "Create a new article after case resolution" process: built in, INACTIVE
    (Process library → Activate). Loaded by the demo and on the first resolution (as
    the diagnosis process is), not by a migration: a fresh library stays empty."""
    try:
        ProcessDefinition = apps.get_model("processes", "ProcessDefinition")
        ProcessVersion = apps.get_model("processes", "ProcessVersion")
    except LookupError:  # an early migration, before the processes app's tables
        return
    if ProcessDefinition.objects.filter(code=KB_PROCESS).exists():
        return
    raw = KB_BPMN.read_bytes()
    definition = ProcessDefinition.objects.create(
        code=KB_PROCESS,
        name=KB_PROCESS_NAME,
        is_active=False,
        is_system=True,
        description="When a case is resolved with no knowledge base article linked, ask its "
        "assignee whether to write one; the article saved is linked to the case.",
    )
    ProcessVersion.objects.create(
        definition=definition,
        number=1,
        name=KB_PROCESS_NAME,
        bpmn_xml=raw.decode("utf-8"),
        checksum=hashlib.sha256(raw).hexdigest(),
    )
