"""Writes to CRM records: one transaction each."""

from django.db import transaction

from crm.models import Account, Contact, UserSettings

CONTACT_FIELDS = ("full_name", "email", "phone", "job_title", "account", "owner", "notes")
ACCOUNT_FIELDS = ("name", "industry", "phone", "web", "city", "owner")


def _pick(fields, allowed):
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    return fields


def contact_create(*, created_by=None, **fields) -> Contact:
    """Create a contact; its owner defaults to whoever created it."""
    fields = _pick(fields, CONTACT_FIELDS)
    if fields.get("owner") is None and created_by is not None:
        fields["owner"] = created_by
    with transaction.atomic():
        return Contact.objects.create(**fields)


def contact_update(*, contact, **fields) -> Contact:
    """Change a contact's fields and save only those."""
    fields = _pick(fields, CONTACT_FIELDS)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(contact, name, value)
        contact.save(update_fields=[*fields, "modified_at"])
    return contact


def account_create(*, created_by=None, **fields) -> Account:
    fields = _pick(fields, ACCOUNT_FIELDS)
    if fields.get("owner") is None and created_by is not None:
        fields["owner"] = created_by
    with transaction.atomic():
        return Account.objects.create(**fields)


def account_update(*, account, **fields) -> Account:
    fields = _pick(fields, ACCOUNT_FIELDS)
    with transaction.atomic():
        for name, value in fields.items():
            setattr(account, name, value)
        account.save(update_fields=[*fields, "modified_at"])
    return account


def user_time_zone_set(*, user, time_zone: str) -> UserSettings:
    """Store the time zone the user chose ("" for the site's)."""
    with transaction.atomic():
        chosen, _created = UserSettings.objects.update_or_create(
            user=user, defaults={"time_zone": time_zone}
        )
    return chosen


def user_language_set(*, user, language: str) -> UserSettings:
    """Store the language the user chose ("" for the browser's)."""
    with transaction.atomic():
        chosen, _created = UserSettings.objects.update_or_create(
            user=user, defaults={"language": language}
        )
    return chosen
