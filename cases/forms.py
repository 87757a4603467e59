from django import forms
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from cases import selectors
from cases.models import (
    Case,
    CaseCategory,
    CasePriority,
    ConfigurationItem,
    Service,
    ServiceAgreement,
    SupportLevel,
    Tag,
)
from crm.models import Account, Contact


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def _agents():
    return selectors.case_workers()


def _groups():
    return selectors.case_worker_groups()


class CaseForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )
    account = forms.ModelChoiceField(
        label=_("Account"),
        queryset=Account.objects.none(),
        required=False,
        help_text=_("Empty: the contact's account."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=CaseCategory.objects.none(), required=False
    )
    priority = forms.ModelChoiceField(label=_("Priority"), queryset=CasePriority.objects.none())
    service_agreement = forms.ModelChoiceField(
        label=_("Service agreement"), queryset=ServiceAgreement.objects.none(), required=False
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False
    )
    configuration_item = forms.ModelChoiceField(
        label=_("Configuration item"), queryset=ConfigurationItem.objects.none(), required=False
    )
    support_level = forms.ModelChoiceField(
        label=_("Support level"), queryset=SupportLevel.objects.none(), required=False
    )
    assignee = UserChoiceField(label=_("Assignee"), queryset=_agents(), required=False)
    assignee_group = forms.ModelChoiceField(
        label=_("Assignee group"), queryset=Group.objects.none(), required=False
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.order_by("full_name")
        self.fields["account"].queryset = Account.objects.order_by("name")
        self.fields["category"].queryset = CaseCategory.objects.all()
        self.fields["priority"].queryset = CasePriority.objects.all()
        self.fields["service_agreement"].queryset = ServiceAgreement.objects.all()
        self.fields["service"].queryset = Service.objects.all()
        self.fields["configuration_item"].queryset = ConfigurationItem.objects.all()
        self.fields["support_level"].queryset = SupportLevel.objects.all()
        self.fields["assignee"].queryset = _agents()
        self.fields["assignee_group"].queryset = _groups()
        self.fields["tags"].queryset = Tag.objects.all()
        self.fields["subject"].widget.attrs.update(autofocus=True)


class EscalateForm(forms.Form):
    support_level = forms.ModelChoiceField(
        label=_("New support level"), queryset=SupportLevel.objects.none(), required=False
    )
    assignee = UserChoiceField(label=_("Assignee"), queryset=_agents(), required=False)
    assignee_group = forms.ModelChoiceField(
        label=_("Assignee group"), queryset=Group.objects.none(), required=False
    )
    note = forms.CharField(
        label=_("Why escalate?"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        levels = SupportLevel.objects.all()
        if case.support_level_id:
            levels = levels.filter(order__gt=case.support_level.order)
        self.fields["support_level"].queryset = levels
        self.fields["assignee"].queryset = _agents()
        self.fields["assignee_group"].queryset = _groups()


class ReassignForm(forms.Form):
    assignee = UserChoiceField(label=_("Assignee"), queryset=_agents(), required=False)
    assignee_group = forms.ModelChoiceField(
        label=_("Assignee group"), queryset=Group.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _agents()
        self.fields["assignee_group"].queryset = _groups()


class ReclassifyForm(forms.Form):
    service_agreement = forms.ModelChoiceField(
        label=_("Service agreement"), queryset=ServiceAgreement.objects.none()
    )
    service = forms.ModelChoiceField(
        label=_("Service"), queryset=Service.objects.none(), required=False
    )
    priority = forms.ModelChoiceField(
        label=_("Priority"), queryset=CasePriority.objects.none(), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_agreement"].queryset = ServiceAgreement.objects.all()
        self.fields["service"].queryset = Service.objects.all()
        self.fields["priority"].queryset = CasePriority.objects.all()


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        widget=forms.Textarea(
            attrs={
                "rows": 3,
                "placeholder": _(
                    "Ask a colleague, record what you tried… customers never see internal notes."
                ),
            }
        ),
    )


class PostponeForm(forms.Form):
    until = forms.DateTimeField(
        label=_("Postpone until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class CaseEditForm(forms.Form):
    """The case page's profile, edited in place."""

    subject = forms.CharField(label=_("Subject"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    contact = forms.ModelChoiceField(
        label=_("Contact"), queryset=Contact.objects.none(), required=False
    )
    account = forms.ModelChoiceField(
        label=_("Account"), queryset=Account.objects.none(), required=False
    )
    priority = forms.ModelChoiceField(label=_("Priority"), queryset=CasePriority.objects.none())
    assignee = UserChoiceField(label=_("Assignee"), queryset=_agents(), required=False)
    assignee_group = forms.ModelChoiceField(
        label=_("Assignee group"), queryset=Group.objects.none(), required=False
    )
    tags = forms.ModelMultipleChoiceField(
        label=_("Tags"),
        queryset=Tag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, case: Case, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "subject": case.subject,
                "description": case.description,
                "contact": case.contact_id,
                "account": case.account_id,
                "priority": case.priority_id,
                "assignee": case.assignee_id,
                "assignee_group": case.assignee_group_id,
                "tags": list(case.tags.values_list("pk", flat=True)),
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.select_related("account").order_by(
            "full_name"
        )
        self.fields["account"].queryset = Account.objects.order_by("name")
        self.fields["priority"].queryset = CasePriority.objects.all()
        self.fields["assignee"].queryset = _agents()
        self.fields["assignee_group"].queryset = _groups()
        self.fields["tags"].queryset = Tag.objects.all()
        self.fields["contact"].empty_label = _("No contact")
        self.fields["account"].empty_label = _("No account")
        self.fields["assignee"].empty_label = _("Nobody")
        self.fields["assignee_group"].empty_label = _("No group")
        self.fields["priority"].empty_label = None  # a case always has a priority


class CaseTaskForm(forms.Form):
    """A task on the case, added from its page."""

    title = forms.CharField(label=_("Task"), max_length=300)
    owner = UserChoiceField(label=_("Owner"), queryset=_agents(), required=False)
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _agents()
        self.fields["owner"].empty_label = _("Me")
