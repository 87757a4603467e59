"""What the knowledge base announces. Apps to the right (cases) listen.

Both signals are sent inside the transaction that links or unlinks, so what a
receiver writes (the case's History entry) commits or rolls back with the link.
"""

from django.dispatch import Signal

# An article was linked to a case (kwargs: article, case, user: user or None).
article_linked = Signal()
# An article was unlinked from a case (kwargs: article, case, user: user or None).
article_unlinked = Signal()
