from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from activities.models import Activity
from crm.forms import name_empty_choices

_DT = {"type": "datetime-local"}


class ScheduleForm(forms.Form):
    start_at = forms.DateTimeField(
        label=_("Start"), widget=forms.DateTimeInput(attrs=_DT, format="%Y-%m-%dT%H:%M")
    )
    due_at = forms.DateTimeField(
        label=_("Due"), widget=forms.DateTimeInput(attrs=_DT, format="%Y-%m-%dT%H:%M")
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("start_at")
            and cleaned.get("due_at")
            and (cleaned["due_at"] < cleaned["start_at"])
        ):
            self.add_error("due_at", _("The due time must not be before the start."))
        return cleaned


class OwnerForm(forms.Form):
    """Give the activity to a user or a role: "user:<id>" or "role:<id>"."""

    owner = forms.ChoiceField(label=_("Owner"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = (
            get_user_model()
            .objects.filter(is_active=True)
            .order_by("first_name", "last_name", "username")
        )
        roles = Group.objects.order_by("name")
        self.fields["owner"].choices = [
            (_("Users"), [(f"user:{u.pk}", u.get_full_name() or u.get_username()) for u in users]),
            (_("Roles"), [(f"role:{g.pk}", g.name) for g in roles]),
        ]

    def chosen(self):
        kind, _sep, pk = self.cleaned_data["owner"].partition(":")
        if kind == "user":
            return get_user_model().objects.get(pk=pk), None
        return None, Group.objects.get(pk=pk)


class ActivityCreateForm(forms.ModelForm):
    class Meta:
        model = Activity
        fields = ["title", "kind", "start_at", "due_at", "contact", "account", "notes"]
        widgets = {
            "start_at": forms.DateTimeInput(attrs=_DT, format="%Y-%m-%dT%H:%M"),
            "due_at": forms.DateTimeInput(attrs=_DT, format="%Y-%m-%dT%H:%M"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        name_empty_choices(self)
