"""The designer's one form: a new process's name and code."""

from django import forms
from django.utils.translation import gettext_lazy as _

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
