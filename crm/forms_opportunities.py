from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms import OwnerChoiceField, _active_users, name_empty_choices
from crm.models import Account, Opportunity, OpportunityCategory, OpportunityStage
from crm.services_opportunities import OPPORTUNITY_EDIT_FIELDS, OPPORTUNITY_FIELDS


class OpportunityForm(forms.ModelForm):
    owner = OwnerChoiceField(queryset=_active_users(), required=False, label=_("Owner"))

    class Meta:
        model = Opportunity
        fields = OPPORTUNITY_FIELDS
        widgets = {"close_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "category": _("The category chooses the dynamic case the opportunity runs."),
            "stage": _("Leave empty to start at the first stage of its case."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The stage moves on the workflow bar, where the case checks its steps.
            del self.fields["stage"]
        else:
            self.fields["stage"].queryset = OpportunityStage.objects.order_by("order", "name")
        self.fields["owner"].queryset = _active_users()
        self.fields["account"].queryset = Account.objects.order_by("name")
        self.fields["category"].queryset = OpportunityCategory.objects.order_by("order", "name")
        name_empty_choices(self)
        self.fields["title"].widget.attrs.update(autofocus=True)
        self.fields["amount"].widget.attrs.update(min="0", step="0.01")

    @property
    def service_fields(self):
        allowed = OPPORTUNITY_EDIT_FIELDS if self.instance.pk else OPPORTUNITY_FIELDS
        return {k: v for k, v in self.cleaned_data.items() if k in allowed}
