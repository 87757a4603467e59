"""What the three expression languages share: errors, language detection, the
compiled-expression base class and the guard that words every failure."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

from ..limits import LIMITS


class ExpressionError(Exception):
    """Base class of every error raised for an expression or a script.

    ``message`` is the text to show a person; ``line`` is the 1-based script line the
    problem was found on, when known.
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def at_line(self, line: int | None) -> ExpressionError:
        """Record the script line of the error (once) and return the error itself."""
        if line is not None and self.line is None:
            self.line = line
            self.message = f"line {line}: {self.message}"
            self.args = (self.message,)
        return self


class ExpressionSyntaxError(ExpressionError):
    """The text cannot be compiled: bad syntax or a construct that is not allowed."""


class ExpressionRuntimeError(ExpressionError):
    """Evaluation failed: unknown name, wrong type, division by zero, limit exceeded..."""


BUDGET_PREFIX = "expression exceeds its work budget: "


class ExpressionBudgetError(ExpressionRuntimeError):
    """The evaluation went past one of its limits (steps, sizes, time; see `Limits`).

    The message always starts with "expression exceeds its work budget:", with the
    script line (when known) after it, then what was exceeded.
    """

    def __init__(self, detail: str, line: int | None = None) -> None:
        self.detail = detail
        super().__init__(BUDGET_PREFIX + detail, line)

    def at_line(self, line: int | None) -> ExpressionError:
        if line is not None and self.line is None:
            self.line = line
            self.message = f"{BUDGET_PREFIX}line {line}: {self.detail}"
            self.args = (self.message,)
        return self


_LANGUAGE_NAMES = {
    "python": "python",
    "python3": "python",
    "py": "python",
    "text/x-python": "python",
    "juel": "juel",
    "uel": "juel",
    "el": "juel",
    "feel": "feel",
    "feel-scala": "feel",
}
# BPMN's default expressionLanguage is XPath; modelling tools write it without
# meaning it, so it is read as "not specified" rather than rejected.
_UNSPECIFIED_LANGUAGES = {"", "http://www.w3.org/1999/xpath"}
JUEL_TEXT = re.compile(r"^\s*[$#]\{.*\}\s*$", re.DOTALL)


def detect_language(text: str, language: str | None = None) -> str:
    """Return ``'python'``, ``'juel'`` or ``'feel'`` for an expression.

    The BPMN ``language``/``scriptFormat``/``expressionLanguage`` attribute wins when it
    is given (case-insensitive; FEEL URIs such as
    ``http://www.omg.org/spec/FEEL/20140401`` count as FEEL). A language this module
    cannot run (``javascript``, ``groovy``...) raises ExpressionSyntaxError. Without an
    attribute, ``${...}`` is JUEL, a leading ``=`` is FEEL and anything else is Python.
    """
    if language is not None and language.strip().lower() not in _UNSPECIFIED_LANGUAGES:
        name = language.strip().lower()
        if name in _LANGUAGE_NAMES:
            return _LANGUAGE_NAMES[name]
        if "feel" in name:  # the OMG FEEL/DMN namespace URIs, whatever their version
            return "feel"
        raise ExpressionSyntaxError(
            f"unsupported language {language!r}: expressions may be Python, JUEL or FEEL"
        )
    if JUEL_TEXT.match(text or ""):
        return "juel"
    if (text or "").lstrip().startswith("="):
        return "feel"
    return "python"


class Expression(ABC):
    """A compiled expression. Compile once at BPMN import, evaluate many times."""

    def __init__(self, source: str, language: str) -> None:
        self.source = source
        self.language = language

    def evaluate(
        self, variables: Mapping[str, Any], functions: Mapping[str, Callable] | None = None
    ) -> Any:
        """Evaluate against process ``variables``; ``functions`` adds callables by name.

        Every failure is raised as ExpressionRuntimeError (never another exception type).
        """
        return guarded(lambda: self._evaluate(variables, functions or {}))

    @abstractmethod
    def _evaluate(self, variables: Mapping[str, Any], functions: Mapping[str, Callable]) -> Any:
        """Language-specific evaluation; may raise any exception (the caller wraps it)."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.language} {self.source!r}>"


def check_source(text: Any, what: str) -> None:
    """Refuse source that is not text or longer than the limit, before parsing it."""
    if not isinstance(text, str):
        raise ExpressionSyntaxError(f"the {what} must be text, not {type(text).__name__}")
    if len(text) > LIMITS.max_source_length:
        raise ExpressionSyntaxError(
            f"the {what} is too long ({len(text)} characters; "
            f"the limit is {LIMITS.max_source_length})"
        )


def guarded(action: Callable[[], Any]) -> Any:
    """Run ``action`` and turn every failure into an ExpressionRuntimeError."""
    try:
        return action()
    except ExpressionError:
        raise
    except RecursionError:
        raise ExpressionRuntimeError(
            "the evaluation is nested too deeply (too many nested calls or values)"
        ) from None
    except MemoryError:
        raise ExpressionBudgetError("out of memory while evaluating") from None
    except Exception as exc:
        raise ExpressionRuntimeError(describe_exception(exc)) from exc


def describe_exception(exc: BaseException) -> str:
    """Human text for a Python exception raised while evaluating."""
    if isinstance(exc, ZeroDivisionError):
        return "division by zero"
    if isinstance(exc, KeyError):
        return f"key {exc.args[0]!r} not found" if exc.args else "key not found"
    if isinstance(exc, MemoryError):
        return "out of memory while evaluating"
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
