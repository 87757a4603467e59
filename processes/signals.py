"""What the engine announces. Apps to the right listen; the engine imports none of them.

Every signal is sent inside the transaction that causes it, with `step` or
`instance` as model instances fresh from it: what a receiver writes commits with
the change or not at all. A receiver that pushes to pages, or talks to anything
outside the database, does so in `transaction.on_commit`.
"""

from django.dispatch import Signal

# A user step became waiting for its owner (kwargs: step).
instance_started = Signal()
step_activated = Signal()
# A user step left the waiting state (kwargs: step, status: completed | canceled).
step_closed = Signal()
# A user step's owner or postponement changed (kwargs: step).
step_changed = Signal()
# An instance reached a final status (kwargs: instance).
instance_completed = Signal()
instance_failed = Signal()
