"""The engine's plain data: an instance's state, its steps, and a call's result.

Everything here is JSON-serialisable data that the persistence layer stores as
rows and loads back; the engine keeps nothing between calls.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

OPEN = frozenset({"active", "waiting", "error"})


@dataclass(slots=True, eq=False)
class Step:
    """One visit of one element: a row of the process log and a token at once."""

    id: int
    element_id: str
    scope_id: int | None
    status: str
    started_at: dt.datetime
    completed_at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    result: str = ""
    error: str = ""
    data: dict = field(default_factory=dict)
    dirty: bool = True

    @property
    def is_open(self) -> bool:
        """Whether the step is still a token (active, waiting or in error)."""
        return self.status in OPEN


@dataclass(slots=True, eq=False)
class InstanceState:
    """One process instance: its status, variables and open steps."""

    process_id: str
    status: str
    variables: dict
    steps: dict[int, Step]
    next_step_id: int
    started_at: dt.datetime
    completed_at: dt.datetime | None = None
    # The engine's lookup tables over the open steps, kept between calls on the same
    # object; never stored (a freshly loaded state rebuilds them).
    runtime_cache: Any = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class RunResult:
    """What one engine call did: steps finished and changed, effects to route."""

    state: InstanceState
    finished_steps: list[Step] = field(default_factory=list)
    changed_steps: list[Step] = field(default_factory=list)
    effects: list = field(default_factory=list)
    # How many waiting steps a message or signal reached (0: nobody was waiting).
    matched: int = 0
