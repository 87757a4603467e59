"""The JUEL subset (Camunda's ``${...}`` expressions and composite text)."""

from __future__ import annotations

from .el import Dialect, ElExpression, ElParser

# fmt: off
JUEL = Dialect(
    name="juel",
    infix={
        "||": (4, "or"), "or": (4, "or"), "&&": (6, "and"), "and": (6, "and"),
        "==": (8, "eq"), "eq": (8, "eq"), "!=": (8, "ne"), "ne": (8, "ne"),
        "<": (10, "lt"), "lt": (10, "lt"), ">": (10, "gt"), "gt": (10, "gt"),
        "<=": (10, "le"), "le": (10, "le"), ">=": (10, "ge"), "ge": (10, "ge"),
        "+": (12, "add"), "-": (12, "sub"), "*": (14, "mul"), "/": (14, "div"),
        "div": (14, "div"), "%": (14, "mod"), "mod": (14, "mod"),
    },
    reserved=frozenset({
        "and", "or", "not", "eq", "ne", "lt", "gt", "le", "ge", "div", "mod", "empty",
        "true", "false", "null", "instanceof",
    }),
    has_conditional_operator=True,
    has_if_expression=False,
    has_intervals=False,
    mistakes={"=": "JUEL compares with '==' or 'eq', not '='"},
)
# fmt: on


def compile_juel(text: str) -> ElExpression:
    """Compile JUEL text: a lone ``${...}`` keeps its value's type, mixed text is a string."""
    return ElExpression(text, JUEL, ElParser(text, JUEL).parse_template())
