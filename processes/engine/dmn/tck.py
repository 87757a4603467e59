"""Running DMN TCK test cases (a TestCases-style folder tree) and comparing results
as the TCK's runners do: decimal equality, lists, contexts, nulls, temporal values.

`run_folder_tree` yields one `Result` per expected result node; nothing it meets
(bad models, bad test files, exceptions in one case) stops the run.
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET

from ..feel import DayTime, FeelError, FeelTime, Function, Range, YearMonth, temporal, to_text
from .parse import Definitions, DmnError, child, children, local, parse_dmn, read_xml
from .runtime import Runtime

_XSI = "{http://www.w3.org/2001/XMLSchema-instance}"


@dataclass(frozen=True)
class Result:
    folder: str
    test_id: str
    node: str
    passed: bool
    detail: str

    def line(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return f"{verdict} {self.folder} {self.test_id} {self.node}: {self.detail}"


def read_value(node: Element) -> Any:
    """A test file's value element (value / component* / list) as a FEEL value."""
    value = child(node, "value")
    if value is not None:
        return typed_value(value)
    items = child(node, "list")
    if items is not None:
        return [read_value(item) for item in children(items, "item")]
    components = children(node, "component")
    if components:
        return {part.get("name") or "": read_value(part) for part in components}
    if node.get(_XSI + "nil") == "true":
        return None
    return None


def typed_value(node: Element) -> Any:
    if node.get(_XSI + "nil") == "true":
        return None
    if len(node):
        return read_value(node)
    text = node.text or ""
    kind = (node.get(_XSI + "type") or "").split(":")[-1]
    try:
        if kind in ("decimal", "double", "float", "integer", "int", "long", "short"):
            stripped = text.strip()
            if stripped in ("NaN", "INF", "-INF"):
                return None
            return decimal.Context(prec=34).create_decimal(stripped)
        if kind == "boolean":
            return text.strip() == "true"
        if kind == "date":
            return temporal.parse_date(text.strip())
        if kind == "dateTime":
            return temporal.parse_datetime(text.strip())
        if kind == "time":
            return temporal.parse_time(text.strip())
        if kind in ("duration", "dayTimeDuration", "yearMonthDuration"):
            return temporal.parse_duration(text.strip())
    except (FeelError, decimal.InvalidOperation, ValueError):
        return text
    return text


def same(actual: Any, expected: Any) -> bool:
    """Equality as the TCK runners judge it."""
    if expected is None:
        return actual is None
    if isinstance(expected, decimal.Decimal):
        return (
            isinstance(actual, decimal.Decimal)
            and not isinstance(actual, bool)
            and _close(actual, expected)
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return False
        return all(same(a, e) for a, e in zip(actual, expected, strict=True))
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return False
        return set(actual) == set(expected) and all(
            same(actual[key], value) for key, value in expected.items()
        )
    if isinstance(expected, dt.datetime):
        return (
            isinstance(actual, dt.datetime)
            and (actual.tzinfo is None) == (expected.tzinfo is None)
            and actual == expected
            and (actual.utcoffset() == expected.utcoffset())
        )
    if isinstance(expected, dt.date):
        return type(actual) is dt.date and actual == expected
    if isinstance(expected, FeelTime):
        return isinstance(actual, FeelTime) and to_text(actual) == to_text(expected)
    if isinstance(expected, DayTime | YearMonth):
        return type(actual) is type(expected) and actual == expected
    if isinstance(expected, str):
        if isinstance(actual, str):
            return actual == expected
        if isinstance(actual, Function | Range):
            return False
        return False
    return actual == expected


def _close(actual: decimal.Decimal, expected: decimal.Decimal) -> bool:
    if actual == expected:
        return True
    if not actual.is_finite() or not expected.is_finite():
        return False
    # Expected values written with at most 17 significant digits were computed in
    # binary floating point by the kit's authors: compare them as doubles do.
    digits = len(expected.as_tuple().digits)
    tolerance = decimal.Decimal("1e-28") if digits > 17 else decimal.Decimal("1e-8")
    scale = max(abs(expected), decimal.Decimal("1e-300"))
    return abs(actual - expected) <= scale * tolerance


def show(value: Any) -> str:
    text = "null" if value is None else to_text(value)
    if isinstance(value, str):
        text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def load_models(folder: Path) -> tuple[dict[str, Definitions], dict[str, str]]:
    """Every .dmn of a folder by file name, and the refusals by file name."""
    models: dict[str, Definitions] = {}
    refused: dict[str, str] = {}
    for path in sorted(folder.glob("*.dmn")):
        try:
            models[path.name] = parse_dmn(path.read_bytes())
        except DmnError as exc:
            refused[path.name] = str(exc)
        except Exception as exc:  # noqa: BLE001 - a refusal, whatever went wrong
            refused[path.name] = f"{type(exc).__name__}: {exc}"
    return models, refused


def run_folder_tree(root: Path) -> Iterator[Result]:
    """Every result of every test file under ``root``."""
    test_files = sorted(path for path in root.rglob("*.xml") if "-test-" in path.name)
    cache: dict[Path, tuple[dict[str, Definitions], dict[str, str]]] = {}
    for path in test_files:
        folder = path.parent
        if folder not in cache:
            cache[folder] = load_models(folder)
        models, refused = cache[folder]
        yield from run_test_file(path, folder.name, models, refused)


def run_test_file(
    path: Path, folder: str, models: dict[str, Definitions], refused: dict[str, str]
) -> Iterator[Result]:
    try:
        root = read_xml_tests(path)
    except Exception as exc:  # noqa: BLE001
        yield Result(folder, path.name, "-", False, f"test file unreadable: {exc}")
        return
    model_name = (root.findtext("{*}modelName") or "").strip()
    definitions = models.get(model_name)
    imported = {model.namespace: model for model in models.values()}
    for case in children(root, "testCase"):
        case_id = case.get("id") or "?"
        inputs: dict[Any, Any] = {}
        for node in children(case, "inputNode"):
            name = node.get("name") or ""
            try:
                value = read_value(node)
            except Exception as exc:  # noqa: BLE001
                value = None
                del exc
            if node.get("namespace"):
                inputs[(node.get("namespace"), name)] = value
            inputs.setdefault(name, value)
        for result_node in children(case, "resultNode"):
            name = result_node.get("name") or ""
            expected_node = child(result_node, "expected")
            try:
                expected = read_value(expected_node) if expected_node is not None else None
            except Exception as exc:  # noqa: BLE001
                yield Result(folder, case_id, name, False, f"bad expected value: {exc}")
                continue
            if definitions is None:
                reason = refused.get(model_name, f"model {model_name!r} not found")
                yield Result(folder, case_id, name, False, f"model refused: {reason}")
                continue
            kind = result_node.get("type") or case.get("type") or "decision"
            invocable = case.get("invocableName") if kind == "decisionService" else None
            try:
                runtime = Runtime(definitions, imported)
                if kind == "decisionService" and invocable and name == invocable:
                    actual = runtime.evaluate_service(invocable, inputs)
                elif kind == "decisionService" and invocable:
                    actual = runtime.evaluate_service(invocable, inputs)
                    actual = actual.get(name) if isinstance(actual, dict) else actual
                else:
                    actual = runtime.evaluate_decision(name, inputs)
            except Exception as exc:  # noqa: BLE001 - one case's failure is a FAIL, not a crash
                yield Result(folder, case_id, name, False, f"{type(exc).__name__}: {exc}")
                continue
            if same(actual, expected):
                yield Result(folder, case_id, name, True, show(actual))
            else:
                why = "; ".join(runtime.errors[:2])
                yield Result(
                    folder, case_id, name, False,
                    f"expected {show(expected)} got {show(actual)}" + (f" ({why})" if why else ""),
                )  # fmt: skip


def read_xml_tests(path: Path) -> Element:
    data = path.read_bytes()
    return _parse_tests(data)


def _parse_tests(data: bytes) -> Element:
    return SafeET.fromstring(data)


__all__ = ["Result", "run_folder_tree", "same", "read_value", "local", "read_xml", "DmnError"]
