"""Forms of the Process library and the Process log: they validate, nothing more."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from processes.bounded_inputs import (
    BoundedCharField,
    BoundedFloatField,
    BoundedIntegerField,
    parse_variables,
)
from processes.models import ProcessInstance

MAX_BPMN_BYTES = 2 * 1024 * 1024


class BpmnUploadForm(forms.Form):
    file = forms.FileField(
        label=_("BPMN 2.0 file"),
        help_text=_("A .bpmn or .xml file from any BPMN modeller, up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".bpmn,.xml,application/xml,text/xml"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BPMN_BYTES:
            raise forms.ValidationError(
                _("This file is %(size)s MB; a BPMN file may be at most 2 MB."),
                params={"size": f"{upload.size / 1024 / 1024:.1f}"},
                code="too_large",
            )
        return upload


class JsonObjectField(forms.CharField):
    """A textarea holding one JSON object."""

    widget = forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "code-input"})

    def to_python(self, value):
        return parse_variables(super().to_python(value), self.label)

    def prepare_value(self, value):
        if isinstance(value, dict):
            return json.dumps(value, indent=2, ensure_ascii=False, default=str)
        return value


class StartVariablesForm(forms.Form):
    """Start a process with free-form variables (when it declares no inputs)."""

    variables = JsonObjectField(
        label=_("Input variables"),
        required=False,
        help_text=_('A JSON object, such as {"budget": 1200, "people": 4}. Leave empty for none.'),
    )

    def start_variables(self):
        return self.cleaned_data["variables"]


class SignalForm(forms.Form):
    """Throw a signal by hand: every instance waiting for it goes on, signal starts start."""

    name = forms.CharField(
        label=_("Signal name"),
        max_length=200,
        help_text=_("The signal's name as the models declare it."),
    )
    payload = JsonObjectField(
        label=_("Payload"),
        required=False,
        help_text=_("Optional: a JSON object the catching steps store as variables."),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "code-input"}),
    )

    def clean_name(self):
        return self.cleaned_data["name"].strip()


_FIELD_FOR_TYPE = {
    "text": lambda label: BoundedCharField(label=label, required=False),
    "integer": lambda label: BoundedIntegerField(label=label, required=False),
    "number": lambda label: BoundedFloatField(label=label, required=False),
    "boolean": lambda label: forms.BooleanField(label=label, required=False),
    "date": lambda label: forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    ),
}


class StartInputsForm(forms.Form):
    """Start a process whose BPMN declares its inputs (flowdesk:inputs)."""

    def __init__(self, *args, inputs, **kwargs):
        super().__init__(*args, **kwargs)
        self.inputs = inputs
        for item in inputs:
            field = _FIELD_FOR_TYPE[item.type](item.name)
            field.help_text = {
                "text": _("Text"),
                "integer": _("Whole number"),
                "number": _("Number"),
                "boolean": _("Yes or no"),
                "date": _("Date"),
            }[item.type]
            self.fields[item.name] = field

    def start_variables(self):
        values = {}
        for item in self.inputs:
            value = self.cleaned_data.get(item.name)
            if value is None or value == "":
                continue
            values[item.name] = value.isoformat() if item.type == "date" else value
        return values


class InstanceVariablesForm(forms.Form):
    variables = JsonObjectField(
        label=_("Variables"),
        help_text=_(
            "The instance's variables as a JSON object. Fix the cause, then run the "
            "failed item again."
        ),
    )

    def __init__(self, *args, instance: ProcessInstance, **kwargs):
        kwargs.setdefault(
            "initial",
            {"variables": {k: v for k, v in instance.variables.items() if not k.startswith("__")}},
        )
        super().__init__(*args, **kwargs)


STATUS_CHOICES = [("", _("Any status")), *ProcessInstance.Status.choices]


class LogFilterForm(forms.Form):
    process = forms.TypedChoiceField(
        label=_("Process"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    owner = forms.TypedChoiceField(
        label=_("Started by"), required=False, coerce=int, empty_value=None
    )
    started_from = forms.DateField(
        label=_("Started from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    started_to = forms.DateField(
        label=_("Started to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, processes, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].choices = [("", _("All processes")), *processes]
        self.fields["owner"].choices = [("", _("Anyone")), *owners]
        for name, field in self.fields.items():
            css = "filter-control" if "started" in name else "filter-control select-compact"
            field.widget.attrs.update({"class": css, "id": f"log-{name.replace('_', '-')}"})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_from"), cleaned.get("started_to")
        if start and end and start > end:
            self.add_error("started_to", _("The end date is before the start date."))
        return cleaned
