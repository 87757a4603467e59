"""Demo service desk: agreements, services, a calendar, queues and cases in every status.

Idempotent: lookups are get_or_create; cases are made only when there are
none. Cases are built through the real services so their history, deadlines,
emails and diagnosis tasks are what agents would see.
"""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps as django_apps
from django.contrib.auth.models import Group, User
from django.utils import timezone

from cases import services
from cases.defaults import load_defaults
from cases.diagnosis import diagnosis_definition
from cases.models import (
    Case,
    CaseCategory,
    CasePriority,
    CaseStatus,
    ConfigurationItem,
    Service,
    ServiceAgreement,
    ServiceTerm,
    SupportLevel,
    Tag,
)
from crm import demo
from crm.models import Contact
from knowledge.models import KnowledgeArticle

AGREEMENTS = {
    # name: (category code, {priority code: (response min, resolution min)})
    "Standard support": (
        "incident",
        {"critical": (30, 240), "high": (60, 480), "medium": (240, 1440), "low": (480, 2880)},
    ),
    "Premium support": (
        "incident",
        {"critical": (15, 120), "high": (30, 240), "medium": (60, 540), "low": (240, 1440)},
    ),
    "Service catalogue": (
        "service_request",
        {"critical": (60, 540), "high": (120, 1080), "medium": (480, 2700), "low": (960, 5400)},
    ),
}
SERVICES = {
    "Email and calendar": ["Mail server MX-1", "Shared calendars"],
    "Laptops and printers": ["Printer PRN-3F", "Laptop fleet"],
    "VPN access": ["VPN gateway"],
    "ERP": ["ERP production", "ERP reporting"],
}
TAGS = ["outage", "billing", "password", "hardware", "onboarding"]

CASES = [
    # subject, contact email, agreement, service, ci, priority, tags, status, assignee, group
    (
        "Printer on the 3rd floor jams on every job",
        "clara@northwind.example",
        "Standard support",
        "Laptops and printers",
        "Printer PRN-3F",
        "medium",
        ["hardware"],
        "new",
        None,
        "1st line support",
    ),
    (
        "Cannot connect to VPN from the warehouse",
        "emma@fabrikam.example",
        "Premium support",
        "VPN access",
        "VPN gateway",
        "high",
        ["outage"],
        "new",
        None,
        None,
    ),
    (
        "Mail bounces for the whole sales team",
        "daniel@contoso.example",
        "Premium support",
        "Email and calendar",
        "Mail server MX-1",
        "critical",
        ["outage"],
        "in_progress",
        "agent1",
        "1st line support",
    ),
    (
        "Password reset link expired",
        "farid@tailspin.example",
        "Standard support",
        "Email and calendar",
        None,
        "low",
        ["password"],
        "waiting",
        "agent2",
        "1st line support",
    ),
    (
        "ERP report totals differ from the ledger",
        "grace@litware.example",
        "Premium support",
        "ERP",
        "ERP reporting",
        "high",
        ["billing"],
        "in_progress",
        "expert",
        "2nd line support",
    ),
    (
        "Printer shows paper jam after toner change",
        "hiro@northwind.example",
        "Standard support",
        "Laptops and printers",
        "Printer PRN-3F",
        "medium",
        ["hardware"],
        "resolved",
        "agent1",
        "1st line support",
    ),
    (
        "New starter needs a laptop",
        "ines@contoso.example",
        "Service catalogue",
        "Laptops and printers",
        "Laptop fleet",
        "medium",
        ["onboarding"],
        "closed",
        "agent2",
        "1st line support",
    ),
    (
        "Duplicate invoice in the portal",
        "jonas@fabrikam.example",
        "Standard support",
        "ERP",
        "ERP production",
        "low",
        ["billing"],
        "canceled",
        "agent1",
        "1st line support",
    ),
    (
        "Shared calendar not syncing on phones",
        "clara@northwind.example",
        "Standard support",
        "Email and calendar",
        "Shared calendars",
        "medium",
        [],
        "reopened",
        None,
        "1st line support",
    ),
    (
        "Warehouse scanner cannot reach ERP",
        "emma@fabrikam.example",
        "Premium support",
        "ERP",
        "ERP production",
        "critical",
        ["outage"],
        "new",
        None,
        "2nd line support",
    ),
    (
        "Add two users to the VPN group",
        "grace@litware.example",
        "Service catalogue",
        "VPN access",
        "VPN gateway",
        "low",
        ["onboarding"],
        "new",
        None,
        None,
    ),
]
PATHS = {
    "in_progress": ["in_progress"],
    "waiting": ["in_progress", "waiting"],
    "resolved": ["in_progress", "resolved"],
    "closed": ["in_progress", "resolved", "closed"],
    "canceled": ["canceled"],
    "reopened": ["in_progress", "resolved", "reopened"],
}


def _lookups():
    priorities = {p.code: p for p in CasePriority.objects.all()}
    for name, (category_code, terms) in AGREEMENTS.items():
        agreement, _ = ServiceAgreement.objects.get_or_create(
            name=name, defaults={"category": CaseCategory.objects.get(code=category_code)}
        )
        for code, (response, resolution) in terms.items():
            ServiceTerm.objects.get_or_create(
                agreement=agreement,
                service=None,
                priority=priorities[code],
                defaults={"response_minutes": response, "resolution_minutes": resolution},
            )
    for service_name, items in SERVICES.items():
        service, _ = Service.objects.get_or_create(name=service_name)
        for item in items:
            ConfigurationItem.objects.get_or_create(name=item, defaults={"service": service})
    for tag in TAGS:
        Tag.objects.get_or_create(name=tag)


@demo.register(order=60)
def load_cases():
    load_defaults(django_apps)
    _lookups()
    diagnosis_definition()
    if Case.objects.exists():
        return
    users = {
        u.username: u for u in User.objects.filter(username__in=["agent1", "agent2", "expert"])
    }
    levels = {level.order: level for level in SupportLevel.objects.all()}
    article, _ = KnowledgeArticle.objects.get_or_create(
        title="Clearing a paper jam on the PRN series",
        defaults={
            "body": "Open tray 2, release the green lever, remove the sheet, then "
            "run the cleaning page from the printer menu."
        },
    )
    now = timezone.now()
    for index, (
        subject,
        email,
        agreement,
        service,
        item,
        priority,
        tags,
        status,
        assignee,
        group,
    ) in enumerate(CASES):
        actor = users.get(assignee) or users.get("agent1")
        group_row = Group.objects.filter(name=group).first() if group else None
        case = services.case_create(
            created_by=actor,
            subject=subject,
            description=f"Reported by phone. {subject}.",
            contact=Contact.objects.filter(email=email).first(),
            service_agreement=ServiceAgreement.objects.get(name=agreement),
            service=Service.objects.get(name=service),
            configuration_item=ConfigurationItem.objects.filter(name=item).first(),
            priority=_priority(priority),
            support_level=levels.get(2 if group == "2nd line support" else 1),
            assignee_group=group_row,
            tags=list(Tag.objects.filter(name__in=tags)),
            registered_at=now - timedelta(hours=3 + index * 7),
        )
        for code in PATHS.get(status, []):
            mover = users.get(assignee) or actor
            services.case_set_status(
                case=case, status=CaseStatus.objects.get(code=code), user=mover
            )
        if status == "resolved":
            case.articles.add(article)
        if index == 2:
            services.case_add_note(
                case=case,
                user=actor,
                text="MX-1 queue is growing; asked 2nd line to check the relay certificate.",
            )


def _priority(code):
    return CasePriority.objects.get(code=code)
