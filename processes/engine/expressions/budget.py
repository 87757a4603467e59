"""The work budget every evaluation runs on, whatever its language.

One `WorkMeter` per evaluation or script run counts steps (syntax nodes
evaluated), elements visited by deep operations (comparing, hashing,
printing), the total size of the values built, and wall time, against
`LIMITS` (see `processes.engine.limits` for the figures and why). Sizes are
checked *before* a value is built wherever the size can be known first
(repetition, powers, shifts, joins, formatting, printing), so a hostile text
cannot make Python's C code run long or fill memory before a check sees it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from typing import Any

from ..limits import LIMITS
from .common import ExpressionBudgetError, ExpressionRuntimeError

SIZED_TYPES = (str, bytes, list, tuple, dict, set, frozenset)
CONTAINER_TYPES = (list, tuple, dict, set, frozenset)
_SEQUENCE_TYPES = (str, bytes, list, tuple)
# Checking the clock on every step would cost more than the steps themselves.
_CLOCK_EVERY = 64


def is_plain_int(value: Any) -> bool:
    """An int that is not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def check_size(value: Any) -> Any:
    """Reject values too large to keep; return the value so calls can be chained."""
    if is_plain_int(value):
        if value.bit_length() > LIMITS.max_int_bits:
            raise ExpressionBudgetError(f"integer too large (more than {LIMITS.max_int_bits} bits)")
    elif isinstance(value, SIZED_TYPES) and len(value) > LIMITS.max_sequence_length:
        raise ExpressionBudgetError(
            f"value too large (size {len(value)}, limit {LIMITS.max_sequence_length})"
        )
    return value


def require_length(length: int, what: str) -> None:
    """Refuse, before building it, a string or collection of ``length``."""
    if length > LIMITS.max_sequence_length:
        raise ExpressionBudgetError(
            f"{what} would be too large (size {length}, limit {LIMITS.max_sequence_length})"
        )


class WorkMeter:
    """Counts one evaluation's steps, element visits, built size and time."""

    def __init__(self) -> None:
        self.steps = 0
        self.data_work = 0
        self.built = 0
        self.deadline = time.monotonic() + LIMITS.max_seconds

    def step(self) -> None:
        """Charge one evaluation step (and look at the clock now and then)."""
        self.steps += 1
        if self.steps > LIMITS.max_steps:
            raise ExpressionBudgetError(
                f"evaluation took too many steps (limit {LIMITS.max_steps})"
            )
        if self.steps % _CLOCK_EVERY == 0:
            self.check_time()

    def check_time(self) -> None:
        """Raise the budget error once the evaluation has run past its wall time."""
        if time.monotonic() > self.deadline:
            raise ExpressionBudgetError(
                f"evaluation ran longer than {LIMITS.max_seconds:g} seconds"
            )

    def built_value(self, value: Any) -> Any:
        """Check the size of a newly built value and add it to the total built."""
        check_size(value)
        if isinstance(value, SIZED_TYPES):
            self.built += len(value)
        elif is_plain_int(value):
            self.built += value.bit_length() // 64
        if self.built > LIMITS.max_built_size:
            raise ExpressionBudgetError(
                f"evaluation built too much data (more than {LIMITS.max_built_size:,} "
                "characters and items in all)"
            )
        return value

    def charge(self, count: int) -> None:
        """Charge ``count`` element visits against the data-work limit."""
        self.data_work += count
        if self.data_work > LIMITS.max_data_work:
            raise ExpressionBudgetError(
                "values are too large, cyclic or too deeply shared to process "
                f"(more than {LIMITS.max_data_work} elements visited)"
            )

    def walk(self, value: Any) -> None:
        """Charge for a deep traversal of ``value`` (comparing, printing, hashing).

        Containers that share children (``a = [a, a]`` repeated) are exponentially
        large when traversed, and cyclic ones are infinite; charging each visited
        element stops both before Python's C code spends unbounded time on them.
        """
        if not isinstance(value, CONTAINER_TYPES):
            return
        pending = [value]
        while pending:
            item = pending.pop()
            self.charge(1)
            if isinstance(item, dict):
                pending.extend(item.keys())
                pending.extend(item.values())
            elif isinstance(item, CONTAINER_TYPES):
                pending.extend(item)

    def require_text(self, values: Iterable[Any], what: str, *, quoted: bool = False) -> None:
        """Refuse, before any is built, text of ``values`` longer than the limit.

        ``quoted`` measures ``repr`` (f-string ``!r``) rather than ``str``. A
        function cannot be turned into text at all: its text would show a memory
        address of the server process.
        """
        total = 0
        for value in values:
            total += self.text_length(value, quoted=quoted, budget=LIMITS.max_sequence_length)
            require_length(total, what)

    def text_length(self, value: Any, *, quoted: bool, budget: int) -> int:
        """The length ``str`` (or ``repr``) of ``value`` would have, counted only up
        to just past ``budget`` (the caller refuses anything longer)."""
        total = 0
        pending: list[tuple[Any, bool]] = [(value, quoted)]
        while pending and total <= budget:
            item, in_repr = pending.pop()
            self.charge(1)
            if isinstance(item, str):
                if in_repr:  # escapes make repr longer; past the budget it is refused anyway
                    total += len(item) + 2 if len(item) > budget else len(repr(item))
                else:
                    total += len(item)
            elif isinstance(item, bool) or item is None:
                total += 5
            elif is_plain_int(item):
                # bit_length / 3.32 digits, without building the digits.
                total += item.bit_length() * 30103 // 100000 + 2
            elif isinstance(item, float):
                total += 24
            elif isinstance(item, dict):
                total += 2 + 4 * len(item)
                pending.extend((key, True) for key in item)
                pending.extend((entry, True) for entry in item.values())
            elif isinstance(item, CONTAINER_TYPES):
                total += 2 + 2 * len(item) + (11 if isinstance(item, set | frozenset) else 0)
                pending.extend((entry, True) for entry in item)
            elif isinstance(item, bytes):
                total += 4 * len(item) + 3
            elif callable(item) and not isinstance(item, type):
                raise ExpressionRuntimeError(
                    "a function cannot be turned into text; call it instead"
                )
            else:  # dates, decimals, classes: short texts
                total += len(str(item))
        return total


def ensure_storable(values: Iterable[Any]) -> None:
    """Refuse results that would be unbounded work for whoever stores them (e.g. JSON)."""
    meter = WorkMeter()
    for value in values:
        meter.walk(value)


_PERCENT_FORMAT = re.compile(
    r"%(?:\([^)]*\))?[#0\- +]*(?P<width>\*|\d+)?(?:\.(?P<precision>\*|\d+))?[hlL]?[a-zA-Z%]"
)


def check_format_widths(widths: Iterable[str | None]) -> None:
    """Refuse format widths and precisions past the limit (and '*' widths)."""
    for width in widths:
        if width == "*" or (width and int(width) > LIMITS.max_format_width):
            raise ExpressionBudgetError(
                f"format width/precision must be a number up to {LIMITS.max_format_width}"
            )


def check_operands(operation: str, left: Any, right: Any) -> None:
    """Refuse, before computing, results that would blow the size limits.

    ``operation`` is 'add', 'mul', 'pow', 'lshift' or 'mod' (others grow nothing).
    """
    if operation == "add":
        if isinstance(left, _SEQUENCE_TYPES) and isinstance(right, _SEQUENCE_TYPES):
            require_length(len(left) + len(right), "the concatenation")
    elif operation == "mul":
        for sequence, count in ((left, right), (right, left)):
            if isinstance(sequence, _SEQUENCE_TYPES) and isinstance(count, int):
                require_length(len(sequence) * max(count, 0), "the repetition")
        both_ints = is_plain_int(left) and is_plain_int(right)
        if both_ints and left.bit_length() + right.bit_length() > LIMITS.max_int_bits + 1:
            raise ExpressionBudgetError("the product would be too large")
    elif operation == "pow":
        # Only |base| > 1 grows; the estimate is the result's bit length.
        growing = is_plain_int(left) and is_plain_int(right) and abs(left) > 1 and right > 0
        if growing and left.bit_length() * (right - 1) > LIMITS.max_int_bits:
            raise ExpressionBudgetError("the power would be too large")
    elif operation == "lshift":
        shifting = is_plain_int(left) and is_plain_int(right) and right > 0
        if shifting and left.bit_length() + right > LIMITS.max_int_bits:
            raise ExpressionBudgetError("the shifted number would be too large")
    elif operation == "mod" and isinstance(left, str):
        padding = 0
        for match in _PERCENT_FORMAT.finditer(left):
            check_format_widths((match["width"], match["precision"]))
            padding += max(int(match["width"] or 0), int(match["precision"] or 0))
        # Each width is small, but a template of many of them pads a long result.
        require_length(len(left) + padding, "the formatted string")


def bounded_range(*arguments: int) -> range:
    """``range`` that refuses to describe more than ``max_range_length`` numbers."""
    numbers = range(*arguments)
    try:
        length = len(numbers)
    except OverflowError:
        length = LIMITS.max_range_length + 1
    if length > LIMITS.max_range_length:
        raise ExpressionBudgetError(
            f"range() is too long ({length} numbers; the limit is {LIMITS.max_range_length})"
        )
    return numbers


def bounded_round(number: Any, ndigits: Any = None) -> Any:
    """``round``; ``round(1, -10**7)`` would compute 10**(10**7) inside Python."""
    if ndigits is None:
        return round(number)
    if is_plain_int(ndigits) and abs(ndigits) > LIMITS.max_round_digits:
        raise ExpressionBudgetError(
            f"round() to {ndigits} digits is past the limit of {LIMITS.max_round_digits}"
        )
    return round(number, ndigits)


def numeric_sum(values: Iterable[Any], start: int | float = 0) -> Any:
    """``sum`` of numbers; summing lists or strings would bypass the size limits."""
    if not isinstance(start, int | float):
        raise ExpressionRuntimeError("sum() can only add numbers")
    return sum(values, start)
