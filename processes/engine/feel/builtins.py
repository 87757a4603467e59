"""FEEL's built-in functions (DMN 1.5 chapter 10.3.4), every family.

Each takes the interpreter first (for equality, ordering and calling functions
given as arguments) and FEEL values after. A wrong argument raises FeelError,
which the interpreter turns into null (DMN) or an error (strict mode).
"""

from __future__ import annotations

import datetime as dt
import decimal
import inspect
import re
from collections.abc import Callable
from typing import Any

from ..expressions.budget import require_length
from . import temporal
from .parser import parse_expression
from .types import (
    NUMBER_CONTEXT,
    DayTime,
    Decimal,
    FeelError,
    FeelTime,
    Function,
    Range,
    YearMonth,
    to_text,
    type_name,
)

ZERO = Decimal(0)
_OMITTED = object()  # an argument not given, unlike one given as null
BUILTINS: dict[str, Function] = {}
_C = NUMBER_CONTEXT
# Regular expressions run in Python's engine, which no budget can interrupt: bound
# the texts so that even a backtracking pattern ends quickly.
_MAX_REGEX_PATTERN = 500
_MAX_REGEX_INPUT = 10_000


def builtin(name: str, *, parameters: tuple[str, ...] | None = None, variadic: bool = False):
    def register(native: Callable[..., Any]) -> Callable[..., Any]:
        names = parameters
        if names is None:
            signature = inspect.signature(native)
            names = tuple(
                p.name.rstrip("_").replace("_", " ")
                for p in list(signature.parameters.values())[1:]
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            )
        if variadic and not names:
            names = ("list",)
        BUILTINS[name] = Function(name, names, native=native, variadic=variadic)
        return native

    return register


def _number(value: Any, what: str = "argument") -> Decimal:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, Decimal) and not isinstance(value, bool):
        return value
    raise FeelError(f"{what} must be a number, not {type_name(value)}")


def _integer(value: Any, what: str = "argument") -> int:
    number = _number(value, what)
    if number != number.to_integral_value():
        number = number.to_integral_value(decimal.ROUND_DOWN)
    return int(number)


def _string(value: Any, what: str = "argument") -> str:
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, str):
        return value
    raise FeelError(f"{what} must be a string, not {type_name(value)}")


def _list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if value is None:
        raise FeelError("expected a list, not null")
    return [value]


def _items(arguments: tuple[Any, ...]) -> list[Any]:
    if len(arguments) == 1 and isinstance(arguments[0], list):
        return arguments[0]
    if not arguments:
        raise FeelError("expected at least one argument")
    return list(arguments)


def _nonnull(*values: Any) -> None:
    if any(value is None for value in values):
        raise FeelError("argument is null")


# ----- conversion -----
@builtin("date", parameters=("from", "year", "month", "day"))
def f_date(
    interp, *args: Any, from_: Any = None, year: Any = None, month: Any = None, day: Any = None
) -> Any:
    if len(args) == 1:
        from_ = args[0]
    elif len(args) == 3:
        year, month, day = args
    elif args:
        raise FeelError("date() takes 1 or 3 arguments")
    if from_ is not None:
        if isinstance(from_, str):
            return temporal.parse_date(from_)
        if isinstance(from_, dt.datetime):
            return from_.date()
        if isinstance(from_, dt.date):
            return from_
        raise FeelError("date() needs a string or a date and time")
    _nonnull(year, month, day)
    try:
        return dt.date(_integer(year), _integer(month), _integer(day))
    except ValueError as exc:
        raise FeelError(str(exc)) from None


@builtin("date and time", parameters=("from", "date", "time"))
def f_date_and_time(
    interp, *args: Any, from_: Any = None, date: Any = None, time: Any = None
) -> Any:
    if len(args) == 1:
        from_ = args[0]
    elif len(args) == 2:
        date, time = args
    elif args:
        raise FeelError("date and time() takes 1 or 2 arguments")
    if from_ is not None:
        if isinstance(from_, str):
            return temporal.parse_datetime(from_)
        if isinstance(from_, dt.datetime):
            return from_
        if isinstance(from_, dt.date):
            return dt.datetime(from_.year, from_.month, from_.day)
        raise FeelError("date and time() needs a string")
    _nonnull(date, time)
    if not isinstance(date, dt.date) or not isinstance(time, FeelTime):
        raise FeelError("date and time(date, time) needs a date and a time")
    day = date.date() if isinstance(date, dt.datetime) else date
    return dt.datetime.combine(day, time.value)


@builtin("time", parameters=("from", "hour", "minute", "second", "offset"))
def f_time(interp, *args: Any, from_: Any = None, hour: Any = None, minute: Any = None,
           second: Any = None, offset: Any = None) -> Any:  # fmt: skip
    if len(args) == 1:
        from_ = args[0]
    elif len(args) in (3, 4):
        hour, minute, second = args[:3]
        offset = args[3] if len(args) == 4 else None
    elif args:
        raise FeelError("time() takes 1, 3 or 4 arguments")
    if from_ is not None:
        if isinstance(from_, str):
            return temporal.parse_time(from_)
        if isinstance(from_, dt.datetime):
            return FeelTime(from_.timetz())
        if isinstance(from_, dt.date):
            return FeelTime(dt.time(0, 0, 0, tzinfo=dt.UTC))
        if isinstance(from_, FeelTime):
            return from_
        raise FeelError("time() needs a string, a date or a date and time")
    _nonnull(hour, minute, second)
    seconds = _number(second)
    whole = int(seconds.to_integral_value(decimal.ROUND_DOWN))
    micro = int((seconds - whole) * 1_000_000)
    tz = None
    if offset is not None:
        if not isinstance(offset, DayTime):
            raise FeelError("the offset must be a days and time duration")
        try:
            tz = dt.timezone(dt.timedelta(seconds=float(offset.seconds)))
        except ValueError as exc:
            raise FeelError(str(exc)) from None
    try:
        return FeelTime(dt.time(_integer(hour), _integer(minute), whole, micro, tzinfo=tz))
    except ValueError as exc:
        raise FeelError(str(exc)) from None


@builtin("number")
def f_number(
    interp, from_: Any, grouping_separator: Any = None, decimal_separator: Any = None
) -> Any:
    text = _string(from_)
    if grouping_separator not in (None, " ", ",", "."):
        raise FeelError("the grouping separator must be space, comma or period")
    if decimal_separator not in (None, ",", "."):
        raise FeelError("the decimal separator must be comma or period")
    if grouping_separator is not None and grouping_separator == decimal_separator:
        raise FeelError("the separators must differ")
    if grouping_separator:
        text = text.replace(grouping_separator, "")
    if decimal_separator:
        text = text.replace(decimal_separator, ".")
    if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", text):
        raise FeelError(f"{from_!r} is not a number")
    return _C.create_decimal(text)


@builtin("string")
def f_string(interp, from_: Any) -> Any:
    if from_ is None:
        return None
    text = to_text(from_)
    require_length(len(text), "the string")
    return text


@builtin("duration")
def f_duration(interp, from_: Any) -> Any:
    return temporal.parse_duration(_string(from_))


@builtin("years and months duration")
def f_years_months(interp, from_: Any, to: Any) -> Any:
    if not isinstance(from_, dt.date) or not isinstance(to, dt.date):
        raise FeelError("years and months duration() needs two dates")
    return YearMonth(temporal.months_between(to, from_))


# ----- boolean -----
@builtin("not")
def f_not(interp, negand: Any) -> Any:
    return (not negand) if isinstance(negand, bool) else None


@builtin("is defined")
def f_is_defined(interp, value: Any) -> Any:
    return value is not None


# ----- string -----
@builtin("substring")
def f_substring(interp, string: Any, start_position: Any, length: Any = None) -> Any:
    text = _string(string)
    start = _integer(start_position)
    points = list(text)
    if start == 0:
        raise FeelError("substring positions count from 1")
    begin = start - 1 if start > 0 else len(points) + start
    begin = max(begin, 0)
    if length is None:
        return "".join(points[begin:])
    count = _integer(length)
    if count < 0:
        raise FeelError("the length cannot be negative")
    return "".join(points[begin : begin + count])


@builtin("string length")
def f_string_length(interp, string: Any) -> Any:
    return Decimal(len(_string(string)))


@builtin("upper case")
def f_upper(interp, string: Any) -> Any:
    return _string(string).upper()


@builtin("lower case")
def f_lower(interp, string: Any) -> Any:
    return _string(string).lower()


@builtin("substring before")
def f_before(interp, string: Any, match: Any) -> Any:
    text, part = _string(string), _string(match)
    index = text.find(part)
    return "" if index < 0 else text[:index]


@builtin("substring after")
def f_after(interp, string: Any, match: Any) -> Any:
    text, part = _string(string), _string(match)
    index = text.find(part)
    return "" if index < 0 else text[index + len(part) :]


def _regex(pattern: Any, flags: Any) -> re.Pattern[str]:
    text = _string(pattern, "the pattern")
    if len(text) > _MAX_REGEX_PATTERN:
        raise FeelError(f"the pattern is too long (limit {_MAX_REGEX_PATTERN} characters)")
    options = 0
    for flag in flags or "":
        if flag == "i":
            options |= re.IGNORECASE
        elif flag == "s":
            options |= re.DOTALL
        elif flag == "m":
            options |= re.MULTILINE
        elif flag == "x":
            options |= re.VERBOSE
        elif flag == "q":
            text = re.escape(text)
        else:
            raise FeelError(f"unknown regular expression flag {flag!r}")
    # XPath character class subtraction and \p{..} are not Python: translate the common ones.
    text = (
        text.replace(r"\p{L}", "[^\\W\\d_]").replace(r"\p{Lu}", "[A-Z]").replace(r"\p{Ll}", "[a-z]")
    )
    text = text.replace(r"\p{N}", r"\d").replace(r"\p{IsBasicLatin}", r"[\x00-\x7f]")
    try:
        return re.compile(text, options)
    except re.error as exc:
        raise FeelError(f"bad regular expression: {exc}") from None


def _regex_input(value: Any) -> str:
    text = _string(value)
    if len(text) > _MAX_REGEX_INPUT:
        raise FeelError(f"the text is too long for a regular expression (limit {_MAX_REGEX_INPUT})")
    return text


@builtin("replace")
def f_replace(interp, input: Any, pattern: Any, replacement: Any, flags: Any = None) -> Any:
    text = _regex_input(input)
    compiled = _regex(pattern, flags)
    if compiled.match(""):
        raise FeelError("the pattern matches the empty string")
    template = _string(replacement)
    python_template = re.sub(
        r"\\(.)|\$(\d)", lambda m: m[1] if m[1] is not None else "\\g<" + m[2] + ">", template
    )
    python_template = (
        python_template.replace("\\", "\\\\").replace("\\\\g<", "\\g<")
        if "\\" in template
        else python_template
    )
    try:
        result = compiled.sub(
            python_template if "q" not in (flags or "") else template.replace("\\", "\\\\"), text
        )
    except (re.error, IndexError) as exc:
        raise FeelError(f"bad replacement: {exc}") from None
    require_length(len(result), "the string")
    return result


@builtin("contains")
def f_contains(interp, string: Any, match: Any) -> Any:
    return _string(match) in _string(string)


@builtin("starts with")
def f_starts_with(interp, string: Any, match: Any) -> Any:
    return _string(string).startswith(_string(match))


@builtin("ends with")
def f_ends_with(interp, string: Any, match: Any) -> Any:
    return _string(string).endswith(_string(match))


@builtin("matches")
def f_matches(interp, input: Any, pattern: Any, flags: Any = None) -> Any:
    return _regex(pattern, flags).search(_regex_input(input)) is not None


@builtin("split")
def f_split(interp, string: Any, delimiter: Any) -> Any:
    compiled = _regex(delimiter, None)
    return compiled.split(_regex_input(string))


@builtin("string join")
def f_string_join(interp, list_: Any, delimiter: Any = None) -> Any:
    items = _list(list_)
    separator = "" if delimiter is None else _string(delimiter)
    texts = [item for item in items if item is not None]
    if any(not isinstance(item, str) for item in texts):
        raise FeelError("string join() joins strings only")
    require_length(sum(len(t) for t in texts) + len(separator) * len(texts), "the string")
    return separator.join(texts)


# ----- lists -----
@builtin("list contains")
def f_list_contains(interp, list_: Any, element: Any) -> Any:
    return any(interp.equal(item, element) is True for item in _list(list_))


@builtin("count", variadic=True)
def f_count(interp, *list_: Any) -> Any:
    if len(list_) == 1 and isinstance(list_[0], list):
        return Decimal(len(list_[0]))
    if len(list_) == 1 and list_[0] is None:
        raise FeelError("count() of null")
    return Decimal(len(list_))


def _ordered(interp, items: list[Any], pick: str) -> Any:
    if not items:
        return None
    best = items[0]
    for item in items[1:]:
        verdict = interp.compare("lt" if pick == "min" else "gt", item, best)
        if verdict is None:
            raise FeelError(f"{pick}() needs values that can be compared")
        if verdict:
            best = item
    if best is None:
        raise FeelError(f"{pick}() of null")
    return best


@builtin("min", variadic=True)
def f_min(interp, *list_: Any) -> Any:
    return _ordered(interp, _items(list_), "min")


@builtin("max", variadic=True)
def f_max(interp, *list_: Any) -> Any:
    return _ordered(interp, _items(list_), "max")


def _numbers(arguments: tuple[Any, ...]) -> list[Decimal]:
    items = _items(arguments)
    return [_number(item, "each item") for item in items]


@builtin("sum", variadic=True)
def f_sum(interp, *list_: Any) -> Any:
    numbers = _numbers(list_)
    if not numbers:
        return None
    total = Decimal(0)
    for value in numbers:
        total = _C.add(total, value)
    return total


@builtin("mean", variadic=True)
def f_mean(interp, *list_: Any) -> Any:
    numbers = _numbers(list_)
    if not numbers:
        return None
    return _C.divide(f_sum(interp, numbers), Decimal(len(numbers)))


@builtin("product", variadic=True)
def f_product(interp, *list_: Any) -> Any:
    numbers = _numbers(list_)
    if not numbers:
        return None
    total = Decimal(1)
    for value in numbers:
        total = _C.multiply(total, value)
    return total


@builtin("median", variadic=True)
def f_median(interp, *list_: Any) -> Any:
    numbers = sorted(_numbers(list_))
    if not numbers:
        return None
    middle = len(numbers) // 2
    if len(numbers) % 2:
        return numbers[middle]
    return _C.divide(_C.add(numbers[middle - 1], numbers[middle]), Decimal(2))


@builtin("stddev", variadic=True)
def f_stddev(interp, *list_: Any) -> Any:
    numbers = _numbers(list_)
    if len(numbers) < 2:
        return None
    mean = _C.divide(sum(numbers, Decimal(0)), Decimal(len(numbers)))
    squares = sum((_C.power(_C.subtract(n, mean), 2) for n in numbers), Decimal(0))
    return _C.sqrt(_C.divide(squares, Decimal(len(numbers) - 1)))


@builtin("mode", variadic=True)
def f_mode(interp, *list_: Any) -> Any:
    numbers = _numbers(list_)
    counts: dict[Decimal, int] = {}
    for value in numbers:
        counts[value] = counts.get(value, 0) + 1
    if not counts:
        return []
    best = max(counts.values())
    return sorted(value for value, count in counts.items() if count == best)


@builtin("all", variadic=True)
def f_all(interp, *list_: Any) -> Any:
    items = _items(list_) if list_ != ([],) else []
    if any(item is not None and not isinstance(item, bool) for item in items):
        raise FeelError("all() needs booleans")
    if any(item is False for item in items):
        return False
    return None if any(item is None for item in items) else True


@builtin("any", variadic=True)
def f_any(interp, *list_: Any) -> Any:
    items = _items(list_) if list_ != ([],) else []
    if any(item is not None and not isinstance(item, bool) for item in items):
        raise FeelError("any() needs booleans")
    if any(item is True for item in items):
        return True
    return None if any(item is None for item in items) else False


@builtin("sublist")
def f_sublist(interp, list_: Any, start_position: Any, length: Any = None) -> Any:
    items = _list(list_)
    start = _integer(start_position)
    if start == 0 or abs(start) > len(items):
        raise FeelError("sublist() start position is out of the list")
    begin = start - 1 if start > 0 else len(items) + start
    if length is None:
        return items[begin:]
    count = _integer(length)
    if count < 0 or begin + count > len(items):
        raise FeelError("sublist() length is out of the list")
    return items[begin : begin + count]


@builtin("append", variadic=True)
def f_append(interp, list_: Any, *item: Any) -> Any:
    items = _list(list_)
    require_length(len(items) + len(item), "the list")
    return [*items, *item]


@builtin("concatenate", variadic=True)
def f_concatenate(interp, *list_: Any) -> Any:
    result: list[Any] = []
    for part in list_:
        result.extend(_list(part))
        require_length(len(result), "the list")
    return result


@builtin("insert before")
def f_insert_before(interp, list_: Any, position: Any, newItem: Any) -> Any:  # noqa: N803 - the spec's name
    items = list(_list(list_))
    index = _integer(position)
    if index == 0 or abs(index) > len(items):
        raise FeelError("insert before() position is out of the list")
    items.insert(index - 1 if index > 0 else len(items) + index, newItem)
    return items


BUILTINS["insert before"].parameters = ("list", "position", "newItem")


@builtin("remove")
def f_remove(interp, list_: Any, position: Any) -> Any:
    items = list(_list(list_))
    index = _integer(position)
    if index == 0 or abs(index) > len(items):
        raise FeelError("remove() position is out of the list")
    del items[index - 1 if index > 0 else index]
    return items


@builtin("reverse")
def f_reverse(interp, list_: Any) -> Any:
    return list(reversed(_list(list_)))


@builtin("index of")
def f_index_of(interp, list_: Any, match: Any) -> Any:
    return [
        Decimal(i + 1) for i, item in enumerate(_list(list_)) if interp.equal(item, match) is True
    ]


def _distinct(interp, items: list[Any]) -> list[Any]:
    result: list[Any] = []
    for item in items:
        interp.meter.step()
        if not any(interp.equal(item, seen) is True for seen in result):
            result.append(item)
    return result


@builtin("union", variadic=True)
def f_union(interp, *list_: Any) -> Any:
    return _distinct(interp, [item for part in list_ for item in _list(part)])


@builtin("distinct values")
def f_distinct_values(interp, list_: Any) -> Any:
    return _distinct(interp, _list(list_))


@builtin("flatten")
def f_flatten(interp, list_: Any) -> Any:
    result: list[Any] = []

    def walk(items: list[Any]) -> None:
        for item in items:
            interp.meter.step()
            if isinstance(item, list):
                walk(item)
            else:
                result.append(item)

    walk(_list(list_))
    return result


@builtin("list replace")
def f_list_replace(
    interp,
    list_: Any,
    position: Any = None,
    newItem: Any = None,  # noqa: N803
    match: Any = None,
) -> Any:
    items = list(_list(list_))
    if match is not None:
        if position is not None:
            raise FeelError("list replace() takes a position or a match, not both")
        position = match
    if isinstance(position, Function):
        if position.native is None and len(position.parameters) != 2:
            raise FeelError("list replace()'s match must take two parameters (item, newItem)")
        replaced = []
        for item in items:
            verdict = interp.call(position, [item, newItem])
            if not isinstance(verdict, bool):
                raise FeelError("list replace()'s match must return true or false")
            replaced.append(newItem if verdict else item)
        return replaced
    index = _integer(position)
    if index == 0 or abs(index) > len(items):
        raise FeelError("list replace() position is out of the list")
    items[index - 1 if index > 0 else index] = newItem
    return items


BUILTINS["list replace"].parameters = ("list", "position", "newItem", "match")


@builtin("sort")
def f_sort(interp, list_: Any, precedes: Any = None) -> Any:
    items = list(_list(list_))
    if precedes is None:
        for item in items[1:]:
            if interp.compare("lt", item, items[0]) is None:
                raise FeelError("sort() needs values that can be compared")
        ordering = lambda a, b: interp.compare("lt", a, b) is True  # noqa: E731
    elif isinstance(precedes, Function):
        ordering = lambda a, b: interp.call(precedes, [a, b]) is True  # noqa: E731
    else:
        raise FeelError("sort() needs a function")

    # Merge sort: a comparison count bounded by n log n, each charged to the budget.
    def merge_sort(values: list[Any]) -> list[Any]:
        if len(values) <= 1:
            return values
        middle = len(values) // 2
        left, right = merge_sort(values[:middle]), merge_sort(values[middle:])
        merged = []
        while left and right:
            interp.meter.step()
            merged.append(right.pop(0) if ordering(right[0], left[0]) else left.pop(0))
        return merged + left + right

    return merge_sort(items)


# ----- numbers -----
def _round(value: Any, scale: Any, mode: str) -> Any:
    number = _number(value)
    places = _integer(scale)
    if abs(places) > 6176:
        raise FeelError("scale out of range")
    try:
        return number.quantize(Decimal(1).scaleb(-places), rounding=mode, context=_C)
    except decimal.InvalidOperation:
        raise FeelError("the number cannot be rounded to that scale") from None


@builtin("decimal")
def f_decimal(interp, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_EVEN)


@builtin("floor")
def f_floor(interp, n: Any, scale: Any = ZERO) -> Any:
    return _round(n, scale, decimal.ROUND_FLOOR)


@builtin("ceiling")
def f_ceiling(interp, n: Any, scale: Any = ZERO) -> Any:
    return _round(n, scale, decimal.ROUND_CEILING)


@builtin("round up")
def f_round_up(interp, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_UP)


@builtin("round down")
def f_round_down(interp, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_DOWN)


@builtin("round half up")
def f_round_half_up(interp, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_UP)


@builtin("round half down")
def f_round_half_down(interp, n: Any, scale: Any) -> Any:
    return _round(n, scale, decimal.ROUND_HALF_DOWN)


@builtin("abs")
def f_abs(interp, n: Any) -> Any:
    if isinstance(n, DayTime):
        return DayTime(abs(n.seconds))
    if isinstance(n, YearMonth):
        return YearMonth(abs(n.months))
    return abs(_number(n))


@builtin("modulo")
def f_modulo(interp, dividend: Any, divisor: Any) -> Any:
    a, b = _number(dividend), _number(divisor)
    if not b:
        raise FeelError("modulo by zero")
    return _C.subtract(
        a,
        _C.multiply(
            b,
            _C.divide_int(a, b)
            if (a < 0) == (b < 0)
            else (_C.divide(a, b)).to_integral_value(decimal.ROUND_FLOOR),
        ),
    )


@builtin("sqrt")
def f_sqrt(interp, number: Any) -> Any:
    value = _number(number)
    if value < 0:
        raise FeelError("sqrt() of a negative number")
    return _C.sqrt(value)


@builtin("log")
def f_log(interp, number: Any) -> Any:
    value = _number(number)
    if value <= 0:
        raise FeelError("log() of a number that is not positive")
    return _C.ln(value)


@builtin("exp")
def f_exp(interp, number: Any) -> Any:
    return _C.exp(_number(number))


@builtin("odd")
def f_odd(interp, number: Any) -> Any:
    value = _number(number)
    if value != value.to_integral_value():
        raise FeelError("odd() needs a whole number")
    return int(value) % 2 == 1


@builtin("even")
def f_even(interp, number: Any) -> Any:
    value = _number(number)
    if value != value.to_integral_value():
        raise FeelError("even() needs a whole number")
    return int(value) % 2 == 0


# ----- dates and times -----
@builtin("is")
def f_is(interp, value1: Any = None, value2: Any = None) -> Any:
    if type_name(value1) != type_name(value2):
        return False
    if isinstance(value1, FeelTime):
        return value1.value == value2.value and value1.value.tzinfo == value2.value.tzinfo
    if isinstance(value1, dt.datetime):
        return value1 == value2 and value1.tzinfo == value2.tzinfo
    return interp.equal(value1, value2) is True


def _day(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    raise FeelError("expected a date or date and time")


@builtin("day of year")
def f_day_of_year(interp, date: Any) -> Any:
    return Decimal(_day(date).timetuple().tm_yday)


@builtin("day of week")
def f_day_of_week(interp, date: Any) -> Any:
    return ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")[
        _day(date).weekday()
    ]


@builtin("month of year")
def f_month_of_year(interp, date: Any) -> Any:
    return ("January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December")[_day(date).month - 1]  # fmt: skip


@builtin("week of year")
def f_week_of_year(interp, date: Any) -> Any:
    return Decimal(_day(date).isocalendar()[1])


@builtin("now")
def f_now(interp) -> Any:
    return dt.datetime.now(dt.UTC)


@builtin("today")
def f_today(interp) -> Any:
    return dt.datetime.now(dt.UTC).date()


# ----- ranges (DMN 1.5 10.3.4.9) -----
def _as_range(value: Any) -> Range:
    if isinstance(value, Range):
        return value
    if value is None:
        raise FeelError("expected a point or a range, not null")
    return Range(value, value, True, True)


def _lt(interp, a: Any, b: Any) -> bool:
    verdict = interp.compare("lt", a, b)
    if verdict is None:
        raise FeelError("the values cannot be compared")
    return verdict


def _eq(interp, a: Any, b: Any) -> bool:
    return interp.equal(a, b) is True


def _le(interp, a: Any, b: Any) -> bool:
    return _lt(interp, a, b) or _eq(interp, a, b)


def _range_function(name: str, check: Callable[..., bool]) -> None:
    def native(interp, *args: Any, **named: Any) -> Any:
        values = list(args) or list(named.values())
        if len(values) != 2:
            raise FeelError(f"{name}() takes two arguments")
        a, b = values
        if a is None or b is None:
            raise FeelError(f"{name}() of null")
        return check(interp, a, b)

    parameters = ("range1", "range2")
    BUILTINS[name] = Function(
        name, (*parameters, "point", "point1", "point2", "range"), native=native
    )


def _before(interp, a: Any, b: Any) -> bool:
    x, y = _as_range(a), _as_range(b)
    return _lt(interp, x.high, y.low) or (
        _eq(interp, x.high, y.low) and not (x.high_closed and y.low_closed)
    )


def _meets(interp, a: Any, b: Any) -> bool:
    x, y = _as_range(a), _as_range(b)
    return x.high_closed and y.low_closed and _eq(interp, x.high, y.low)


def _overlaps(interp, a: Any, b: Any) -> bool:
    x, y = _as_range(a), _as_range(b)
    return not _before(interp, x, y) and not _before(interp, y, x)


def _overlaps_before(interp, a: Any, b: Any) -> bool:
    x, y = _as_range(a), _as_range(b)
    starts_first = _lt(interp, x.low, y.low) or (
        _eq(interp, x.low, y.low) and x.low_closed and not y.low_closed
    )
    ends_inside = (
        _lt(interp, y.low, x.high)
        or (_eq(interp, x.high, y.low) and x.high_closed and y.low_closed)
    ) and (
        _lt(interp, x.high, y.high)
        or (_eq(interp, x.high, y.high) and (not x.high_closed or y.high_closed))
    )
    return starts_first and ends_inside


def _finishes(interp, a: Any, b: Any) -> bool:
    if not isinstance(a, Range):
        y = _as_range(b)
        return y.high_closed and _eq(interp, a, y.high)
    x, y = a, _as_range(b)
    return (
        x.high_closed == y.high_closed
        and _eq(interp, x.high, y.high)
        and (
            _lt(interp, y.low, x.low)
            or (_eq(interp, x.low, y.low) and (not x.low_closed or y.low_closed))
        )
    )


def _starts(interp, a: Any, b: Any) -> bool:
    if not isinstance(a, Range):
        y = _as_range(b)
        return y.low_closed and _eq(interp, a, y.low)
    x, y = a, _as_range(b)
    return (
        x.low_closed == y.low_closed
        and _eq(interp, x.low, y.low)
        and (
            _lt(interp, x.high, y.high)
            or (_eq(interp, x.high, y.high) and (not x.high_closed or y.high_closed))
        )
    )


def _includes(interp, a: Any, b: Any) -> bool:
    x = _as_range(a)
    if not isinstance(b, Range):
        verdict = interp.in_range(b, x)
        if verdict is None:
            raise FeelError("the values cannot be compared")
        return verdict
    y = b
    low_ok = _lt(interp, x.low, y.low) or (
        _eq(interp, x.low, y.low) and (x.low_closed or not y.low_closed)
    )
    high_ok = _lt(interp, y.high, x.high) or (
        _eq(interp, x.high, y.high) and (x.high_closed or not y.high_closed)
    )
    return low_ok and high_ok


def _coincides(interp, a: Any, b: Any) -> bool:
    x, y = _as_range(a), _as_range(b)
    return (
        _eq(interp, x.low, y.low)
        and _eq(interp, x.high, y.high)
        and x.low_closed == y.low_closed
        and x.high_closed == y.high_closed
    )


_range_function("before", _before)
_range_function("after", lambda i, a, b: _before(i, b, a))
_range_function("meets", _meets)
_range_function("met by", lambda i, a, b: _meets(i, b, a))
_range_function("overlaps", _overlaps)
_range_function("overlaps before", _overlaps_before)
_range_function("overlaps after", lambda i, a, b: _overlaps_before(i, b, a))
_range_function("finishes", _finishes)
_range_function("finished by", lambda i, a, b: _finishes(i, b, a))
_range_function("includes", _includes)
_range_function("during", lambda i, a, b: _includes(i, b, a))
_range_function("starts", _starts)
_range_function("started by", lambda i, a, b: _starts(i, b, a))
_range_function("coincides", _coincides)


@builtin("range")
def f_range(interp, from_: Any) -> Any:
    text = _string(from_).strip()
    match = re.fullmatch(r"([\[\(\]])(.*)\.\.(.*)([\]\)\[])", text, re.DOTALL)
    if match is None:
        raise FeelError(f"{from_!r} is not a range")
    ends = []
    for part in (match[2].strip(), match[3].strip()):
        if not part:
            raise FeelError(f"{from_!r}: a range's end cannot be left out (write null)")
        node = parse_expression(part)
        if not _is_range_literal(node):
            raise FeelError(f"{from_!r}: a range's ends must be literals")
        ends.append(interp.eval(node, interp.empty_scope()))
    low, high = ends
    if low is None and high is None:
        raise FeelError("a range needs at least one end")
    if low is not None and high is not None:
        if type_name(low) != type_name(high):
            raise FeelError(f"the ends of the range are a {type_name(low)} and a {type_name(high)}")
        if interp.compare("le", low, high) is not True:
            raise FeelError("a range's start cannot come after its end")
    return Range(low, high, match[1] == "[", match[4] == "]")


# The temporal functions a range literal may call, with one string literal each.
_RANGE_LITERAL_CALLS = frozenset(("date", "time", "date and time", "duration"))


def _is_range_literal(node: Any) -> bool:
    """Whether `node` is a literal end of a range: a literal, ``-literal``, ``@"..."``
    or a temporal function applied to a string literal (DMN 1.5, 10.3.4.5)."""
    if node[0] in ("lit", "at"):
        return True
    if node[0] == "neg":
        return node[1][0] == "lit" and isinstance(node[1][1], Decimal)
    if node[0] == "call":
        callee, arguments = node[1], node[2]
        return (
            callee[0] == "name"
            and callee[1] in _RANGE_LITERAL_CALLS
            and len(arguments) == 1
            and arguments[0][1][0] == "lit"
            and isinstance(arguments[0][1][1], str)
        )
    return False


# ----- contexts -----
@builtin("get value")
def f_get_value(interp, m: Any, key: Any) -> Any:
    if not isinstance(m, dict):
        raise FeelError("get value() needs a context")
    if isinstance(key, list):
        value: Any = m
        for part in key:
            value = value.get(_string(part)) if isinstance(value, dict) else None
        return value
    return m.get(_string(key))


@builtin("get entries")
def f_get_entries(interp, m: Any) -> Any:
    if not isinstance(m, dict):
        raise FeelError("get entries() needs a context")
    return [{"key": key, "value": value} for key, value in m.items()]


@builtin("context put")
def f_context_put(
    interp, context: Any, key: Any = None, value: Any = _OMITTED, keys: Any = None
) -> Any:
    if value is _OMITTED:
        raise FeelError("context put() needs a value")
    if keys is not None:
        if key is not None or not isinstance(keys, list):
            raise FeelError("context put() takes a key or a list of keys")
        key = keys
    if not isinstance(context, dict):
        raise FeelError("context put() needs a context")
    if isinstance(key, list):
        if not key:
            raise FeelError("context put() needs a key")
        keys = [_string(part) for part in key]
        if len(keys) == 1:
            return f_context_put(interp, context, keys[0], value)
        inner = context.get(keys[0])
        if not isinstance(inner, dict):
            raise FeelError("context put() key path goes through a value that is not a context")
        return f_context_put(
            interp, context, keys[0], f_context_put(interp, inner, keys[1:], value)
        )
    result = dict(context)
    result[_string(key)] = value
    return result


@builtin("context merge")
def f_context_merge(interp, contexts: Any) -> Any:
    result: dict[str, Any] = {}
    for item in _list(contexts):
        if not isinstance(item, dict):
            raise FeelError("context merge() needs a list of contexts")
        result.update(item)
    return result


@builtin("context")
def f_context(interp, entries: Any) -> Any:
    result: dict[str, Any] = {}
    for entry in _list(entries):
        if not isinstance(entry, dict) or "key" not in entry or "value" not in entry:
            raise FeelError("context() needs entries with a key and a value")
        key = _string(entry["key"])
        if key in result:
            raise FeelError(f"context() has two entries named {key!r}")
        result[key] = entry["value"]
    return result
