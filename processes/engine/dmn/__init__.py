"""DMN 1.5 decisions: read .dmn files (`parse`) and evaluate them (`runtime`).

Plain Python like the rest of the engine; FEEL comes from `processes.engine.feel`.
"""

from __future__ import annotations

from .parse import Definitions, DmnError, parse_dmn
from .provider import DecisionOutcome, decision_provider, evaluate, find_decision
from .runtime import DecisionError, MatchedRules, Runtime

__all__ = [
    "DecisionError",
    "DecisionOutcome",
    "Definitions",
    "DmnError",
    "MatchedRules",
    "Runtime",
    "decision_provider",
    "evaluate",
    "find_decision",
    "parse_dmn",
]
