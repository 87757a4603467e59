"""Reads for the CRM lists: filters, sorting and the joins that keep queries flat."""

from django.db.models import Count, Q

from crm.models import Account, Contact

CONTACT_SORTS = {
    "name": "full_name",
    "email": "email",
    "account": "account__name",
    "owner": "owner__username",
    "modified": "modified_at",
}
ACCOUNT_SORTS = {
    "name": "name",
    "industry": "industry",
    "city": "city",
    "owner": "owner__username",
    "contacts": "contact_count",
}


def _ordering(sort, sorts, default):
    key = (sort or default).strip()
    descending = key.startswith("-")
    field = sorts.get(key.lstrip("-"))
    if field is None:
        return [sorts[default], "pk"], default
    return [f"-{field}" if descending else field, "-pk" if descending else "pk"], key


def contact_list(*, user, q="", owner="all", account_id=None, sort="name"):
    """Contacts matching the list's filters; returns (queryset, the sort applied)."""
    contacts = Contact.objects.select_related("account", "owner")
    if q:
        contacts = contacts.filter(
            Q(full_name__icontains=q)
            | Q(email__icontains=q)
            | Q(phone__icontains=q)
            | Q(account__name__icontains=q)
        )
    if owner == "mine":
        contacts = contacts.filter(owner=user)
    if account_id:
        contacts = contacts.filter(account_id=account_id)
    ordering, applied = _ordering(sort, CONTACT_SORTS, "name")
    return contacts.order_by(*ordering), applied


def account_list(*, user, q="", owner="all", sort="name"):
    """Accounts matching the list's filters with their contact counts; (queryset, sort)."""
    accounts = Account.objects.select_related("owner").annotate(contact_count=Count("contacts"))
    if q:
        accounts = accounts.filter(
            Q(name__icontains=q) | Q(industry__icontains=q) | Q(city__icontains=q)
        )
    if owner == "mine":
        accounts = accounts.filter(owner=user)
    ordering, applied = _ordering(sort, ACCOUNT_SORTS, "name")
    return accounts.order_by(*ordering), applied


def account_choices():
    """Accounts for a filter menu: id and name only."""
    return list(Account.objects.order_by("name").values_list("pk", "name"))


def contacts_of_account(account):
    return account.contacts.select_related("owner").order_by("full_name", "pk")
