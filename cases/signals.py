"""What the cases app announces. Apps to the right (notifications) listen.

Every signal is sent inside the transaction that causes it: what a receiver
writes (a notification) commits with the change or not at all; pushes to open
pages wait for the commit (notifications.push).
"""

from django.dispatch import Signal

# An active case got an assignee or a group, or became active with one
# (kwargs: case, recipients: list of users to tell, actor: user or None, reason: str).
case_assignment_announced = Signal()
# A case moved to another status (kwargs: case, old_status, new_status, actor).
case_status_changed = Signal()
# The customer wrote (email or portal) and the message landed on the case
# (kwargs: case, message: CaseMessage, reopened: bool).
case_customer_message = Signal()
