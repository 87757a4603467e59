"""The designer's forms: a new process's name and code; a test run's variables."""

from django import forms
from django.utils.translation import gettext_lazy as _

from processes.bounded_inputs import MAX_JSON_LENGTH, parse_variables
from processes.designer import CODE_PATTERN


class NewProcessForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(
        label=_("Code"),
        max_length=100,
        help_text=_("The process id in BPMN: letters, digits, _ . or -, e.g. order_approval."),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not CODE_PATTERN.match(code):
            raise forms.ValidationError(
                _("Use letters, digits, _ . or -, starting with a letter or _.")
            )
        return code


class TestRunForm(forms.Form):
    """A test run's variables: a JSON object, bounded like every variable a person types."""

    variables = forms.CharField(
        label=_("Variables"),
        required=False,
        # One character over the bound, so parse_variables says what the bound is.
        max_length=MAX_JSON_LENGTH + 1,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_('A JSON object, e.g. {"amount": 1200}; empty: none.'),
    )

    def clean_variables(self):
        return parse_variables(self.cleaned_data["variables"], self.fields["variables"].label)
