"""FEEL's tokens: numbers, strings, names (with spaces, found by the parser), symbols.

Names that contain spaces, keywords or symbols (``date and time``, ``Loan-to-Value``)
are recognised whole when the caller names them in ``known_names`` (the DMN layer
passes the names of its inputs, decisions and item components).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..expressions.common import ExpressionSyntaxError
from ..limits import LIMITS
from .types import NUMBER_CONTEXT, FeelError

# The decimal digits of the largest integer the budget allows (as the other languages).
MAX_LITERAL_DIGITS = LIMITS.max_int_bits * 30103 // 100000 + 1
# Built-in names that contain a keyword or would otherwise not be one word.
BUILTIN_NAMES = (
    "date and time",
    "years and months duration",
    "days and time duration",
    "time offset",
    "start included",
    "end included",
)
KEYWORDS = frozenset(
    {
        "and", "or", "in", "if", "then", "else", "for", "return", "some", "every",
        "satisfies", "between", "instance", "function", "true", "false", "null", "external",
    }
)  # fmt: skip

_NAME_START = r"[^\W\d]|[_?]"
_TOKEN = re.compile(
    r"""
    (?P<space>(?:\s|//[^\n]*|/\*.*?\*/)+)
  | (?P<dots>\.\.)
  | (?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<symbol>\*\*|<=|>=|!=|==|->|&&|\|\||[-+*/<>=!(){}\[\],.:])
  | (?P<string>"(?:[^"\\]|\\.)*")
  | (?P<at>@"(?:[^"\\]|\\.)*")
  | (?P<name>(?:[^\W\d]|_|[^\x00-\x7f])(?:[\w']|[^\x00-\x7f])*|\?)
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # number string at name symbol end
    text: str
    value: object
    position: int


@lru_cache(maxsize=256)
def _known_pattern(names: frozenset[str]) -> re.Pattern[str] | None:
    special = [name for name in names if not re.fullmatch(r"(?:[^\W\d]|_)\w*", name)]
    if not special:
        return None
    special.sort(key=len, reverse=True)
    parts = [r"\s+".join(re.escape(word) for word in name.split()) for name in special]
    return re.compile(r"(?:" + "|".join(parts) + r")(?![\w])")


def unescape(body: str) -> str:
    def replace(match: re.Match[str]) -> str:
        text = match.group()
        code = text[1]
        if code == "u":
            return chr(int(text[2:6], 16))
        if code == "U":
            return chr(int(text[2:8], 16))
        known = {
            "n": "\n",
            "t": "\t",
            "r": "\r",
            "b": "\b",
            "f": "\f",
            '"': '"',
            "'": "'",
            "\\": "\\",
        }
        return known.get(code, text)  # other escapes (regular expressions' \s, \d) stay

    decoded = re.sub(r"\\(?:u[0-9a-fA-F]{4}|U[0-9a-fA-F]{6}|.)", replace, body, flags=re.DOTALL)
    # A pair of surrogates written as two \u escapes is one character.
    return decoded.encode("utf-16", "surrogatepass").decode("utf-16")


def tokenize(text: str, known_names: frozenset[str] = frozenset()) -> list[Token]:
    """Split FEEL text into tokens; unknown characters are a syntax error."""
    pattern = _known_pattern(known_names | frozenset(BUILTIN_NAMES))
    tokens: list[Token] = []
    position = 0
    length = len(text)
    while position < length:
        if pattern is not None and (text[position].isalpha() or text[position] == "_"):
            match = pattern.match(text, position)
            if match is not None:
                name = " ".join(match.group().split())
                tokens.append(Token("name", name, name, position))
                position = match.end()
                continue
        match = _TOKEN.match(text, position)
        if match is None:
            raise ExpressionSyntaxError(
                f"unexpected character {text[position]!r} at position {position + 1} "
                f"in FEEL expression {text[:200]!r}"
            )
        kind = match.lastgroup or ""
        if kind == "dots":
            kind = "symbol"
        value: object = match.group()
        if kind == "number":
            digits = sum(char.isdigit() for char in match.group().split("e")[0].split("E")[0])
            if digits > MAX_LITERAL_DIGITS:
                raise ExpressionSyntaxError(
                    f"the number literal has {digits} digits; the limit is {MAX_LITERAL_DIGITS}"
                )
            value = NUMBER_CONTEXT.create_decimal(match.group())
        elif kind in ("string", "at"):
            body = match.group()[2 if kind == "at" else 1 : -1]
            try:
                value = unescape(body)
            except (UnicodeError, ValueError) as exc:
                raise ExpressionSyntaxError(f"bad string literal: {exc}") from None
        if kind != "space":
            tokens.append(Token(kind, match.group(), value, position))
        position = match.end()
    tokens.append(Token("end", "", None, length))
    return tokens


__all__ = ["BUILTIN_NAMES", "KEYWORDS", "FeelError", "Token", "tokenize", "unescape"]
