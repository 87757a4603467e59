from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from crm.models import Account, Contact
from crm.services import ACCOUNT_FIELDS, CONTACT_FIELDS


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


def _active_users():
    return get_user_model().objects.filter(is_active=True).order_by("first_name", "username")


class ContactForm(forms.ModelForm):
    owner = OwnerChoiceField(queryset=_active_users(), required=False, label=_("Owner"))

    class Meta:
        model = Contact
        fields = CONTACT_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _active_users()
        self.fields["account"].queryset = Account.objects.order_by("name")
        self.fields["full_name"].widget.attrs.update(autofocus=True, autocomplete="name")
        self.fields["email"].widget.attrs.update(autocomplete="email")
        self.fields["phone"].widget.attrs.update(autocomplete="tel")


class AccountForm(forms.ModelForm):
    owner = OwnerChoiceField(queryset=_active_users(), required=False, label=_("Owner"))

    class Meta:
        model = Account
        fields = ACCOUNT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _active_users()
        self.fields["name"].widget.attrs.update(autofocus=True)
        self.fields["web"].widget.attrs.update(placeholder="https://")
