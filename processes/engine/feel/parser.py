"""FEEL's grammar (DMN 1.5 chapter 10.3.1): expressions and unary tests, as tuples.

A node is a tuple whose first item names it ('lit', 'name', 'path', 'filter', 'call',
'neg', 'arith', 'and', 'or', 'cmp', 'between', 'in', 'inst', 'if', 'for', 'some',
'every', 'func', 'list', 'ctx', 'range', 'q', 'tests'); `interpreter` evaluates them.
"""

from __future__ import annotations

from typing import Any

from ..expressions.common import ExpressionSyntaxError
from ..limits import LIMITS
from .lexer import KEYWORDS, Token, tokenize

_COMPARISONS = {"=": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_MISTAKES = {
    "==": "FEEL compares with '=', not '=='",
    "&&": "FEEL uses 'and', not '&&'",
    "||": "FEEL uses 'or', not '||'",
}


class Parser:
    """Recursive descent over the tokens of one FEEL text."""

    def __init__(self, text: str, known_names: frozenset[str] = frozenset()) -> None:
        self.text = text
        self.tokens: list[Token] = tokenize(text, known_names)
        self.index = 0
        self.depth = 0
        # While reading a range's upper end, '[' closes the range (']1..10[') instead
        # of starting a filter.
        self.in_range_end = False

    # ----- helpers -----
    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def at(self, text: str) -> bool:
        token = self.token
        return token.kind in ("symbol", "name") and token.text == text

    def accept(self, text: str) -> bool:
        if self.at(text):
            self.advance()
            return True
        return False

    def expect(self, text: str) -> None:
        if not self.accept(text):
            self.fail(f"expected {text!r}")

    def fail(self, message: str) -> None:
        token = self.token
        if token.kind == "end":
            raise ExpressionSyntaxError(
                f"unexpected end of expression ({message}) in {self._quoted()}"
            )
        if token.text in _MISTAKES:
            raise ExpressionSyntaxError(_MISTAKES[token.text])
        raise ExpressionSyntaxError(
            f"{message} at position {token.position + 1}, found {token.text!r}, in {self._quoted()}"
        )

    def _quoted(self) -> str:
        text = self.text
        return repr(text) if len(text) <= 200 else f"{text[:60]!r}... ({len(text)} characters)"

    def nest(self) -> None:
        self.depth += 1
        if self.depth > LIMITS.max_nesting_depth:
            raise ExpressionSyntaxError(
                f"the expression is nested too deeply (limit {LIMITS.max_nesting_depth})"
            )

    def finish(self) -> None:
        if self.token.kind != "end":
            self.fail("unexpected text")

    # ----- entry points -----
    def parse_expression(self) -> Any:
        node = self.expression()
        self.finish()
        return node

    def parse_unary_tests(self) -> Any:
        if self.token.kind == "end":
            return ("tests", (("dash",),), False)
        if self.at("-") and self.peek().kind == "end":
            return ("tests", (("dash",),), False)
        if self.at("not") and self.peek().text == "(":
            start = self.index
            self.advance()
            self.advance()
            tests = self.positive_tests()
            if self.accept(")") and self.token.kind == "end":
                return ("tests", tests, True)
            self.index = start
        tests = self.positive_tests()
        self.finish()
        return ("tests", tests, False)

    def positive_tests(self) -> tuple[Any, ...]:
        tests = [self.positive_test()]
        while self.accept(","):
            tests.append(self.positive_test())
        return tuple(tests)

    def positive_test(self) -> Any:
        token = self.token
        if token.kind == "symbol" and token.text in _COMPARISONS:
            self.advance()
            return ("cmpq", _COMPARISONS[token.text], self.additive())
        node = self.expression()
        return ("expr", node, _uses_question(node))

    # ----- expressions -----
    def expression(self) -> Any:
        self.nest()
        try:
            return self.disjunction()
        finally:
            self.depth -= 1

    def disjunction(self) -> Any:
        node = self.conjunction()
        while self.accept("or"):
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self) -> Any:
        node = self.comparison()
        while self.accept("and"):
            node = ("and", node, self.comparison())
        return node

    def comparison(self) -> Any:
        node = self.instance_of()
        while True:
            token = self.token
            if token.kind == "symbol" and token.text in _COMPARISONS:
                self.advance()
                node = ("cmp", _COMPARISONS[token.text], node, self.instance_of())
            elif token.kind == "symbol" and token.text in _MISTAKES:
                self.fail("unexpected operator")
            elif self.accept("between"):
                low = self.instance_of()
                self.expect("and")
                node = ("between", node, low, self.instance_of())
            elif self.accept("in"):
                if self.at("(") and not self._looks_like_range():
                    self.advance()
                    tests = self.positive_tests()
                    self.expect(")")
                else:
                    tests = (self.positive_in_test(),)
                node = ("in", node, tests)
            else:
                return node

    def _looks_like_range(self) -> bool:
        depth = 0
        for token in self.tokens[self.index :]:
            if token.text in ("(", "[", "{"):
                depth += 1
            elif token.text in (")", "]", "}"):
                depth -= 1
                if depth == 0:
                    return False
            elif token.text == ".." and depth == 1:
                return True
            elif token.text == "," and depth == 1:
                return False
        return False

    def positive_in_test(self) -> Any:
        token = self.token
        if token.kind == "symbol" and token.text in _COMPARISONS:
            self.advance()
            return ("cmpq", _COMPARISONS[token.text], self.additive())
        return ("expr", self.instance_of(), False)

    def instance_of(self) -> Any:
        node = self.additive()
        while self.at("instance") and self.peek().text == "of":
            self.advance()
            self.advance()
            node = ("inst", node, self.type_spec())
        return node

    def type_spec(self) -> Any:
        token = self.token
        if token.kind != "name":
            self.fail("expected a type")
        name = self.name_words(allow_keywords=True)
        if name in ("list", "range") and self.accept("<"):
            inner = self.type_spec()
            self.expect(">")
            return ("t" + name, inner)
        if name == "context" and self.accept("<"):
            fields = []
            while True:
                key = self.name_words()
                self.expect(":")
                fields.append((key, self.type_spec()))
                if not self.accept(","):
                    break
            self.expect(">")
            return ("tcontext", tuple(fields))
        if name == "function" and self.accept("<"):
            parameters = []
            if not self.at(">"):
                parameters.append(self.type_spec())
                while self.accept(","):
                    parameters.append(self.type_spec())
            self.expect(">")
            self.expect("->")
            return ("tfunction", tuple(parameters), self.type_spec())
        return ("t", name)

    def additive(self) -> Any:
        node = self.multiplicative()
        while self.token.kind == "symbol" and self.token.text in ("+", "-"):
            operation = "add" if self.advance().text == "+" else "sub"
            node = ("arith", operation, node, self.multiplicative())
        return node

    def multiplicative(self) -> Any:
        node = self.power()
        while self.token.kind == "symbol" and self.token.text in ("*", "/"):
            operation = "mul" if self.advance().text == "*" else "div"
            node = ("arith", operation, node, self.power())
        return node

    def power(self) -> Any:
        node = self.unary()
        while self.accept("**"):
            node = ("arith", "pow", node, self.unary())
        return node

    def unary(self) -> Any:
        if self.token.kind == "symbol" and self.token.text == "-":
            self.advance()
            self.nest()
            try:
                return ("neg", self.unary())
            finally:
                self.depth -= 1
        return self.postfix()

    def postfix(self) -> Any:
        node = self.primary()
        while True:
            if self.accept("."):
                if self.token.kind != "name":
                    self.fail("expected a name after '.'")
                node = ("path", node, self.name_words(allow_keywords=True))
            elif self.at("[") and not self.in_range_end:
                self.advance()
                condition = self.nested(self.expression)
                self.expect("]")
                node = ("filter", node, condition)
            elif self.at("("):
                self.advance()
                node = ("call", node, self.nested(self.arguments))
            else:
                return node

    def arguments(self) -> tuple[tuple[str | None, Any], ...]:
        arguments: list[tuple[str | None, Any]] = []
        if self.accept(")"):
            return ()
        while True:
            name = None
            if self.token.kind == "name":
                end = self.index
                while self.tokens[end].kind == "name":
                    end += 1
                if self.tokens[end].text == ":":
                    name = self.name_words(allow_keywords=True)
                    self.expect(":")
            arguments.append((name, self.expression()))
            if self.accept(")"):
                return tuple(arguments)
            self.expect(",")

    def name_words(self, allow_keywords: bool = False) -> str:
        """One name: the current word and the non-keyword words right after it."""
        del allow_keywords  # the first word may be a keyword (a context key, a type)
        words = [self.advance().text]
        while self.token.kind == "name" and self.token.text not in KEYWORDS:
            if self.token.text == "?":
                break
            words.append(self.advance().text)
        return " ".join(words)

    def primary(self) -> Any:
        token = self.token
        kind = token.kind
        if kind == "number":
            self.advance()
            return ("lit", token.value)
        if kind == "string":
            self.advance()
            return ("lit", token.value)
        if kind == "at":
            self.advance()
            return ("at", token.value)
        if kind == "name":
            return self.name_primary()
        if kind == "symbol":
            text = token.text
            if text == "(":
                self.advance()
                node = self.nested(self.expression)
                if self.accept(".."):
                    return self.range_end(False, node, self.high_end())
                self.expect(")")
                return node
            if text == "[":
                self.advance()
                if self.accept("]"):
                    return ("list", ())
                first = self.nested(self.expression)
                if self.accept(".."):
                    return self.range_end(True, first, self.high_end())
                items = [first]
                while self.accept(","):
                    items.append(self.nested(self.expression))
                self.expect("]")
                return ("list", tuple(items))
            if text == "]":
                self.advance()
                low = self.nested(self.expression)
                self.expect("..")
                return self.range_end(False, low, self.high_end())
            if text == "{":
                return self.nested(self.context)
            if text in _COMPARISONS:
                # A unary test used as a value: '< 10' is the range (..10).
                self.advance()
                return ("urange", _COMPARISONS[text], self.additive())
        self.fail("expected an expression")
        return None

    def nested(self, parse: Any) -> Any:
        saved, self.in_range_end = self.in_range_end, False
        try:
            return parse()
        finally:
            self.in_range_end = saved

    def high_end(self) -> Any:
        saved, self.in_range_end = self.in_range_end, True
        try:
            return self.expression()
        finally:
            self.in_range_end = saved

    def range_end(self, low_closed: bool, low: Any, high: Any) -> Any:
        if self.accept("]"):
            return ("range", low_closed, low, high, True)
        if self.accept(")") or self.accept("["):
            return ("range", low_closed, low, high, False)
        self.fail("expected ']' or ')' to end the range")
        return None

    def context(self) -> Any:
        self.expect("{")
        entries: list[tuple[str, Any]] = []
        if self.accept("}"):
            return ("ctx", ())
        while True:
            token = self.token
            if token.kind == "string":
                self.advance()
                key = str(token.value)
            elif token.kind == "name":
                end = self.index
                while self.tokens[end].kind in ("name", "number") or (
                    self.tokens[end].kind == "symbol"
                    and self.tokens[end].text not in (":", ",", "{", "}", "(", "[")
                ):
                    end += 1
                if self.tokens[end].text == ":" and end > self.index + 1:
                    key = " ".join(self.text[token.position : self.tokens[end].position].split())
                    self.index = end
                else:
                    key = self.name_words(allow_keywords=True)
            else:
                self.fail("expected a context key")
            self.expect(":")
            entries.append((key, self.expression()))
            if self.accept("}"):
                return ("ctx", tuple(entries))
            self.expect(",")

    def name_primary(self) -> Any:
        token = self.token
        text = token.text
        if text == "true" or text == "false":
            self.advance()
            return ("lit", text == "true")
        if text == "null":
            self.advance()
            return ("lit", None)
        if text == "?":
            self.advance()
            return ("q",)
        if text == "if":
            self.advance()
            condition = self.expression()
            self.expect("then")
            then = self.expression()
            self.expect("else")
            return ("if", condition, then, self.expression())
        if text in ("some", "every") and self.peek().kind == "name":
            self.advance()
            iterators = self.iterators()
            self.expect("satisfies")
            return (text, iterators, self.expression())
        if text == "for" and self.peek().kind == "name":
            self.advance()
            iterators = self.iterators()
            self.expect("return")
            return ("for", iterators, self.expression())
        if text == "function" and self.peek().text == "(":
            self.advance()
            self.advance()
            parameters: list[tuple[str, Any]] = []
            if not self.accept(")"):
                while True:
                    if self.token.kind != "name":
                        self.fail("expected a parameter name")
                    name = self.name_words()
                    kind = self.type_spec() if self.accept(":") else None
                    parameters.append((name, kind))
                    if self.accept(")"):
                        break
                    self.expect(",")
            if self.accept("external"):
                self.context()
                return ("external", tuple(parameters))
            return ("func", tuple(parameters), self.expression())
        if text in KEYWORDS:
            self.fail("expected an expression")
        return ("name", self.name_words())

    def iterators(self) -> tuple[tuple[str, Any, Any], ...]:
        iterators = []
        while True:
            if self.token.kind != "name":
                self.fail("expected a name")
            name = self.name_words()
            self.expect("in")
            source = self.expression()
            high = None
            if self.accept(".."):
                high = self.expression()
            iterators.append((name, source, high))
            if not self.accept(","):
                return tuple(iterators)


def _uses_question(node: Any) -> bool:
    if isinstance(node, tuple):
        if node and node[0] == "q":
            return True
        if node and node[0] == "func":
            return False
        return any(_uses_question(part) for part in node)
    return False


def parse_expression(text: str, known_names: frozenset[str] = frozenset()) -> Any:
    """The syntax tree of a FEEL expression; bad syntax raises ExpressionSyntaxError."""
    return Parser(text, known_names).parse_expression()


def parse_unary_tests(text: str, known_names: frozenset[str] = frozenset()) -> Any:
    """The syntax tree of FEEL unary tests (a decision table's input entry)."""
    return Parser(text, known_names).parse_unary_tests()
