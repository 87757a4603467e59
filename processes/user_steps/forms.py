"""Forms of user step pages, built from the element's flowdesk: attributes.

Each builder takes the step's StepSpec (processes.user_steps.spec) and returns a Django
form; `values(form)` turns its cleaned data into process variables (JSON
values: dates as ISO text, records as their ids).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

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


AUTO_KINDS = ("text", "number", "date", "bool", "lookup")


def parse_auto_fields(text: str) -> list[AutoField]:
    """'comment:text:Comment:required; account:lookup:crm.Account:Account' -> fields."""
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
                    "field “%(name)s” has kind “%(kind)s”; use text, number, date, bool or "
                    "lookup:app.Model"
                )
                % {"name": name, "kind": kind}
            )
        label = rest[0] if rest and rest[0] else name.replace("_", " ").capitalize()
        required = len(rest) > 1 and rest[1].lower() in ("required", "*", "true")
        found.append(AutoField(name, kind, label, required, model))
    return found


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
        common = {"label": field.label, "required": field.required}
        if field.kind == "number":
            return BoundedDecimalField(**common)
        if field.kind == "date":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        if field.kind == "bool":
            return forms.TypedChoiceField(
                choices=[("", "—"), ("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda v: v == "yes",
                empty_value=None,
                **common,
            )
        if field.kind == "lookup":
            model = registry.get_model(field.model).model
            return BoundedModelChoiceField(queryset=model._default_manager.all(), **common)
        return BoundedCharField(widget=forms.Textarea(attrs={"rows": 3}), **common)

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
