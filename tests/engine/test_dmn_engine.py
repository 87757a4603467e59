"""DMN models: decision tables and their hit policies, boxed expressions, BKMs,
decision services, item definitions, and refusals naming the element."""

from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

import pytest

from processes.engine.dmn import DmnError, Runtime, decision_provider, parse_dmn

HEAD = (
    '<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" namespace="urn:t" name="t">'
)


def model(body: str):
    return parse_dmn(HEAD + body + "</definitions>")


def table(
    hit_policy: str, rules: list[tuple[str, str]], *, aggregation: str = "", output_values: str = ""
):
    values = f"<outputValues><text>{output_values}</text></outputValues>" if output_values else ""
    rows = "".join(
        f"<rule><inputEntry><text>{escape(test)}</text></inputEntry>"
        f"<outputEntry><text>{escape(out)}</text></outputEntry></rule>"
        for test, out in rules
    )
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    return model(
        '<inputData id="i" name="Applicant Age"><variable name="Applicant Age" typeRef="number"/>'
        "</inputData>"
        '<decision id="d" name="Risk"><informationRequirement><requiredInput href="#i"/>'
        "</informationRequirement>"
        f'<decisionTable hitPolicy="{hit_policy}"{agg}><input><inputExpression><text>'
        "Applicant Age</text>"
        f'</inputExpression></input><output name="risk">{values}</output>{rows}</decisionTable>'
        "</decision>"
    )


def decide(definitions, name="Risk", **inputs):
    return Runtime(definitions).evaluate_decision(
        name, {k.replace("_", " "): v for k, v in inputs.items()}
    )


RULES = [("< 30", '"low"'), ("[20..40]", '"medium"'), (">= 35", '"high"')]


@pytest.mark.parametrize(
    ("hit_policy", "aggregation", "age", "expected"),
    [
        ("UNIQUE", "", 10, "low"),
        ("UNIQUE", "", 25, None),  # two rules match a UNIQUE table: an error, so null
        ("FIRST", "", 25, "low"),
        ("PRIORITY", "", 37, "high"),
        ("ANY", "", 25, None),
        ("RULE ORDER", "", 25, ["low", "medium"]),
        ("OUTPUT ORDER", "", 37, ["high", "medium"]),
        ("COLLECT", "", 37, ["medium", "high"]),
        ("COLLECT", "COUNT", 37, Decimal(2)),
        ("COLLECT", "", 50, ["high"]),
    ],
)
def test_every_hit_policy_picks_the_specified_rules(hit_policy, aggregation, age, expected):
    definitions = table(
        hit_policy, RULES, aggregation=aggregation, output_values='"high","medium","low"'
    )
    assert decide(definitions, Applicant_Age=Decimal(age)) == expected


def test_collect_aggregations_add_up_numbers():
    rules = [("> 0", "1"), ("> 5", "10"), ("-", "100")]
    assert decide(table("COLLECT", rules, aggregation="SUM"), Applicant_Age=Decimal(6)) == Decimal(
        111
    )
    assert decide(table("COLLECT", rules, aggregation="MIN"), Applicant_Age=Decimal(6)) == Decimal(
        1
    )
    assert decide(table("COLLECT", rules, aggregation="MAX"), Applicant_Age=Decimal(1)) == Decimal(
        100
    )


def test_required_decisions_bkms_and_contexts_are_evaluated_first():
    definitions = model(
        '<inputData id="a" name="Amount"><variable name="Amount" typeRef="number"/></inputData>'
        '<businessKnowledgeModel id="k" name="Fee Of"><encapsulatedLogic>'
        '<formalParameter name="x" typeRef="number"/>'
        "<literalExpression><text>x * 0.1</text></literalExpression></encapsulatedLogic>"
        "</businessKnowledgeModel>"
        '<decision id="f" name="Fee"><informationRequirement><requiredInput href="#a"/>'
        "</informationRequirement>"
        '<knowledgeRequirement><requiredKnowledge href="#k"/></knowledgeRequirement>'
        "<invocation><literalExpression><text>Fee Of</text></literalExpression><binding>"
        '<parameter name="x"/>'
        "<literalExpression><text>Amount</text></literalExpression></binding></invocation>"
        "</decision>"
        '<decision id="t" name="Total"><informationRequirement><requiredDecision href="#f"/>'
        "</informationRequirement>"
        '<informationRequirement><requiredInput href="#a"/></informationRequirement>'
        '<context><contextEntry><variable name="sum"/><literalExpression><text>Amount + Fee</text>'
        "</literalExpression>"
        "</contextEntry><contextEntry><literalExpression><text>{total: sum}</text>"
        "</literalExpression>"
        "</contextEntry></context></decision>"
        '<decisionService id="s" name="Pricing"><outputDecision href="#t"/>'
        '<encapsulatedDecision href="#f"/>'
        '<inputData href="#a"/></decisionService>'
    )
    assert decide(definitions, "Total", Amount=Decimal(200)) == {"total": Decimal(220)}
    assert Runtime(definitions).evaluate_service("Pricing", {"Amount": Decimal(10)}) == {
        "total": Decimal(11)
    }


def test_item_definitions_refuse_values_outside_their_allowed_values():
    definitions = model(
        '<itemDefinition name="tGrade"><typeRef>string</typeRef><allowedValues><text>"A","B"</text>'
        "</allowedValues></itemDefinition>"
        '<inputData id="g" name="Grade"><variable name="Grade" typeRef="tGrade"/></inputData>'
        '<decision id="d" name="Echo"><informationRequirement><requiredInput href="#g"/>'
        "</informationRequirement>"
        "<literalExpression><text>Grade</text></literalExpression></decision>"
    )
    assert decide(definitions, "Echo", Grade="A") == "A"
    assert decide(definitions, "Echo", Grade="Z") is None


@pytest.mark.parametrize(
    ("body", "named"),
    [
        (
            '<decision id="d" name="Bad"><literalExpression><text>1 +</text></literalExpression>'
            "</decision>",
            "literalExpression",
        ),
        (
            '<decision id="d" name="Bad"><decisionTable hitPolicy="SOMETIMES"/></decision>',
            "decisionTable",
        ),
        ('<decision id="d" name="A"/><decision id="e" name="A"/>', "'A'"),
    ],
)
def test_bad_models_are_refused_whole_naming_the_element(body, named):
    with pytest.raises(DmnError, match=named):
        model(body)


def test_hostile_xml_is_refused():
    with pytest.raises(DmnError):
        parse_dmn('<!DOCTYPE x [<!ENTITY a "aaaa">]><definitions>&a;</definitions>')


def test_the_provider_gives_plain_python_values_and_raises_on_a_failed_decision():
    provide = decision_provider([table("UNIQUE", RULES)])
    assert provide("Risk", {"Applicant Age": 10}).value == "low"
    assert provide("d", {"Applicant Age": 50}).value == "high"
    with pytest.raises(Exception, match="UNIQUE"):
        provide("Risk", {"Applicant Age": 25})


def boxed(body: str):
    definitions = model(f'<decision id="d" name="D">{body}</decision>')
    return decide(definitions, "D")


def lit(text: str, tag: str) -> str:
    return f"<{tag}><literalExpression><text>{escape(text)}</text></literalExpression></{tag}>"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            "<conditional>"
            + lit("1 < 2", "if")
            + lit('"yes"', "then")
            + lit('"no"', "else")
            + "</conditional>",
            "yes",
        ),  # fmt: skip
        (
            "<conditional>"
            + lit("null", "if")
            + lit('"yes"', "then")
            + lit('"no"', "else")
            + "</conditional>",
            "no",
        ),  # fmt: skip
        # A condition, a match or a 'some' body that is not true/false makes the value null.
        (
            "<conditional>"
            + lit('"abc"', "if")
            + lit('"yes"', "then")
            + lit('"no"', "else")
            + "</conditional>",
            None,
        ),  # fmt: skip
        (
            "<filter>" + lit("[1, 2, 3]", "in") + lit("item >= 2", "match") + "</filter>",
            [Decimal(2), Decimal(3)],
        ),  # fmt: skip
        (
            "<filter>"
            + lit("[1, 2, 3]", "in")
            + lit('if item <= 2 then true else "no"', "match")
            + "</filter>",
            None,
        ),  # fmt: skip
        (
            '<some iteratorVariable="e">'
            + lit("[1, 2]", "in")
            + lit("e = 2", "satisfies")
            + "</some>",
            True,
        ),  # fmt: skip
        (
            '<some iteratorVariable="e">'
            + lit("[1, 2]", "in")
            + lit('if e = 2 then true else "no"', "satisfies")
            + "</some>",
            None,
        ),  # fmt: skip
    ],
)
def test_boxed_conditionals_filters_and_some_need_true_or_false(body, expected):
    assert boxed(body) == expected
