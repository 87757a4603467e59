"""The transactional outbox: effects a change obliges, written in the change's own
transaction and carried out by the worker at least once (the bottom layer)."""
