"""DMN 1.5 decisions: read .dmn files (`parse`) and evaluate them (`runtime`).

Plain Python like the rest of the engine; FEEL comes from `processes.engine.feel`.
"""

from __future__ import annotations

from .parse import Definitions, DmnError, parse_dmn
from .provider import decision_provider
from .runtime import DecisionError, Runtime

__all__ = ["DecisionError", "Definitions", "DmnError", "Runtime", "decision_provider", "parse_dmn"]
