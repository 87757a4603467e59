"""FEEL as DMN 1.5 chapter 10 defines it: grammar, types, built-ins, null and errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from processes.engine.expressions import ExpressionBudgetError, ExpressionSyntaxError
from processes.engine.feel import DayTime, YearMonth, evaluate, parse_expression, parse_unary_tests
from processes.engine.feel.interpreter import Interpreter, Scope


def feel(text, **variables):
    return evaluate(parse_expression(text, frozenset(variables)), variables)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", Decimal(7)),
        ("1 / 3", Decimal("0.3333333333333333333333333333333333")),  # 34 digits
        ("0.1 + 0.2 = 0.3", True),
        (".5 * 2", Decimal(1)),
        ("3 ** 2 ** 2", Decimal(81)),  # left-associative
        ("-3 ** 2", Decimal(9)),
        ('"a" + "b"', "ab"),
        ("null + 1", None),
        ("1 / 0", None),
        ("true and null", None),
        ("false and null", False),
        ("true or null", True),
        ('1 = "1"', None),
        ("[1, 2, 3][item > 1]", [Decimal(2), Decimal(3)]),
        ("[1, 2, 3][-1]", Decimal(3)),
        ("[{a: 1}, {a: 2}].a", [Decimal(1), Decimal(2)]),
        ("{a: 1, b: a + 1}.b", Decimal(2)),
        ('{"with space": 1}.with space', Decimal(1)),
        ("for x in 1..3 return x * x", [Decimal(1), Decimal(4), Decimal(9)]),
        ("for x in [1, 2], y in [10] return x + y", [Decimal(11), Decimal(12)]),
        (
            "for i in 1..4 return if i = 1 then 1 else partial[-1] * i",
            [Decimal(n) for n in (1, 2, 6, 24)],
        ),
        ("some x in [1, 5] satisfies x > 4", True),
        ("every x in [1, 5] satisfies x > 4", False),
        ("5 between 1 and 10", True),
        ("5 in [1..5)", False),
        ("5 in (<3, >4)", True),
        ("1 in [[2..4], [1..3]]", True),
        ("if null then 1 else 2", Decimal(2)),
        ("(function(a, b) a - b)(b: 1, a: 5)", Decimal(4)),
        ("3 instance of number", True),
        ("[1, 2] instance of list<number>", True),
        ("{a: 1} instance of context<a: string>", False),
        ('@"2024-01-31" + @"P1M"', dt.date(2024, 2, 29)),
        (
            'date and time("2024-03-01T10:00:00Z") - date and time("2024-03-01T11:00:00+02:00")',
            DayTime(Decimal(3600)),
        ),
        ('duration("P1Y2M")', YearMonth(14)),
        ('duration("P1DT2H").hours', Decimal(2)),
        ('date("2024-05-17").weekday', Decimal(5)),
        ('time("10:30:00@Europe/Paris").timezone', "Europe/Paris"),
        ("// a comment\n 1 /* another */ + 1", Decimal(2)),
        ('"\\u0041\\n"', "A\n"),
    ],
)
def test_feel_expressions_have_the_specified_values(text, expected):
    assert feel(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('string length("héllo")', Decimal(5)),
        ('substring("foobar", -3, 2)', "ba"),
        ('upper case("a") + lower case("B")', "Ab"),
        ('substring before("a-b", "-") + substring after("a-b", "-")', "ab"),
        ('replace("abc", "b", "[$0]")', "a[b]c"),
        ('matches("Hello", "^h", "i")', True),
        ('split("a1b2c", "\\d")', ["a", "b", "c"]),
        ('string join(["a", null, "b"], ", ")', "a, b"),
        ("sum([1, 2, 3]) + count([1]) + product(2, 3)", Decimal(13)),
        ("mean(1, 2, 3, 4)", Decimal("2.5")),
        ("median([3, 1, 2])", Decimal(2)),
        ("mode([1, 2, 2, 3])", [Decimal(2)]),
        ("stddev([2, 4, 7, 5])", Decimal("2.081665999466132735282297706979931")),
        ("min([3, 1]) + max(3, 1)", Decimal(4)),
        ("all([true, null])", None),
        ("any([false, true])", True),
        ("sublist([1, 2, 3], 2)", [Decimal(2), Decimal(3)]),
        ("append([1], 2) = concatenate([1], [2])", True),
        ("insert before([1, 3], 2, 2)", [Decimal(1), Decimal(2), Decimal(3)]),
        ("remove([1, 2], 1)", [Decimal(2)]),
        ("reverse([1, 2])", [Decimal(2), Decimal(1)]),
        ("index of([1, 2, 1], 1)", [Decimal(1), Decimal(3)]),
        ("union([1, 2], [2, 3])", [Decimal(1), Decimal(2), Decimal(3)]),
        ("distinct values([1, 1, 2])", [Decimal(1), Decimal(2)]),
        ("flatten([1, [2, [3]]])", [Decimal(1), Decimal(2), Decimal(3)]),
        ("sort([3, 1, 2], function(x, y) x > y)", [Decimal(3), Decimal(2), Decimal(1)]),
        ("list replace([1, 2], 2, 9)", [Decimal(1), Decimal(9)]),
        ("decimal(2.5, 0) + floor(1.7) + ceiling(1.2)", Decimal(5)),
        (
            "round half up(2.5, 0) + round half down(2.5, 0)"
            " + round up(1.1, 0) + round down(1.9, 0)",
            Decimal(8),
        ),
        ("modulo(-12, 5) + abs(-1)", Decimal(4)),
        ("sqrt(16) + exp(0) + log(1)", Decimal(5)),
        ("odd(3) and even(4)", True),
        ('number("1.000,5", ".", ",")', Decimal("1000.5")),
        ("string(1.50)", "1.5"),
        ('day of week(date("2024-05-17")) + month of year(date("2024-05-17"))', "FridayMay"),
        ('week of year(date("2024-01-01")) + day of year(date("2024-02-01"))', Decimal(33)),
        ('years and months duration(date("2020-01-15"), date("2021-03-14"))', YearMonth(13)),
        (
            "before(1, 5) and after(5, 1) and meets([1..5], [5..8]) and overlaps([1..5], [3..8])",
            True,
        ),
        (
            "includes([1..10], 5) and during(5, [1..10])"
            " and starts(1, [1..5]) and finishes(5, [1..5])",
            True,
        ),
        ('range("[1..5)") = [1..5)', True),
        ('get value({a: 1}, "a") + count(get entries({a: 1, b: 2}))', Decimal(3)),
        ('context put({a: 1}, "b", 2)', {"a": Decimal(1), "b": Decimal(2)}),
        ("context merge([{a: 1}, {a: 2, b: 3}])", {"a": Decimal(2), "b": Decimal(3)}),
        ('context([{key: "a", value: 1}])', {"a": Decimal(1)}),
        ('is(1, 1) and not(is(1, "1"))', True),
        ("count(list: [1, 2])", Decimal(2)),
    ],
)
def test_every_built_in_family_works(text, expected):
    assert feel(text) == expected


def test_names_with_spaces_and_symbols_are_read_when_the_model_names_them():
    assert feel("Monthly Income * 12", **{"Monthly Income": Decimal(10)}) == Decimal(120)
    assert feel("Loan-to-Value + 1", **{"Loan-to-Value": Decimal(1)}) == Decimal(2)


def test_unary_tests_match_as_decision_table_entries_do():
    interpreter = Interpreter()

    def matches(tests, value):
        return interpreter.unary_tests(parse_unary_tests(tests), value, Scope({}))

    assert matches("-", 1) is True
    assert matches("< 10, > 20", 25) is True
    assert matches("[1..5]", 6) is False
    assert matches('not("a", "b")', "c") is True
    assert matches("? > 3 and ? < 5", 4) is True
    assert matches("null", None) is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('range("[1..3]") = [1..3]', True),
        ('range("(-2..2]") = (-2..2]', True),
        (
            'range("[date(\\"2024-01-01\\")..@\\"2024-02-01\\"]") = [@"2024-01-01"..@"2024-02-01"]',
            True,
        ),  # fmt: skip
        # Ends cannot be left out, computed, of two types, or in the wrong order.
        ('range("[..2]")', None),
        ('range("[1..]")', None),
        ('range("[date(string(\\"2024-01-01\\"))..@\\"2024-02-01\\"]")', None),
        ('range("[3..1]")', None),
        ('range("[\\"z\\"..\\"a\\"]")', None),
        ('range("[@\\"2024-01-01\\"..@\\"2024-02-01T00:00:00\\"]")', None),
        # list replace() by a match function named 'match', which takes (item, newItem)
        # and answers true or false.
        (
            "list replace(match: function(item, newItem) item = 2, newItem: 4, list: [1, 2, 3])",
            [Decimal(1), Decimal(4), Decimal(3)],
        ),  # fmt: skip
        ("list replace([2, 4], function(item) item = 2, 5)", None),
        ("list replace([2, 4], function(item, newItem) item, 5)", None),
        # context put() with a path of keys; a value must be given (null is a value).
        (
            'context put(context: {x: 1, y: {a: 0}}, keys: ["y", "a"], value: 2)',
            {"x": Decimal(1), "y": {"a": Decimal(2)}},
        ),  # fmt: skip
        ('context put({}, "a")', None),
        ('context put({}, "a", null)', {"a": None}),
        # is() with one argument left out compares with nothing: false.
        ('is(value1: @"2021-02-13")', False),
    ],
)
def test_range_list_replace_context_put_and_is_follow_dmn_1_5(text, expected):
    assert feel(text) == expected


def test_bad_syntax_is_refused_when_parsing():
    for text in ("1 +", "if x then 1", "[1, 2", "{a 1}"):
        with pytest.raises(ExpressionSyntaxError):
            parse_expression(text)


def test_strict_mode_raises_where_dmn_mode_gives_null():
    tree = parse_expression('"a" * 2')
    assert evaluate(tree) is None
    with pytest.raises(Exception, match="expected a number but got string 'a'"):
        evaluate(tree, strict=True)


def test_hostile_expressions_stop_on_the_work_budget():
    with pytest.raises(ExpressionBudgetError):
        evaluate(parse_expression("for x in 1..1000, y in 1..1000 return x"))
    with pytest.raises(ExpressionBudgetError):
        evaluate(parse_expression("10 ** (10 ** 9)"))
