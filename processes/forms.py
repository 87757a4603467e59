"""Forms of the Process library and the Process log: they validate, nothing more."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from processes.bounded_inputs import (
    BoundedCharField,
    BoundedDecimalField,
    BoundedFloatField,
    BoundedIntegerField,
    parse_variables,
)
from processes.models import KeptMessage, ProcessInstance

MAX_BPMN_BYTES = 2 * 1024 * 1024
MAX_UPLOAD_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """One or more files from one file input; cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class LibraryUploadForm(forms.Form):
    """BPMN and DMN files for the Process library, one or several at once."""

    file = MultipleFileField(
        label=_("BPMN 2.0 files and DMN files"),
        help_text=_(
            "One or more .bpmn, .dmn or .xml files from any BPMN or DMN modeller, up to 2 MB each."
        ),
        widget=MultipleFileInput(attrs={"accept": ".bpmn,.dmn,.xml,application/xml,text/xml"}),
    )

    def clean_file(self):
        uploads = self.cleaned_data["file"]
        if len(uploads) > MAX_UPLOAD_FILES:
            raise forms.ValidationError(
                _("Import at most %(max)s files at once."),
                params={"max": MAX_UPLOAD_FILES},
                code="too_many",
            )
        for upload in uploads:
            if upload.size > MAX_BPMN_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is %(size)s MB; a file may be at most 2 MB."),
                    params={"name": upload.name, "size": f"{upload.size / 1024 / 1024:.1f}"},
                    code="too_large",
                )
        return uploads

    def uploaded_files(self) -> list[tuple[str, bytes]]:
        return [(upload.name, upload.read()) for upload in self.cleaned_data["file"]]


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
    archived = forms.BooleanField(label=_("Include archived"), required=False)

    def __init__(self, *args, processes, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["process"].choices = [("", _("All processes")), *processes]
        self.fields["owner"].choices = [("", _("Anyone")), *owners]
        for name, field in self.fields.items():
            css = (
                "filter-control"
                if "started" in name or name == "archived"
                else "filter-control select-compact"
            )
            field.widget.attrs.update({"class": css, "id": f"log-{name.replace('_', '-')}"})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_from"), cleaned.get("started_to")
        if start and end and start > end:
            self.add_error("started_to", _("The end date is before the start date."))
        return cleaned


class MessageFilterForm(forms.Form):
    """The filters of the Process log's Messages page (``q``: the name contains it)."""

    q = forms.CharField(label=_("Message name"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *KeptMessage.Status.choices],
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "filter-control select-compact" if name == "status" else "filter-control"
            field.widget.attrs.update({"class": css, "id": f"message-{name.replace('_', '-')}"})

    def clean_q(self):
        return self.cleaned_data["q"].strip()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end date is before the start date."))
        return cleaned


# Evaluating a decision from its page: one field per input data, by its FEEL type.
_DECISION_FIELD_FOR_TYPE = {
    "number": lambda label: BoundedDecimalField(label=label, required=False),
    "string": lambda label: BoundedCharField(label=label, required=False),
    "boolean": lambda label: forms.NullBooleanField(
        label=label,
        required=False,
        widget=forms.Select(
            choices=[("unknown", _("Not given")), ("true", _("Yes")), ("false", _("No"))]
        ),
    ),
    "date": lambda label: forms.DateField(
        label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
    ),
}
_DECISION_TYPE_HELP = {
    "number": _("Number"),
    "string": _("Text"),
    "boolean": _("Yes or no"),
    "date": _("Date"),
}


class JsonValueField(BoundedCharField):
    """Any JSON value (a list, an object, a number...); plain text stays text."""

    def to_python(self, value):
        text = super().to_python(value)
        if not text.strip():
            return None
        try:
            return parse_variables(f'{{"value": {text}}}', self.label)["value"]
        except forms.ValidationError:
            return text


class DecisionEvaluateForm(forms.Form):
    """Try a decision out: its input data, each by its type; left empty is null."""

    def __init__(self, *args, inputs: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.inputs = inputs
        for index, (name, kind) in enumerate(inputs):
            make = _DECISION_FIELD_FOR_TYPE.get(kind)
            if make is None:
                field = JsonValueField(label=name, required=False)
                field.help_text = (
                    _("%(type)s, as JSON") % {"type": kind} if kind else _("A JSON value or text")
                )
            else:
                field = make(name)
                field.help_text = _DECISION_TYPE_HELP[kind]
            self.fields[f"input_{index}"] = field

    def decision_inputs(self) -> dict:
        return {
            name: self.cleaned_data.get(f"input_{index}")
            for index, (name, _kind) in enumerate(self.inputs)
        }
