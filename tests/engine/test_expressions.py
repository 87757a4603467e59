"""Unit tests for the safe expression and script evaluator (no database needed)."""

import re

import pytest
from defusedxml import ElementTree

from processes.engine.expressions import (
    LIMITS,
    ExpressionError,
    ExpressionRuntimeError,
    ExpressionSyntaxError,
    compile_expression,
    compile_script,
    detect_language,
)
from tests.support.paths import require_bpmn_corpus


def evaluate(text, variables=None, functions=None, language=None):
    return compile_expression(text, language).evaluate(variables or {}, functions)


def run(text, variables=None, functions=None):
    variables = {} if variables is None else variables
    compile_script(text).run(variables, functions)
    return variables


# --------------------------------------------------------------------------------------
# Language detection
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("x > 1", None, "python"),
        ("${input == 1}", None, "juel"),
        ("  ${a &&\n b}  ", None, "juel"),
        ("#{input == 1}", None, "juel"),
        ("= x > 1", None, "feel"),
        ("x > 1", "python", "python"),
        ("x > 1", "Python", "python"),
        ("${x}", "JUEL", "juel"),
        ("x > 1", "http://www.omg.org/spec/FEEL/20140401", "feel"),
        ("x > 1", "https://www.omg.org/spec/DMN/20191111/FEEL/", "feel"),
        ("x > 1", "feel", "feel"),
        ("${x}", "", "juel"),
        ("x", "http://www.w3.org/1999/XPath", "python"),
    ],
)
def test_language_comes_from_the_attribute_first_and_then_from_the_text(text, language, expected):
    assert detect_language(text, language) == expected


@pytest.mark.parametrize("language", ["javascript", "groovy", "http://groovy.codehaus.org/"])
def test_a_language_the_engine_cannot_run_is_rejected_as_unsupported(language):
    with pytest.raises(ExpressionSyntaxError, match="unsupported language"):
        detect_language("x", language)


def test_compiled_expressions_remember_their_source_and_language():
    expression = compile_expression("${a}")
    assert (expression.source, expression.language) == ("${a}", "juel")
    assert compile_expression("a").language == "python"
    assert compile_expression("= a").language == "feel"


# --------------------------------------------------------------------------------------
# Every expression of the BPMN conformance corpus
# --------------------------------------------------------------------------------------

CORPUS_CONDITIONS = [
    # Camunda JUEL
    ("${input == 'left'}", {"input": "left"}, True),
    ("${input == 'right'}", {"input": "left"}, False),
    ("${input == 1}", {"input": 1}, True),
    ("${input == 2}", {"input": 1}, False),
    ("${input == 3}", {"input": 3}, True),
    ("${input <= 1}", {"input": 2}, False),
    ("${input <= 2}", {"input": 2}, True),
    ("${input <= 3}", {"input": 2}, True),
    # SpiffWorkflow Python
    ("choice == 'Yes'", {"choice": "Yes"}, True),
    ("choice == 'No'", {"choice": "Yes"}, False),
    ("answer == 'Yes'", {"answer": "No"}, False),
    ("work_done == 'Yes'", {"work_done": "Yes"}, True),
    ("NeedClarification == 'Yes'", {"NeedClarification": "Yes"}, True),
    ('ApprovalResult=="Yes"', {"ApprovalResult": "No"}, False),
    ("x > 1", {"x": 2}, True),
    ("x < 1", {"x": 2}, False),
    ("x < 2", {"x": 1}, True),
    ("u > 0", {"u": 1}, True),
    ("w > 0", {"w": 0}, False),
    ("v == 0", {"v": 0}, True),
    ("error", {"error": True}, True),
    ("input_item == 2", {"input_item": 2}, True),
]


@pytest.mark.parametrize(("text", "variables", "expected"), CORPUS_CONDITIONS)
def test_every_condition_of_the_corpus_evaluates_like_its_source_engine(text, variables, expected):
    assert evaluate(text, variables) is expected


@pytest.mark.parametrize(
    ("text", "variables", "expected"),
    [
        ('"PT0.25S"', {}, "PT0.25S"),
        ('"R2/PT0.1S"', {}, "R2/PT0.1S"),
        ("due_time", {"due_time": "2026-01-01T00:00:00"}, "2026-01-01T00:00:00"),
        ("3", {}, 3),
        ("plan_details", {"plan_details": "Best"}, "Best"),
        ("{'r1': v1, 'r2': v2}", {"v1": 1, "v2": 2}, {"r1": 1, "r2": 2}),
        ("'secret:BAMBOOHR_API_KEY'", {}, "secret:BAMBOOHR_API_KEY"),
        ("22980", {}, 22980),
    ],
)
def test_timer_bodies_cardinalities_and_payloads_of_the_corpus_evaluate_to_values(
    text, variables, expected
):
    assert evaluate(text, variables) == expected


def test_the_script_test_file_runs_and_leaves_no_function_in_the_data():
    script = (
        "testvar = {'a':1,'b':2}\n"
        "testvar2 = [{'x':1,'y':'a'},\n"
        "            {'x':2,'y':'b'},\n"
        "             {'x':3,'y':'c'}]"
    )
    second = (
        "def my_function() :\n"
        "   my_fun_var = 1\n"
        "\n"
        "testvar['new'] = 'Test'\n"
        "sample = [x['y'] for x in testvar2 if x['x'] > 1]"
    )
    variables = run(second, run(script))
    assert variables == {
        "testvar": {"a": 1, "b": 2, "new": "Test"},
        "testvar2": [{"x": 1, "y": "a"}, {"x": 2, "y": "b"}, {"x": 3, "y": "c"}],
        "sample": ["b", "c"],
    }


def test_the_call_activity_scripts_set_variables_and_delete_one():
    variables = run("pre_var = 'some string'\nremove_this_var = 'something else'")
    run("my_var = 'World'\nmy_other_var = 'Mike'\ndel(remove_this_var)", variables)
    run("print(pre_var)\nprint(my_var)\nprint(my_other_var)", variables)
    assert variables == {"pre_var": "some string", "my_var": "World", "my_other_var": "Mike"}


@pytest.mark.parametrize(
    ("script", "before", "after"),
    [
        ("x = 0", {}, {"x": 0}),
        ("x += 1", {"x": 0}, {"x": 1}),
        ("v += 1", {"v": 0}, {"v": 1}),
        ("u += v", {"u": 0, "v": 1}, {"u": 1, "v": 1}),
        ("w += v", {"w": 0, "v": 1}, {"w": 1, "v": 1}),
        ("timer_called = True", {}, {"timer_called": True}),
        ("timer_called = False", {}, {"timer_called": False}),
        ("refill_count = 0", {}, {"refill_count": 0}),
        ("script_output='NEW ACTION'", {}, {"script_output": "NEW ACTION"}),
        ("script_output= 'ACTION OVERDUE'", {}, {"script_output": "ACTION OVERDUE"}),
        ("output_item = input_item * 2", {"input_item": 3}, {"input_item": 3, "output_item": 6}),
    ],
)
def test_the_one_line_scripts_of_the_corpus_update_the_variables(script, before, after):
    assert run(script, dict(before)) == after


def test_a_script_can_call_an_injected_function_inside_percent_formatting():
    calls = []

    def custom_function():
        calls.append(1)
        return len(calls)

    run(
        "print('refill count = %d'%custom_function())",
        functions={"custom_function": custom_function},
    )
    assert calls == [1]


def test_print_goes_to_the_log_unless_the_engine_supplies_its_own(caplog):
    caplog.set_level("INFO", logger="processes.engine.expressions")
    run("print('hello', 42)")
    assert "hello 42" in caplog.text
    printed = []
    run("print('to engine')", functions={"print": printed.append})
    assert printed == ["to engine"]


_CODE_TAGS = {"conditionExpression", "script", "loopCardinality", "completionCondition"}
_TIMER_TAGS = {"timeDate", "timeDuration", "timeCycle"}


def _corpus_code(corpus):
    for path in sorted(corpus.glob("*.bpmn")):
        for element in ElementTree.parse(path).iter():
            tag = element.tag.rsplit("}", 1)[-1]
            text = (element.text or "").strip()
            if text and tag in _CODE_TAGS | _TIMER_TAGS:
                yield path.name, tag, text


def test_every_expression_and_script_in_the_conformance_corpus_compiles():
    corpus = require_bpmn_corpus("the corpus expression check")
    checked, failures = 0, []
    for file_name, tag, text in _corpus_code(corpus):
        try:
            if tag == "script":
                compile_script(text)
            elif tag in _TIMER_TAGS:
                # Camunda's timers are literals (checked in the timer tests); Spiff's are Python.
                if not (text.startswith('"') or text.isidentifier()):
                    continue
                compile_expression(text)
            else:
                compile_expression(text)
        except ExpressionError as exc:
            failures.append(f"{file_name} <{tag}> {text!r}: {exc}")
        checked += 1
    assert checked >= 50, checked  # the corpus holds 59 such texts
    assert failures == []


# --------------------------------------------------------------------------------------
# Python subset: expressions
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("7 // 2, 7 % 2, 2 ** 10, -3, +3, ~0", (3, 1, 1024, -3, 3, -1)),
        ("1 < x <= 3", True),
        ("x in [1, 2, 3] and 'b' not in 'abc'", False),
        ("nothing is None and x is not None", True),
        ("'big' if x > 1 else 'small'", "big"),
        ("items[0] + items[-1]", 4),
        ("items[1:]", [2, 3]),
        ("order['amount'] > 100", True),
        ("{1, 2} | {3}", {1, 2, 3}),
        ("{'a': x, **order}", {"a": 2, "amount": 150}),
        ("[*items, 4]", [1, 2, 3, 4]),
        ("[i * 2 for i in items if i != 2]", [2, 6]),
        ("{i: i * i for i in range(3)}", {0: 0, 1: 1, 2: 4}),
        ("{i % 2 for i in items}", {0, 1}),
        ("sum(i for i in items)", 6),
        ("f'{name!r} has {x:>3} items'", "'Ann' has   2 items"),
        ("len(items), min(items), max(items), abs(-1), round(2.567, 1)", (3, 1, 3, 1, 2.6)),
        ("int('7') + float('0.5')", 7.5),
        ("str(1) + str(True)", "1True"),
        ("sorted([3, 1, 2], reverse=True)", [3, 2, 1]),
        ("list(enumerate('ab')), list(zip([1], [2]))", ([(0, "a"), (1, "b")], [(1, 2)])),
        (
            "any([0, 1]), all([1, 0]), bool(''), tuple([1]), set()",
            (True, False, False, (1,), set()),
        ),
        ("dict(a=1), list(range(2, 8, 3))", ({"a": 1}, [2, 5])),
        ("name.lower().startswith('a') and name.upper().endswith('N')", True),
        ("' a b '.strip().split(' ')", ["a", "b"]),
        ("'-'.join(['a', 'b']).replace('-', '+')", "a+b"),
        ("order.get('missing', 0) + len(order.keys()) + len(list(order.items()))", 2),
        ("items.index(2) + items.count(3)", 2),
        ("'%s is %d' % (name, x)", "Ann is 2"),
        ("x > 1 and name or 'none'", "Ann"),
        ("0 or '' or None", None),
    ],
)
def test_python_expressions_evaluate_like_python(text, expected):
    variables = {
        "x": 2,
        "items": [1, 2, 3],
        "order": {"amount": 150},
        "name": "Ann",
        "nothing": None,
    }
    assert evaluate(text, variables) == expected


def test_an_expression_spread_over_several_lines_compiles():
    assert evaluate("\n   {'a': 1,\n    'b': 2}\n  ") == {"a": 1, "b": 2}


def test_injected_functions_can_be_called_by_name():
    assert evaluate("double(x)", {"x": 4}, {"double": lambda value: value * 2}) == 8


def test_a_variable_shadows_a_builtin_of_the_same_name():
    assert evaluate("len", {"len": 3}) == 3


def test_an_unknown_variable_reports_its_name_like_python():
    with pytest.raises(ExpressionRuntimeError) as raised:
        evaluate("missing > 1")
    assert raised.value.message == "name 'missing' is not defined"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 / 0", "division by zero"),
        ("{'a': 1}['b']", "key 'b' not found"),
        ("[1][5]", "IndexError: list index out of range"),
        ("'a' + 1", "TypeError"),
        ("int('abc')", "int() failed: ValueError"),
        ("'abc'.index('z')", "ValueError: substring not found"),
        ("boom()", "boom() failed: RuntimeError: engine is down"),
    ],
)
def test_runtime_errors_become_expression_runtime_errors_with_a_clear_message(text, message):
    def boom():
        raise RuntimeError("engine is down")

    with pytest.raises(ExpressionRuntimeError, match=re.escape(message)):
        evaluate(text, functions={"boom": boom})


def test_the_original_exception_stays_available_as_the_cause():
    with pytest.raises(ExpressionRuntimeError) as raised:
        evaluate("1 / 0")
    assert isinstance(raised.value.__cause__, ZeroDivisionError)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x >", "invalid Python syntax"),
        ("", "the expression is empty"),
        ("   ", "the expression is empty"),
        ("x = 1", "invalid Python syntax"),
    ],
)
def test_syntax_errors_are_reported_when_compiling(text, message):
    with pytest.raises(ExpressionSyntaxError, match=re.escape(message)):
        compile_expression(text)


def test_an_expression_that_is_not_text_is_a_syntax_error():
    with pytest.raises(ExpressionSyntaxError, match="must be text"):
        compile_expression(None)


# --------------------------------------------------------------------------------------
# Python subset: the security boundary
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "names starting with '__'"),
        ("().__class__.__bases__", "attribute '.__bases__'"),
        ("x.__class__", "attribute '.__class__'"),
        ("x._private", "attribute '._private'"),
        ("x._private()", "private attribute '._private'"),
        ("name.format(x)", "method '.format()' is not allowed"),
        ("x.real", "attribute '.real'"),
        ("(lambda: 1)()", "lambda expressions are not allowed"),
        ("lambda: 1", "lambda expressions are not allowed"),
        ("(y := 1)", "assignment expressions (:=) are not allowed"),
        ("[1, 2][0]()", "only named functions and allowed methods can be called"),
        ("items.append(1)", "changes data and is only allowed in scripts"),
        ("a @ b", "the @ operator"),
    ],
)
def test_dangerous_python_is_rejected_at_compile_time(text, message):
    with pytest.raises(ExpressionSyntaxError, match=re.escape(message)):
        compile_expression(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("open('x')", "name 'open' is not defined"),
        ("eval('1')", "name 'eval' is not defined"),
        ("getattr(x, 'y')", "name 'getattr' is not defined"),
        ("type(x)", "name 'type' is not defined"),
        ("callback()", "'callback' is not a function that can be called here"),
        ("'abc'.append(1)", None),  # compiles nowhere: mutating method in an expression
    ],
)
def test_only_allow_listed_functions_can_be_called(text, message):
    if message is None:
        with pytest.raises(ExpressionSyntaxError):
            compile_expression(text)
        return
    with pytest.raises(ExpressionRuntimeError, match=re.escape(message)):
        evaluate(text, {"x": 1, "callback": print})


def test_methods_are_only_found_on_plain_strings_lists_dicts_and_sets():
    with pytest.raises(
        ExpressionRuntimeError, match=re.escape("'int' values have no method '.lower()'")
    ):
        evaluate("x.lower()", {"x": 1})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1] * 10**9", "the repetition would be too large"),
        ("'a' * 10**6", "the repetition would be too large"),
        ("2 ** 10 ** 10", "the power would be too large"),
        ("10 ** 5000", "the power would be too large"),
        ("1 << 10**6", "the shifted number would be too large"),
        ("range(10**9)", "range() is too long"),
        ("list(range(0, 10**100, 3))", "range() is too long"),
        ("'%999999d' % 1", "format width/precision"),
        ("'%*d' % (5, 1)", "format width/precision"),
        ("f'{x:>99999}'", "format width/precision"),
        ("('a' * 99999).replace('a', 'aa')", "the replaced string would be too large"),
        ("','.join(['a' * 90000, 'b' * 90000])", "the joined string would be too large"),
        ("sum([[1], [2]], [])", "sum() can only add numbers"),
    ],
)
def test_values_that_would_be_too_large_are_refused_before_they_are_built(text, message):
    with pytest.raises(ExpressionRuntimeError, match=re.escape(message)):
        evaluate(text, {"x": 1})


def test_deeply_nested_expressions_are_rejected_at_compile_time():
    with pytest.raises(ExpressionSyntaxError, match="nested too deeply"):
        compile_expression("-" * (LIMITS.max_nesting_depth + 5) + "1")
    with pytest.raises(ExpressionSyntaxError, match="nested too deeply"):
        compile_expression("[" * 150 + "]" * 150)
    with pytest.raises(ExpressionSyntaxError, match="nested too deeply"):
        compile_expression("-" * 15_000 + "1")


def test_overly_long_source_is_rejected():
    with pytest.raises(ExpressionSyntaxError, match="too long"):
        compile_expression("1" + " + 1" * LIMITS.max_source_length)


def test_a_cyclic_value_cannot_be_compared_or_printed():
    cyclic = []
    cyclic.append(cyclic)
    with pytest.raises(ExpressionRuntimeError, match="cyclic"):
        evaluate("x == y", {"x": cyclic, "y": [cyclic]})


def test_errors_are_always_expression_errors_even_for_hostile_values():
    class Hostile:
        def __eq__(self, other):
            raise SystemError("nope")

        __hash__ = object.__hash__

    with pytest.raises(ExpressionRuntimeError, match="SystemError: nope"):
        evaluate("x == 1", {"x": Hostile()})


# --------------------------------------------------------------------------------------
# Python subset: scripts
# --------------------------------------------------------------------------------------


def test_scripts_support_assignment_forms_branches_and_loops():
    variables = run(
        "a, (b, c) = 1, [2, 3]\n"
        "d = e = 'same'\n"
        "items = []\n"
        "for i in range(5):\n"
        "    if i == 1:\n"
        "        continue\n"
        "    elif i == 4:\n"
        "        break\n"
        "    items.append(i)\n"
        "else:\n"
        "    never = True\n"
        "table = {'k': [0]}\n"
        "table['k'][0] += 5\n"
        "table['new'] = 1\n"
        "del table['new']\n"
        "if not items:\n"
        "    pass\n"
        "total = 0\n"
        "for key, value in {'x': 1, 'y': 2}.items():\n"
        "    total += value\n"
    )
    assert variables["a"] + variables["b"] + variables["c"] == 6
    assert variables["d"] == variables["e"] == "same"
    assert variables["items"] == [0, 2, 3]
    assert "never" not in variables
    assert variables["table"] == {"k": [5]}
    assert variables["total"] == 3


def test_a_comprehension_does_not_leak_its_loop_variable():
    assert "i" not in run("squares = [i * i for i in range(3)]")


def test_functions_defined_in_a_script_can_be_called_but_are_not_kept():
    variables = run(
        "def greet(name, punctuation='!'):\n"
        "    message = 'Hello ' + name\n"
        "    return message + punctuation\n"
        "text = greet('Ann')\n"
        "loud = greet(name='Bob', punctuation='!!')\n"
    )
    assert variables == {"text": "Hello Ann!", "loud": "Hello Bob!!"}


def test_a_script_function_can_serve_as_a_sort_key():
    variables = run(
        "def negative(value):\n    return -value\nordered = sorted([1, 3, 2], key=negative)"
    )
    assert variables == {"ordered": [3, 2, 1]}


def test_callables_assigned_to_variables_are_not_kept():
    assert run("measure = len\nsize = measure('abc')") == {"size": 3}


def test_deleting_an_unknown_variable_is_a_runtime_error_with_its_line():
    with pytest.raises(ExpressionRuntimeError) as raised:
        run("x = 1\ndel missing")
    assert raised.value.line == 2
    assert raised.value.message == "line 2: name 'missing' is not defined"


def test_script_text_indented_as_a_block_inside_xml_still_runs():
    assert run("\n        x = 1\n        y = x + 1\n    ") == {"x": 1, "y": 2}


def test_an_empty_script_does_nothing():
    assert run("", {"kept": 1}) == {"kept": 1}


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("import os", "line 1: import statements are not allowed"),
        ("x = 1\nfrom os import path", "line 2: import statements are not allowed"),
        ("while True:\n    pass", "while loops"),
        ("class A:\n    pass", "class definitions are not allowed"),
        ("try:\n    x = 1\nexcept Exception:\n    pass", "try/except blocks"),
        ("raise ValueError()", "raise statements"),
        ("with x:\n    pass", "with statements"),
        ("global x", "global declarations"),
        ("f = lambda: 1", "lambda expressions"),
        ("x.attribute = 1", "assigning to attributes is not allowed"),
        ("a, *rest = [1, 2]", "starred assignment"),
        ("return 1", "'return' outside a function"),
        ("break", "'break' outside a loop"),
        ("def outer():\n    def inner():\n        pass", "functions defined inside functions"),
        ("@decorate\ndef f():\n    pass", "decorators are not allowed"),
        ("def f(*args):\n    pass", "plain named parameters"),
        ("def f(x: int):\n    pass", "annotations are not allowed"),
        ("def __init__():\n    pass", "names starting with '__'"),
        ("x: int = 1", "annotated assignments"),
        ("assert x", "assert statements"),
        ("x = (", "line 1: invalid Python syntax"),
    ],
)
def test_scripts_reject_unsafe_statements_at_compile_time_naming_the_line(script, message):
    with pytest.raises(ExpressionSyntaxError, match=re.escape(message)):
        compile_script(script)


def test_a_loop_over_a_huge_range_is_refused_at_run_time():
    with pytest.raises(ExpressionRuntimeError, match=re.escape("line 1: range() is too long")):
        run("for i in range(10**9):\n    pass")


def test_loops_are_capped_in_iterations():
    with pytest.raises(ExpressionRuntimeError, match="loop ran more than"):
        run("items = [0]\nfor item in items:\n    items.append(item)")


def test_total_work_is_capped_in_steps():
    with pytest.raises(ExpressionRuntimeError, match="too many steps"):
        run("x = 0\nfor i in range(10000):\n    for j in range(10000):\n        x += 1")


def test_runaway_recursion_is_capped_in_call_depth():
    with pytest.raises(ExpressionRuntimeError, match="too many nested function calls"):
        run("def forever(n):\n    return forever(n + 1)\nforever(0)")


def test_doubling_a_string_in_a_loop_is_stopped_by_the_size_limit():
    with pytest.raises(ExpressionRuntimeError, match="too large"):
        run("s = 'ab'\nfor i in range(100):\n    s = s + s")


def test_exponentially_shared_data_cannot_be_printed_or_stored():
    with pytest.raises(ExpressionRuntimeError, match="too deeply shared"):
        run("a = [1]\nfor i in range(60):\n    a = [a, a]\ntext = str(a)")
    with pytest.raises(ExpressionRuntimeError, match="too deeply shared"):
        run("a = [1]\nfor i in range(60):\n    a = [a, a]")


def test_growing_an_integer_without_bound_is_refused():
    with pytest.raises(ExpressionRuntimeError, match="too large"):
        run("x = 3\nfor i in range(100):\n    x = x * x")


def test_scripts_in_other_languages_are_rejected():
    with pytest.raises(ExpressionSyntaxError, match="scripts must be Python"):
        compile_script("${x}")
    with pytest.raises(ExpressionSyntaxError, match="unsupported language"):
        compile_script("x = 1", "javascript")


def test_expression_errors_share_one_base_class_with_a_message():
    for error_class in (ExpressionSyntaxError, ExpressionRuntimeError):
        assert issubclass(error_class, ExpressionError)
    assert ExpressionRuntimeError("boom").message == "boom"


# --------------------------------------------------------------------------------------
# JUEL subset
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("${input > 5 && input < 10}", True),
        ("${input gt 5 and input lt 10}", True),
        ("${input == 7.0}", True),
        ("${input eq 7 || false}", True),
        ("${input ne 7 or input le 6}", False),
        ("${input ge 7 && !(input > 7) && not false}", True),
        ("${order.amount > 100}", True),
        ("${order['amount'] + 1}", 151),
        ('${order.customer.name == "Ann"}', True),
        ("${order.missing == null}", True),
        ("${nothing.deeper == null}", True),
        ("${items[1]}", 20),
        ("${items[9] == null}", True),
        ("${10 / 4}", 2.5),
        ("${10 div 4}", 2.5),
        ("${-7 % 3}", -1),
        ("${7 mod 3}", 1),
        ("${2 * 3 + 4}", 10),
        ("${2 * (3 + 4)}", 14),
        ("${-input}", -7),
        ("${'7' == input}", True),
        ("${'7' + 1}", 8),
        ("${empty nothing && empty '' && empty items == false}", True),
        ("${not empty order}", True),
        ("${input > 5 ? 'big' : 'small'}", "big"),
        ("${false ? 1 : true ? 2 : 3}", 2),
        ("${'it\\'s'}", "it's"),
        ("${flag}", True),
        ("${flag == 'true'}", True),
        ("${input < 10 && nothing > 1}", False),
    ],
)
def test_juel_expressions_follow_the_el_rules(text, expected):
    variables = {
        "input": 7,
        "order": {"amount": 150, "customer": {"name": "Ann"}},
        "items": [10, 20],
        "nothing": None,
        "flag": True,
    }
    assert evaluate(text, variables) == expected


def test_juel_text_around_expressions_builds_a_string():
    text = evaluate("Hello ${name}, you are ${age}!", {"name": "Ann", "age": 30}, language="juel")
    assert text == "Hello Ann, you are 30!"


def test_juel_can_call_injected_functions_by_name():
    assert evaluate("${double(input)}", {"input": 2}, {"double": lambda v: v * 2}) == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("${input ==}", "unexpected end of expression"),
        ("${input = 1}", "JUEL compares with '==' or 'eq', not '='"),
        (
            "${order.getTotal()}",
            "method calls such as '.getTotal()' are not supported",
        ),
        (
            "${execution.getProcessEngineServices()}",
            "'execution.getProcessEngineServices()' is not supported",
        ),
        ("${a ? b}", "expected ':'"),
        ("${input # 1}", "unexpected character '#'"),
        ("${'unclosed}", "missing '}'"),
        ("${(1 + 2}", "expected ')'"),
        ("${" + "(" * 150 + "1" + ")" * 150 + "}", "nested too deeply"),
    ],
)
def test_juel_syntax_errors_are_reported_when_compiling(text, message):
    with pytest.raises(ExpressionSyntaxError, match=re.escape(message)):
        compile_expression(text)


@pytest.mark.parametrize(
    ("text", "variables", "message"),
    [
        ("${missing == 1}", {}, "name 'missing' is not defined"),
        ("${1 / 0}", {}, "division by zero"),
        ("${'abc' + 1}", {}, "expected a number but got string 'abc'"),
        ("${number.property}", {"number": 5}, "cannot read property 'property' of a number"),
        ("${nope()}", {}, "function 'nope' is not defined"),
        ("${items < 3}", {"items": [1]}, "expected a number but got list [1]"),
        ("${'a' < true}", {}, "cannot compare string 'a' with boolean True"),
        ("${5 && true}", {}, "cannot use a number value as a boolean"),
    ],
)
def test_juel_runtime_errors_are_expression_runtime_errors(text, variables, message):
    with pytest.raises(ExpressionRuntimeError, match=re.escape(message)):
        evaluate(text, variables)


# --------------------------------------------------------------------------------------
# FEEL subset
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("= amount > 100", True),
        ("= amount = 150", True),
        ("= amount != 150.0", False),
        ('= amount >= 150 and status = "open"', True),
        ('= amount < 100 or status != "open"', False),
        ("= not(amount > 100)", False),
        ("= amount * 2 - 50 / 5 + 2 ** 3", 298),
        ("= -amount", -150),
        ('= "ab" + "cd"', "abcd"),
        ('= if amount > 100 then "large" else "small"', "large"),
        ("= [1, 2, 3]", [1, 2, 3]),
        ("= amount in [100, 150]", True),
        ('= status in ["closed", "void"]', False),
        ("= amount in [100..150]", True),
        ("= amount in [100..150)", False),
        ("= amount in (150..200]", False),
        ("= amount in 150", True),
        ("= order.customer.name", "Ann"),
        ("= order.missing", None),
        ("= items[1]", 10),
        ("= items[-1]", 30),
        ("= null = missing_value", True),
        ("= missing_value > 1", None),
        ("= missing_value + 1", None),
        ("= true and missing_value", None),
        ("= false and missing_value", False),
        ("= true or missing_value", True),
        ('= 1 = "1"', False),
        ("= count(items) + sum(items) + min(items) + max(items)", 103),
        ("= abs(-2)", 2),
        ("= if missing_value then 1 else 2", 2),
    ],
)
def test_feel_expressions_follow_the_feel_rules(text, expected):
    variables = {
        "amount": 150,
        "status": "open",
        "order": {"customer": {"name": "Ann"}},
        "items": [10, 20, 30],
        "missing_value": None,
    }
    assert evaluate(text, variables) == expected


def test_feel_can_be_chosen_by_the_language_attribute_without_the_equals_sign():
    assert evaluate("x > 1", {"x": 2}, language="http://www.omg.org/spec/FEEL/20140401") is True


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("= ", "the expression is empty"),
        ("= if x then 1", "expected 'else'"),
        ("= x in [1..", "unexpected end of expression"),
        ("= x == 1", "FEEL compares with '=', not '=='"),
        ("= x > 1 && y", "FEEL uses 'and', not '&&'"),
        ("= [1, 2", "expected ']'"),
    ],
)
def test_feel_syntax_errors_are_reported_when_compiling(text, message):
    with pytest.raises(ExpressionSyntaxError, match=re.escape(message)):
        compile_expression(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("= missing > 1", "name 'missing' is not defined"),
        ('= "a" < 1', "cannot compare string 'a' with number 1"),
        ('= "a" * 2', "expected a number but got string 'a'"),
        ("= 1 / 0", "division by zero"),
    ],
)
def test_feel_runtime_errors_are_expression_runtime_errors(text, message):
    with pytest.raises(ExpressionRuntimeError, match=re.escape(message)):
        evaluate(text)
