"""Bounds on everything a person types that becomes process variables.

A number is refused before it is turned into a Python number when its text
is long, and after when it has too many digits or is too large; a text is
refused past a length; a JSON object past a size, a depth, or holding a
value that breaks those bounds. Every refusal names the field, so the form
says what to fix, and nothing is stored. (An unbounded number such as
`1e300000` once built a huge integer while holding the GIL, then could not be
stored as JSON.)
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

from django import forms
from django.utils.translation import gettext as _

MAX_TEXT_LENGTH = 10_000  # characters of one text value
MAX_WHOLE_DIGITS = 15  # digits before the decimal point: below a quadrillion
MAX_DECIMAL_PLACES = 6
MAX_NUMBER_TEXT = 64  # characters of a typed number, checked before it is parsed
MAX_NUMBER = 10**MAX_WHOLE_DIGITS  # magnitude every number stays below
MAX_JSON_LENGTH = 200_000  # characters of a JSON object of variables
MAX_JSON_DEPTH = 32


def _name(field) -> str:
    return str(field.label or _("This field"))


def text_too_long(label, value: str):
    return forms.ValidationError(
        _("“%(field)s” may be at most %(max)s characters long (it has %(length)s)."),
        code="too_long",
        params={"field": label, "max": f"{MAX_TEXT_LENGTH:,}", "length": f"{len(value):,}"},
    )


def number_too_large(label):
    return forms.ValidationError(
        _(
            "“%(field)s” is too large: give a number with at most %(digits)s digits before "
            "the decimal point."
        ),
        code="too_large",
        params={"field": label, "digits": MAX_WHOLE_DIGITS},
    )


def _check_number_text(field, value):
    if isinstance(value, str) and len(value.strip()) > MAX_NUMBER_TEXT:
        raise number_too_large(_name(field))


class BoundedDecimalField(forms.DecimalField):
    """A number with at most MAX_WHOLE_DIGITS digits before the point and
    MAX_DECIMAL_PLACES after it; its text is checked before it is parsed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", MAX_WHOLE_DIGITS + MAX_DECIMAL_PLACES)
        kwargs.setdefault("decimal_places", MAX_DECIMAL_PLACES)
        super().__init__(**kwargs)

    def to_python(self, value):
        _check_number_text(self, value)
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if isinstance(value, Decimal) and value.is_finite():
            digits, exponent = value.as_tuple()[1:]
            if len(digits) + exponent > MAX_WHOLE_DIGITS:  # checked without building it
                raise number_too_large(_name(self))


class BoundedIntegerField(forms.IntegerField):
    """A whole number below MAX_NUMBER in magnitude."""

    def to_python(self, value):
        _check_number_text(self, value)
        value = super().to_python(value)
        if value is not None and abs(value) >= MAX_NUMBER:
            raise number_too_large(_name(self))
        return value


class BoundedFloatField(forms.FloatField):
    """A finite number below MAX_NUMBER in magnitude."""

    def to_python(self, value):
        _check_number_text(self, value)
        value = super().to_python(value)
        if value is not None and not math.isnan(value) and abs(value) >= MAX_NUMBER:
            raise number_too_large(_name(self))
        return value


class BoundedCharField(forms.CharField):
    """A text of at most MAX_TEXT_LENGTH characters (or the field's own, smaller maximum)."""

    def __init__(self, **kwargs):
        limit = kwargs.get("max_length")
        kwargs["max_length"] = min(limit or MAX_TEXT_LENGTH, MAX_TEXT_LENGTH)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
            raise text_too_long(_name(self), value)
        return super().to_python(value)


def bound_form_field(field) -> None:
    """Give a form field made by a ModelForm the same bounds (for record pages)."""
    name = _name(field)
    if isinstance(field, forms.CharField):
        if field.max_length is None or field.max_length > MAX_TEXT_LENGTH:
            field.max_length = MAX_TEXT_LENGTH
            field.validators.append(_MaxLength(name))
            field.widget.attrs["maxlength"] = str(MAX_TEXT_LENGTH)
    elif isinstance(field, forms.IntegerField | forms.FloatField | forms.DecimalField):
        field.validators.append(_MaxMagnitude(name))
        field.to_python = _number_text_checked(field, field.to_python)


class _MaxLength:
    def __init__(self, label):
        self.label = label

    def __call__(self, value):
        if isinstance(value, str) and len(value) > MAX_TEXT_LENGTH:
            raise text_too_long(self.label, value)


class _MaxMagnitude:
    def __init__(self, label):
        self.label = label

    def __call__(self, value):
        if value is not None and abs(value) >= MAX_NUMBER:
            raise number_too_large(self.label)


def _number_text_checked(field, to_python):
    def checked(value):
        _check_number_text(field, value)
        return to_python(value)

    return checked


# -- JSON objects of variables ------------------------------------------------------------


def parse_variables(text: str, label) -> dict:
    """A JSON object typed by a person, within the bounds; ValidationError naming `label`
    (and the variable at fault) otherwise. An empty text is an empty object."""
    if not text.strip():
        return {}
    if len(text) > MAX_JSON_LENGTH:
        raise forms.ValidationError(
            _("“%(field)s” may be at most %(max)s characters long (it has %(length)s)."),
            code="too_long",
            params={"field": label, "max": f"{MAX_JSON_LENGTH:,}", "length": f"{len(text):,}"},
        )
    try:
        data = json.loads(
            text, parse_int=_json_int(label), parse_float=_json_float(label), parse_constant=_nan
        )
    except json.JSONDecodeError as error:
        raise forms.ValidationError(
            _("This is not valid JSON: %(reason)s (line %(line)s, column %(column)s)."),
            params={"reason": error.msg, "line": error.lineno, "column": error.colno},
            code="invalid_json",
        ) from None
    except RecursionError:
        raise _too_deep(label) from None
    if not isinstance(data, dict):
        raise forms.ValidationError(
            _('Give a JSON object, such as {"budget": 1200, "people": 4}.'),
            code="not_object",
        )
    _check_json_value(data, label, "", 0)
    return data


def _json_int(label):
    def parse(text):
        if len(text.lstrip("-")) > MAX_WHOLE_DIGITS:
            raise forms.ValidationError(
                _("“%(field)s” holds a number that is too large: at most %(digits)s digits."),
                code="too_large",
                params={"field": label, "digits": MAX_WHOLE_DIGITS},
            )
        return int(text)

    return parse


def _json_float(label):
    def parse(text):
        value = float(text) if len(text) <= MAX_NUMBER_TEXT else math.inf
        if not math.isfinite(value) or abs(value) >= MAX_NUMBER:
            raise forms.ValidationError(
                _("“%(field)s” holds a number that is too large: at most %(digits)s digits."),
                code="too_large",
                params={"field": label, "digits": MAX_WHOLE_DIGITS},
            )
        return value

    return parse


def _nan(text):
    raise forms.ValidationError(
        _("%(value)s is not a number JSON can hold: give a number."),
        code="not_a_number",
        params={"value": text},
    )


def _too_deep(label):
    return forms.ValidationError(
        _("“%(field)s” is nested too deeply: at most %(depth)s levels."),
        code="too_deep",
        params={"field": label, "depth": MAX_JSON_DEPTH},
    )


def _check_json_value(value, label, path: str, depth: int) -> None:
    if depth > MAX_JSON_DEPTH:
        raise _too_deep(label)
    if isinstance(value, str):
        if len(value) > MAX_TEXT_LENGTH:
            raise forms.ValidationError(
                _("“%(field)s”: the text of %(path)s may be at most %(max)s characters long."),
                code="too_long",
                params={"field": label, "path": path or _("the value"), "max": MAX_TEXT_LENGTH},
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            if len(key) > MAX_TEXT_LENGTH:
                raise forms.ValidationError(
                    _("“%(field)s” has a variable name longer than %(max)s characters."),
                    code="too_long",
                    params={"field": label, "max": MAX_TEXT_LENGTH},
                )
            _check_json_value(item, label, f"{path}.{key}" if path else key, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_json_value(item, label, f"{path}[{index}]", depth + 1)
