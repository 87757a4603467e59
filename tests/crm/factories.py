"""CRM test data, built through the real services."""

from crm import services


def make_account(name="Northwind Traders", **fields):
    return services.account_create(name=name, **fields)


def make_contact(full_name="Maria Anders", **fields):
    return services.contact_create(full_name=full_name, **fields)


def make_contacts(count, *, account=None, owner=None, prefix="Contact"):
    return [
        make_contact(
            f"{prefix} {i:03d}",
            email=f"{prefix.lower()}{i}@example.com",
            account=account,
            owner=owner,
        )
        for i in range(count)
    ]
