"""Forms of user step pages, built from the element's flowdesk: attributes.

Each builder takes the step's StepSpec (processes.user_steps.spec) and returns a Django
form; `values(form)` turns its cleaned data into process variables (JSON
values: dates as ISO text, records as their ids).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote

from django import forms
from django.forms import modelform_factory
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.forms import name_empty_choices
from processes import registry
from processes.bounded_inputs import (
    MAX_NUMBER_TEXT,
    BoundedCharField,
    BoundedDecimalField,
    bound_form_field,
)
from processes.engine.graph import split_list
from processes.user_steps.spec import DEFAULT_RESULTS


class PageDefinitionError(ValueError):
    """The element's attributes describe a page that cannot be built; says which and why."""


# -- Question --------------------------------------------------------------------------


class QuestionForm(forms.Form):
    def __init__(self, *args, spec, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        choices = [(answer, answer) for answer in spec.answers]
        if not choices:
            raise PageDefinitionError(_("the question has no answers (flowdesk:answers)"))
        if spec.multiple:
            field = forms.MultipleChoiceField(
                choices=choices,
                widget=forms.CheckboxSelectMultiple,
                label=_("Choose one or more answers"),
            )
        else:
            field = forms.ChoiceField(
                choices=choices, widget=forms.RadioSelect, label=_("Choose an answer")
            )
        field.error_messages["required"] = _("Choose an answer to go on.")
        self.fields["answer"] = field

    def variables(self) -> dict:
        return {self.spec.variable: self.cleaned_data["answer"]}

    def result(self) -> str:
        """A single answer is the step's result too (when the element allows it)."""
        answer = self.cleaned_data["answer"]
        if isinstance(answer, list):
            return ""
        if self.spec.results != DEFAULT_RESULTS:
            return answer if answer in self.spec.results else ""
        return answer


# -- Auto-generated page ---------------------------------------------------------------


@dataclass(frozen=True)
class AutoField:
    name: str
    kind: str
    label: str
    required: bool = False
    model: str = ""
    default: str | None = None
    choices: tuple[tuple[str, str], ...] = ()
    minlength: int | None = None
    maxlength: int | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    readonly: bool = False


AUTO_KINDS = ("text", "number", "date", "bool", "choice", "lookup")
# Options after the label: 'required', 'readonly', and key=value (the value
# percent-encoded; choices as id=label pairs joined by '|', each part encoded).
_WHOLE_OPTIONS = ("minlength", "maxlength")
_NUMBER_OPTIONS = ("min", "max")


def _options(name: str, items: list[str]) -> dict:
    found: dict = {"required": False, "readonly": False}
    for item in items:
        key, has_value, value = item.partition("=")
        key = key.strip().lower()
        if not has_value:
            if key in ("required", "*", "true"):
                found["required"] = True
            elif key == "readonly":
                found["readonly"] = True
            elif key:
                raise PageDefinitionError(
                    _("field “%(name)s” has an unknown option “%(option)s”")
                    % {"name": name, "option": item}
                )
            continue
        if key == "choices":
            pairs = []
            for pair in value.split("|"):
                choice, _eq, text = pair.partition("=")
                choice = unquote(choice)
                if choice:
                    pairs.append((choice, unquote(text) or choice))
            found["choices"] = tuple(pairs)
        elif key == "default":
            found["default"] = unquote(value)
        elif key in _WHOLE_OPTIONS:
            try:
                found[key] = int(unquote(value))
            except ValueError:
                raise PageDefinitionError(
                    _("field “%(name)s”: %(option)s must be a whole number, not “%(value)s”")
                    % {"name": name, "option": key, "value": unquote(value)}
                ) from None
        elif key in _NUMBER_OPTIONS:
            try:
                found[key] = Decimal(unquote(value))
            except InvalidOperation:
                raise PageDefinitionError(
                    _("field “%(name)s”: %(option)s must be a number, not “%(value)s”")
                    % {"name": name, "option": key, "value": unquote(value)}
                ) from None
        else:
            raise PageDefinitionError(
                _("field “%(name)s” has an unknown option “%(option)s”")
                % {"name": name, "option": key}
            )
    return found


def parse_auto_fields(text: str) -> list[AutoField]:
    """'comment:text:Comment:required; account:lookup:crm.Account:Account' -> fields.

    After the label come options: `required`, `readonly`, `default=...`,
    `minlength=`/`maxlength=` (text), `min=`/`max=` (number) and, for a choice,
    `choices=id=Label|id=Label` (values percent-encoded; see
    processes.engine.bpmn.vendor.auto_field_text)."""
    found = []
    for item in split_list(text):
        parts = [p.strip() for p in item.split(":")]
        if len(parts) < 2 or not parts[0].isidentifier():
            raise PageDefinitionError(
                _("field “%(item)s” must read name:kind:Label[:required]") % {"item": item}
            )
        name, kind, rest = parts[0], parts[1], parts[2:]
        model = ""
        if kind == "lookup":
            if not rest:
                raise PageDefinitionError(
                    _("lookup field “%(name)s” must name a model (lookup:app.Model)")
                    % {"name": name}
                )
            model, rest = rest[0], rest[1:]
            try:
                registry.get_model(model)
            except registry.UnknownModel as error:
                raise PageDefinitionError(str(error)) from None
        elif kind not in AUTO_KINDS:
            raise PageDefinitionError(
                _(
                    "field “%(name)s” has kind “%(kind)s”; use text, number, date, bool, "
                    "choice or lookup:app.Model"
                )
                % {"name": name, "kind": kind}
            )
        label = rest[0] if rest and rest[0] else name.replace("_", " ").capitalize()
        options = _options(name, rest[1:])
        field = AutoField(name, kind, label, model=model, **options)
        _check_field(field)
        found.append(field)
    return found


def _check_field(field: AutoField) -> None:
    """Refuse an auto field whose options cannot hold together (at import)."""
    if field.kind == "choice" and not field.choices:
        raise PageDefinitionError(
            _("choice field “%(name)s” has no values to choose from") % {"name": field.name}
        )
    if field.default is None:
        return
    try:
        _initial(field)
    except (ValueError, InvalidOperation):
        raise PageDefinitionError(
            _("field “%(name)s”: the default “%(value)s” is not a %(kind)s")
            % {"name": field.name, "value": field.default, "kind": field.kind}
        ) from None
    if field.kind == "choice" and field.default not in dict(field.choices):
        raise PageDefinitionError(
            _("field “%(name)s”: the default “%(value)s” is not one of its values")
            % {"name": field.name, "value": field.default}
        )


def _initial(field: AutoField):
    """A field's default as the form shows it (an expression default is not evaluated)."""
    value = field.default
    if value is None or value.startswith(("${", "#{", "=")):
        return None
    if field.kind == "number":
        return Decimal(value)
    if field.kind == "date":
        return dt.date.fromisoformat(value)
    if field.kind == "bool":
        if value.lower() not in ("true", "false", "yes", "no"):
            raise ValueError(value)
        return "yes" if value.lower() in ("true", "yes") else "no"
    return value


class BoundedModelChoiceField(forms.ModelChoiceField):
    """A record chosen by its id; an id far longer than any id is refused unread."""

    def to_python(self, value):
        if isinstance(value, str) and len(value) > MAX_NUMBER_TEXT:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return super().to_python(value)


class AutoPageForm(forms.Form):
    def __init__(self, *args, spec, **kwargs):
        super().__init__(*args, **kwargs)
        self.spec = spec
        self.auto_fields = parse_auto_fields(spec.fields)
        for field in self.auto_fields:
            self.fields[field.name] = self._field(field)
        name_empty_choices(self)

    @staticmethod
    def _field(field: AutoField):
        made = AutoPageForm._made(field)
        initial = _initial(field)
        if initial is not None:
            made.initial = initial
        if field.readonly:
            made.disabled = True
            made.required = False
            made.help_text = _("Filled in by the process; it cannot be changed here.")
        return made

    @staticmethod
    def _made(field: AutoField):
        common = {"label": field.label, "required": field.required}
        if field.kind == "number":
            return BoundedDecimalField(min_value=field.min, max_value=field.max, **common)
        if field.kind == "date":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if field.kind == "bool":
            return forms.TypedChoiceField(
                choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda v: v == "yes",
                empty_value=None,
                **common,
            )
        if field.kind == "choice":
            return forms.ChoiceField(choices=[("", "—"), *field.choices], **common)
        if field.kind == "lookup":
            model = registry.get_model(field.model).model
            return BoundedModelChoiceField(queryset=model._default_manager.all(), **common)
        # A short text (a bounded length, or one that cannot be edited) is one line.
        short = (field.maxlength is not None and field.maxlength <= 200) or field.readonly
        return BoundedCharField(
            widget=forms.TextInput() if short else forms.Textarea(attrs={"rows": 3}),
            min_length=field.minlength,
            max_length=field.maxlength,
            **common,
        )

    def variables(self) -> dict:
        values = {}
        for field in self.auto_fields:
            value = self.cleaned_data.get(field.name)
            if field.kind == "number" and value is not None:
                value = int(value) if value == int(value) else float(value)
            elif field.kind == "date" and value is not None:
                value = value.isoformat()
            elif field.kind == "lookup" and value is not None:
                value = value.pk
            elif field.kind == "bool" and isinstance(value, str):
                value = value == "yes"  # a read-only field keeps its initial text
            elif field.kind == "choice" and value == "":
                value = None
            values[field.name] = value
        return values


# -- Open edit page --------------------------------------------------------------------


def parse_edit_fields(text: str, label: str) -> list[tuple[str, bool]]:
    """'a,b*,c' -> [('a', False), ('b', True), ('c', False)], registered fields only."""
    entry = registry.get_model(label)
    fields = []
    for item in split_list(text) or list(entry.fields):
        required = item.endswith("*")
        name = item.rstrip("*").strip()
        if name not in entry.fields:
            raise PageDefinitionError(
                _(
                    "field “%(name)s” of %(model)s is not registered for processes "
                    "(registered: %(fields)s)"
                )
                % {"name": name, "model": entry.label, "fields": ", ".join(entry.fields)}
            )
        fields.append((name, required))
    return fields


def record_form_class(spec):
    """A ModelForm over the registered fields the element names; '*' marks required ones."""
    if not spec.model:
        raise PageDefinitionError(_("an edit page needs flowdesk:model"))
    try:
        entry = registry.get_model(spec.model)
    except registry.UnknownModel as error:
        raise PageDefinitionError(str(error)) from None
    fields = parse_edit_fields(spec.fields, spec.model)
    form_class = modelform_factory(entry.model, fields=[name for name, _required in fields])
    required = {name for name, is_required in fields if is_required}

    class RecordPageForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            for name in required:
                self.fields[name].required = True
            for name, field in self.fields.items():
                bound_form_field(field)
                if isinstance(field.widget, forms.Textarea):
                    field.widget.attrs.setdefault("rows", 3)
                if name in required:
                    field.widget.attrs["aria-required"] = "true"
            name_empty_choices(self)

    return RecordPageForm


# -- Send email ------------------------------------------------------------------------


class EmailPageForm(forms.Form):
    to = forms.CharField(label=gettext_lazy("To"), max_length=500)
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300)
    body = BoundedCharField(label=gettext_lazy("Message"), widget=forms.Textarea(attrs={"rows": 8}))

    def clean_to(self):
        addresses = split_list(self.cleaned_data["to"])
        validator = forms.EmailField()
        for address in addresses:
            try:
                validator.clean(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("“%(address)s” is not an email address.") % {"address": address}
                ) from None
        if not addresses:
            raise forms.ValidationError(_("Give at least one address."))
        return addresses


# -- Perform later / Close -------------------------------------------------------------


class PostponeForm(forms.Form):
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    time = forms.TimeField(
        label=gettext_lazy("Time"), widget=forms.TimeInput(attrs={"type": "time"})
    )

    @staticmethod
    def initial_for(now=None):
        now = timezone.localtime(now or timezone.now())
        later = (now + dt.timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
        return {"date": later.date().isoformat(), "time": later.strftime("%H:%M")}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            until = timezone.make_aware(dt.datetime.combine(cleaned["date"], cleaned["time"]))
            if until <= timezone.now():
                raise forms.ValidationError(_("Choose a date and time in the future."))
            cleaned["until"] = until
        return cleaned
