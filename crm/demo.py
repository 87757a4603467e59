"""Demo data: a registry of loaders, each idempotent, run by `manage.py load_demo`.

Apps to the right of crm register their own loaders in AppConfig.ready(), so
`make run` shows every feature at once without crm importing them.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, User
from django.db import transaction

from crm.models import Account, Contact

DEMO_PASSWORD = "flowdesk"  # noqa: S105 - printed on purpose for the demo logins


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str


_loaders = []
_logins: list[DemoLogin] = []


def register(order):
    """Register `fn()` to run at `order` (lower first) when demo data loads."""

    def decorator(fn):
        _loaders.append((order, fn))
        return fn

    return decorator


def logins():
    return list(_logins)


def load_all(stdout=None):
    for _order, fn in sorted(_loaders, key=lambda item: item[0]):
        with transaction.atomic():
            fn()
        if stdout is not None:
            stdout.write(f"  loaded {fn.__module__}.{fn.__name__}")


def ensure_user(username, *, first, last, role, groups=(), staff=False, superuser=False):
    """A demo user with the demo password, created once and left alone after."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@flowdesk.localhost",
            "is_staff": staff,
            "is_superuser": superuser,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    if all(login.username != username for login in _logins):
        _logins.append(DemoLogin(username, role))
    return user


@register(order=10)
def load_people():
    for name in ("1st line support", "2nd line support", "Supervisors", "Portal users"):
        Group.objects.get_or_create(name=name)
    admin = ensure_user(
        "admin", first="Ada", last="Admin", role="administrator", staff=True, superuser=True
    )
    ensure_user(
        "supervisor", first="Sam", last="Supervisor", role="supervisor", groups=["Supervisors"]
    )
    ensure_user(
        "agent1",
        first="Alex",
        last="Agent",
        role="agent, 1st line support",
        groups=["1st line support"],
    )
    ensure_user(
        "agent2",
        first="Bianca",
        last="Agent",
        role="agent, 1st line support",
        groups=["1st line support"],
    )
    ensure_user(
        "expert",
        first="Chen",
        last="Expert",
        role="agent, 2nd line support",
        groups=["2nd line support"],
    )
    customer = ensure_user(
        "customer", first="Clara", last="Customer", role="portal customer", groups=["Portal users"]
    )

    accounts = {}
    for name, industry, city in [
        ("Northwind Traders", "Wholesale", "Seattle"),
        ("Contoso Pharmaceuticals", "Healthcare", "Boston"),
        ("Fabrikam Logistics", "Transport", "Rotterdam"),
        ("Tailspin Toys", "Retail", "Austin"),
        ("Litware Software", "Technology", "Dublin"),
    ]:
        accounts[name], _ = Account.objects.get_or_create(
            name=name, defaults={"industry": industry, "city": city, "owner": admin}
        )
    people = [
        ("Clara Customer", "clara@northwind.example", "Northwind Traders", "Office manager"),
        ("Daniel Moreau", "daniel@contoso.example", "Contoso Pharmaceuticals", "IT lead"),
        ("Emma Lindqvist", "emma@fabrikam.example", "Fabrikam Logistics", "Dispatcher"),
        ("Farid Haddad", "farid@tailspin.example", "Tailspin Toys", "Store manager"),
        ("Grace Okafor", "grace@litware.example", "Litware Software", "CTO"),
        ("Hiro Tanaka", "hiro@northwind.example", "Northwind Traders", "Buyer"),
        ("Ines Duarte", "ines@contoso.example", "Contoso Pharmaceuticals", "Lab analyst"),
        ("Jonas Becker", "jonas@fabrikam.example", "Fabrikam Logistics", "Fleet planner"),
    ]
    for full_name, email, account, title in people:
        Contact.objects.get_or_create(
            email=email,
            defaults={
                "full_name": full_name,
                "account": accounts[account],
                "job_title": title,
                "phone": "+1 555 0100",
                "owner": admin,
            },
        )
    Contact.objects.filter(email="clara@northwind.example", portal_user__isnull=True).update(
        portal_user=customer
    )
