"""The outbox handlers of processes' effects: what a committed run obliges the worker to do.

Each takes the payload `stepping.queue_task` recorded and calls one service. They
run in the transaction that marks the effect done (outbox.registry), and each
checks before acting: a parent resumes only from a call step still waiting, a
finished instance is not canceled again.
"""

import contextlib

from outbox import registry
from processes.errors import ProcessError
from processes.events import kept_messages_deliver, message_deliver_or_record, signal_broadcast
from processes.instances import (
    call_refused,
    child_finished,
    escalate_to_caller,
    instance_cancel,
)


def _cancel(payload: dict) -> None:
    with contextlib.suppress(ProcessError):  # already finished: nothing to cancel
        instance_cancel(**payload)


HANDLERS = {
    "processes.call_refused": lambda payload: call_refused(**payload),
    "processes.child_finished": lambda payload: child_finished(**payload),
    "processes.escalate_to_caller": lambda payload: escalate_to_caller(**payload),
    "processes.cancel_instance": _cancel,
    "processes.broadcast_signal": lambda payload: signal_broadcast(**payload),
    "processes.deliver_message": lambda payload: message_deliver_or_record(**payload),
    "processes.deliver_kept_messages": lambda payload: kept_messages_deliver(**payload),
}


def connect() -> None:
    for kind, handler in HANDLERS.items():
        registry.register(kind, handler)
