from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils.translation import gettext_lazy as _

from crm import languages, time_zones
from crm.models import Account, Contact
from crm.services import ACCOUNT_FIELDS, CONTACT_FIELDS


def _is_engine_blank(text) -> bool:
    """The labels Django gives a select's empty choice: "---------" (6.0) and, since
    6.1, "- Select an option -" (in the active language). Neither is how Flowdesk
    speaks to people."""
    return text is not None and str(text) in {"---------", str(BLANK_CHOICE_LABEL)}


def name_empty_choices(form) -> None:
    """Say "Choose…" (or "—" when a field may stay empty) where Django would show
    "---------" in a select: the dashes are Django's, not words for people."""
    for field in form.fields.values():
        label = _("Choose…") if field.required else "—"
        if _is_engine_blank(getattr(field, "empty_label", None)):
            field.empty_label = label
        elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            choices = list(field.choices)
            if any(value == "" and _is_engine_blank(text) for value, text in choices):
                field.choices = [
                    (value, label if value == "" and _is_engine_blank(text) else text)
                    for value, text in choices
                ]


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
        name_empty_choices(self)


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
        name_empty_choices(self)


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Dates and times on every page are shown in this time zone."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [
            ("", _("The site’s time zone (%(zone)s)") % {"zone": settings.TIME_ZONE}),
            *((name, name.replace("_", " ")) for name in time_zones.names()),
        ]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Every page, its dates and its numbers are written in this language."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("The browser’s language")),
            *languages.choices(),
        ]
