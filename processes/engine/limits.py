"""Every bound the engine puts on untrusted input, in one place.

BPMN files, their expressions and scripts come from process authors (and
imported files from anyone), so every piece of work they can cause has a
stated limit. Each limit is set far above what a real model does (the
figures in the comments) and low enough that one evaluation, one import or one
engine call stays within about a second of CPU and a few tens of megabytes.
Exceeding one is a clean error naming what was too large, never a hang or a
500: an expression error puts its step in Error, an import is refused naming
the element.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """Bounds on the work one expression evaluation or script run may do.

    Shared by the three languages (Python subset, JUEL, FEEL). Exceeding any of
    them raises ``ExpressionBudgetError`` ("expression exceeds its work budget:
    ..."), except the compile-time ones (source length, nesting), which make the
    text fail to compile.
    """

    # Compile time. Real conditions are under 200 characters, scripts under 2,000.
    max_source_length: int = 20_000  # characters of expression or script text
    max_nesting_depth: int = 100  # syntax-tree depth
    # Steps: one per syntax node evaluated. Real scripts use well under 1,000.
    max_steps: int = 100_000
    max_loop_iterations: int = 10_000  # per for-loop or comprehension
    max_range_length: int = 100_000  # len(range(...))
    # Sizes, checked before a value is built wherever the size can be known first.
    max_sequence_length: int = 100_000  # characters of a string, items of a collection
    max_int_bits: int = 4_096  # about 1,233 decimal digits (also for number literals)
    max_format_width: int = 1_000  # width/precision in '%' and f-string formats
    max_round_digits: int = 1_000  # round(x, n): |n| up to this (10**n is built inside)
    # Everything one evaluation builds, added up (characters + items), so a loop
    # cannot fill memory with many values that are each under the size limit.
    max_built_size: int = 10_000_000
    max_call_depth: int = 16  # nested calls of functions defined in a script
    max_data_work: int = 1_000_000  # elements visited while comparing/printing/hashing values
    # Wall time of one evaluation, the backstop for work no other bound counts.
    max_seconds: float = 2.0


LIMITS = Limits()

# Steps one engine call may run before it stops the instance in error: a process
# that loops without waiting anywhere must not hold a worker for ever.
MAX_STEPS_PER_RUN = 10_000

# A multi-instance activity creates one step per instance; 10,000 is far above a
# real fan-out (dozens) and keeps one engine call's step count bounded.
MAX_MULTI_INSTANCE = 10_000

# BPMN import. Real models nest sub-processes two or three deep; parsing and
# exporting walk the XML recursively, so depth must stay well inside Python's
# recursion limit even when called deep inside a web request.
MAX_SUBPROCESS_DEPTH = 30
MAX_XML_DEPTH = 100
