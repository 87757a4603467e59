"""Writes on processes, one module per noun; this module is their public door.

    processes.definitions        import BPMN and DMN files, activate or deactivate a process
    processes.decisions          import a DMN file, evaluate deployed decisions
    processes.instances          start, advance, complete or retry a step, cancel, edit
    processes.events             messages, signals and timers reaching instances
    processes.external_tasks     fetch and lock external tasks, a worker's reports on them
    processes.user_steps.services  submit a page, postpone, reassign a user step
    processes.stepping           the one locked entry point all of them go through
    processes.errors             the refusals they raise

Other apps and the tasks import the writes from here; modules inside processes
import the module that owns the write, so this door imports nothing back.
"""

from processes import external_tasks
from processes.decisions import decision_import
from processes.definitions import (
    LibraryImportError,
    library_import,
    process_import,
    process_set_active,
)
from processes.errors import ProcessError, ProcessNotActive, StepNotAvailable
from processes.events import (
    MessageAmbiguous,
    MessageNotDelivered,
    kept_messages_sweep,
    message_correlate,
    message_deliver,
    message_deliver_or_record,
    signal_broadcast,
)
from processes.instances import (
    call_refused,
    child_finished,
    instance_advance,
    instance_cancel,
    instance_start,
    instance_update_variables,
    instances_advance,
    instances_resume_stuck,
    step_complete,
    step_retry,
)
from processes.timer_sweep import timers_fire_due
from processes.user_steps.services import (
    StepNotYours,
    refuse_unless_waiting,
    step_complete_stored,
    step_postpone,
    step_reassign,
    step_submit_page,
    steps_release_postponed,
)

__all__ = [
    "LibraryImportError",
    "decision_import",
    "external_tasks",
    "library_import",
    "ProcessError",
    "ProcessNotActive",
    "StepNotAvailable",
    "StepNotYours",
    "call_refused",
    "child_finished",
    "instance_advance",
    "instances_advance",
    "instance_cancel",
    "instance_start",
    "instance_update_variables",
    "instances_resume_stuck",
    "MessageAmbiguous",
    "MessageNotDelivered",
    "kept_messages_sweep",
    "message_correlate",
    "message_deliver",
    "message_deliver_or_record",
    "process_import",
    "process_set_active",
    "refuse_unless_waiting",
    "signal_broadcast",
    "step_complete",
    "step_complete_stored",
    "step_postpone",
    "step_reassign",
    "step_retry",
    "step_submit_page",
    "steps_release_postponed",
    "timers_fire_due",
]
