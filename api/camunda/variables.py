"""Camunda's typed variables (`{"value": …, "type": "String", "valueInfo": {}}`) to and
from the JSON values Flowdesk's processes hold.

In: String, Boolean, Short, Integer, Long, Double, Json, Date, Null, and Object when its
serializationDataFormat is JSON; any other type (Bytes, File, Java-serialized objects,
XML) is refused naming the variable. A missing type is guessed from the JSON value, as
Camunda does. Dates become ISO 8601 text; Json and JSON Objects become the value they
hold. The whole result then passes the bounds every variable a person types passes
(processes/bounded_inputs.py): text length, number size, JSON size and depth.

Out: the type is read from the value: text String, true/false Boolean, a whole number
Integer (or Long past 32 bits), other numbers Double, None Null, objects and lists Json
(the value as JSON text, as Camunda sends Json).
"""

from __future__ import annotations

import json
import math
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _

from processes import bounded_inputs

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
SHORT_MIN, SHORT_MAX = -(2**15), 2**15 - 1
MAX_NAME_LENGTH = 255
JSON_FORMATS = {"application/json", "json"}
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"  # Camunda's yyyy-MM-dd'T'HH:mm:ss.SSSZ


class VariableError(Exception):
    """A typed variable Flowdesk cannot take: 400 naming the variable."""

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


def _refuse(name, message, **params):
    return VariableError(name, message % {"name": name, **params})


def _whole(name, value, low, high, type_name):
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _refuse(
            name, _("Variable “%(name)s”: give a whole number as %(type)s."), type=type_name
        )
    if isinstance(value, str):
        text = value.strip()
        if len(text) > bounded_inputs.MAX_NUMBER_TEXT or not text.lstrip("+-").isdigit():
            raise _refuse(
                name, _("Variable “%(name)s”: give a whole number as %(type)s."), type=type_name
            )
        value = int(text)
    if not low <= value <= high or abs(value) >= bounded_inputs.MAX_NUMBER:
        raise _refuse(name, _("Variable “%(name)s” is out of range for %(type)s."), type=type_name)
    return value


def _double(name, value):
    if isinstance(value, bool):
        raise _refuse(name, _("Variable “%(name)s”: give a number as Double."))
    if isinstance(value, str):
        if len(value.strip()) > bounded_inputs.MAX_NUMBER_TEXT:
            raise _refuse(name, _("Variable “%(name)s” is out of range for Double."))
        try:
            value = float(value)
        except ValueError:
            raise _refuse(name, _("Variable “%(name)s”: give a number as Double.")) from None
    if not isinstance(value, int | float):
        raise _refuse(name, _("Variable “%(name)s”: give a number as Double."))
    if isinstance(value, float) and not math.isfinite(value):
        raise _refuse(name, _("Variable “%(name)s”: give a finite number as Double."))
    if abs(value) >= bounded_inputs.MAX_NUMBER:
        raise _refuse(name, _("Variable “%(name)s” is out of range for Double."))
    return float(value)


def _boolean(name, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    raise _refuse(name, _("Variable “%(name)s”: give true or false as Boolean."))


def _string(name, value):
    if not isinstance(value, str):
        if isinstance(value, bool | int | float):
            value = json.dumps(value)
        else:
            raise _refuse(name, _("Variable “%(name)s”: give a text as String."))
    return value


def _date(name, value):
    if not isinstance(value, str) or len(value) > bounded_inputs.MAX_NUMBER_TEXT:
        raise _refuse(name, _("Variable “%(name)s”: give a date as 2026-06-30T21:33:31.000+0200."))
    text = value.strip()
    try:
        moment = datetime.strptime(text, DATE_FORMAT)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise _refuse(
                name, _("Variable “%(name)s”: give a date as 2026-06-30T21:33:31.000+0200.")
            ) from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.isoformat()


def _json_text(name, value):
    """A JSON text parsed within the bounds (a JSON value itself is taken as it is)."""
    if not isinstance(value, str):
        return value
    if len(value) > bounded_inputs.MAX_JSON_LENGTH:
        raise _refuse(
            name,
            _("Variable “%(name)s” may be at most %(max)s characters of JSON."),
            max=f"{bounded_inputs.MAX_JSON_LENGTH:,}",
        )
    try:
        # parse_variables takes an object: the value is wrapped, bounded, unwrapped.
        return bounded_inputs.parse_variables('{"value": ' + value + "}", name)["value"]
    except forms.ValidationError as error:
        raise VariableError(name, f"{name}: {' '.join(error.messages)}") from None


def _object(name, value, info):
    data_format = str(info.get("serializationDataFormat") or "application/json").lower()
    if data_format not in JSON_FORMATS:
        raise _refuse(
            name,
            _(
                "Variable “%(name)s”: only Objects serialized as application/json are "
                "supported, not %(format)s."
            ),
            format=data_format,
        )
    return _json_text(name, value)


CONVERTERS = {
    "string": _string,
    "boolean": _boolean,
    "short": lambda n, v: _whole(n, v, SHORT_MIN, SHORT_MAX, "Short"),
    "integer": lambda n, v: _whole(n, v, INT_MIN, INT_MAX, "Integer"),
    "long": lambda n, v: _whole(n, v, -(2**63), 2**63 - 1, "Long"),
    "double": _double,
    "date": _date,
    "json": _json_text,
}


def variable_in(name: str, typed) -> object:
    """One typed variable as the value Flowdesk stores."""
    if not isinstance(typed, dict):
        raise _refuse(name, _('Variable “%(name)s”: give {"value": …, "type": …}.'))
    value = typed.get("value")
    type_name = str(typed.get("type") or "").strip()
    kind = type_name.lower()
    info = typed.get("valueInfo") or {}
    if not isinstance(info, dict):
        raise _refuse(name, _("Variable “%(name)s”: valueInfo must be an object."))
    if kind == "null" or (value is None and kind not in {"json", "object"}):
        return None
    if not kind:  # no type: the JSON value as it is, as Camunda guesses it
        return value
    if kind == "object":
        return _object(name, value, info)
    converter = CONVERTERS.get(kind)
    if converter is None:
        raise _refuse(
            name,
            _("Variable “%(name)s”: the type %(type)s is not supported by Flowdesk."),
            type=type_name[:40],
        )
    return converter(name, value)


def variables_in(typed_variables, field: str = "variables") -> dict:
    """A Camunda variables map as a plain dict, within the bounds of bounded_inputs."""
    if typed_variables is None:
        return {}
    if not isinstance(typed_variables, dict):
        raise VariableError(
            field, _("%(field)s must be an object of variables.") % {"field": field}
        )
    out = {}
    for name, typed in typed_variables.items():
        if not name or len(name) > MAX_NAME_LENGTH:
            raise VariableError(
                field,
                _("A variable name must have 1 to %(max)s characters.") % {"max": MAX_NAME_LENGTH},
            )
        if name.startswith("__"):
            raise _refuse(
                name, _("Variable “%(name)s”: names starting with __ are Flowdesk's own.")
            )
        out[name] = variable_in(name, typed)
    # The same bounds as every variable a person types: size, depth, numbers, texts.
    try:
        bounded_inputs.parse_variables(json.dumps(out), field)
    except forms.ValidationError as error:
        raise VariableError(field, " ".join(error.messages)) from None
    return out


def variable_out(value) -> dict:
    """One stored value as Camunda's typed variable."""
    if value is None:
        return {"type": "Null", "value": None, "valueInfo": {}}
    if isinstance(value, bool):
        return {"type": "Boolean", "value": value, "valueInfo": {}}
    if isinstance(value, int):
        kind = "Integer" if INT_MIN <= value <= INT_MAX else "Long"
        return {"type": kind, "value": value, "valueInfo": {}}
    if isinstance(value, float):
        return {"type": "Double", "value": value, "valueInfo": {}}
    if isinstance(value, str):
        return {"type": "String", "value": value, "valueInfo": {}}
    return {"type": "Json", "value": json.dumps(value), "valueInfo": {}}


def variables_out(variables: dict) -> dict:
    """A stored variables dict as Camunda's map, without Flowdesk's own (`__…`) names."""
    return {
        name: variable_out(value)
        for name, value in (variables or {}).items()
        if not name.startswith("__")
    }
