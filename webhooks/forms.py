from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks import events
from webhooks.addresses import MAX_URL_LENGTH, AddressRefused, target_check


class SubscriptionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    url = forms.CharField(
        label=_("URL"),
        max_length=MAX_URL_LENGTH,
        help_text=_("Flowdesk POSTs each event here as JSON, signed with the secret."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/flowdesk-hook"}),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=events.CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("A paused subscription receives nothing."),
    )

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        try:
            target_check(url)
        except AddressRefused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return url
