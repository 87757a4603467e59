"""Safe evaluation of the expressions and scripts found in BPMN files.

BPMN files are untrusted input, so nothing here hands user text to ``eval``,
``exec`` or ``compile``. Three languages are supported, one module each:
`python` (the safe Python subset, the default; also the only script
language), `juel` (Camunda ``${...}``) and `feel` (leading ``=``); the last two
share their parser and evaluator in `el`. What all three share (errors,
language detection, the base class) is in `common`; every evaluation runs on
the work budget in `budget` (steps, sizes of everything built, time), so a
hostile file can neither reach Python internals nor stall a worker.

This module is the public API: compile once at BPMN import, evaluate many times.
"""

from __future__ import annotations

import textwrap

from ..limits import LIMITS, Limits
from .common import (
    Expression,
    ExpressionBudgetError,
    ExpressionError,
    ExpressionRuntimeError,
    ExpressionSyntaxError,
    check_source,
    detect_language,
)
from .feel import compile_feel
from .juel import compile_juel
from .python import SAFE_BUILTINS, PythonExpression, Script, parse_python

__all__ = [
    "LIMITS",
    "SAFE_BUILTINS",
    "Expression",
    "ExpressionBudgetError",
    "ExpressionError",
    "ExpressionRuntimeError",
    "ExpressionSyntaxError",
    "Limits",
    "Script",
    "compile_expression",
    "compile_script",
    "detect_language",
]


def compile_expression(text: str, language: str | None = None) -> Expression:
    """Compile a condition/expression; bad syntax raises ExpressionSyntaxError."""
    check_source(text, what="expression")
    if not text.strip():
        raise ExpressionSyntaxError("the expression is empty")
    resolved = detect_language(text, language)
    try:
        if resolved == "juel":
            return compile_juel(text)
        if resolved == "feel":
            return compile_feel(text)
        return PythonExpression(text, parse_python(text.strip(), is_script=False))
    except ExpressionError:
        raise
    except (RecursionError, MemoryError, ValueError) as exc:
        # Whatever slips past the parsers' own checks is still a refusal, not a crash.
        raise ExpressionSyntaxError(f"the expression cannot be compiled: {exc}") from None


def compile_script(text: str, language: str | None = None) -> Script:
    """Compile a script in the safe Python subset; bad syntax raises ExpressionSyntaxError.

    An empty script is valid and does nothing. Scripts in other languages are rejected.
    """
    check_source(text, what="script")
    resolved = detect_language(text, language)
    if resolved != "python":
        raise ExpressionSyntaxError(
            f"{resolved.upper()} scripts are not supported: scripts must be Python"
        )
    # Scripts inside XML are often indented as a block; that is not a syntax error.
    source = textwrap.dedent(text).strip("\n")
    return Script(text, parse_python(source, is_script=True))
