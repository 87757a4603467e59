"""Case test data built through the real services."""

from datetime import time

from cases import services
from cases.models import (
    CaseCategory,
    CasePriority,
    CaseStatus,
    ServiceAgreement,
    ServiceTerm,
    SupportLevel,
    WorkCalendar,
    WorkingDay,
)
from crm.models import Account, Contact


def status(code):
    return CaseStatus.objects.get(code=code)


def priority(code="medium"):
    return CasePriority.objects.get(code=code)


def category(code="incident"):
    return CaseCategory.objects.get(code=code)


def level(order):
    return SupportLevel.objects.get(order=order)


def round_the_clock_calendar(name="24x7"):
    calendar, created = WorkCalendar.objects.get_or_create(name=name)
    if created:
        for weekday in range(7):
            WorkingDay.objects.create(
                calendar=calendar, weekday=weekday, start=time(0), end=time(23, 59, 59)
            )
    return calendar


def agreement(
    name="Standard support", *, response=60, resolution=480, calendar=None, category_code="incident"
):
    """An agreement with one any-service term per priority (same minutes for each)."""
    found, created = ServiceAgreement.objects.get_or_create(
        name=name, defaults={"calendar": calendar, "category": category(category_code)}
    )
    if created:
        for p in CasePriority.objects.all():
            ServiceTerm.objects.create(
                agreement=found,
                priority=p,
                response_minutes=response,
                resolution_minutes=resolution,
            )
    return found


def contact(email="clara@northwind.example", name="Clara Customer"):
    account, _ = Account.objects.get_or_create(name="Northwind Traders")
    found, _ = Contact.objects.get_or_create(
        email=email, defaults={"full_name": name, "account": account}
    )
    return found


def make_case(*, by=None, subject="Printer on fire", **fields):
    fields.setdefault("category", category())
    fields.setdefault("priority", priority())
    fields.setdefault("contact", contact())
    return services.case_create(created_by=by, subject=subject, **fields)
