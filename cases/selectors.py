"""Reads for the Cases list, the agent desktop, similar cases and the case page."""

from django.db.models import F, Q
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseStatus
from crm.email import email_deliveries

CASE_SORTS = {
    "number": "id",
    "subject": "subject",
    "status": "status__order",
    "priority": "priority__order",
    "assignee": "assignee__username",
    "deadline": "resolution_due",
    "registered": "registered_at",
}
LIST_RELATED = (
    "status",
    "priority",
    "category",
    "contact",
    "account",
    "assignee",
    "assignee_group",
)


def _ordering(sort, default="-registered"):
    key = (sort or default).strip()
    descending = key.startswith("-")
    field = CASE_SORTS.get(key.lstrip("-"))
    if field is None:
        return _ordering(default, default)
    if descending:
        return [F(field).desc(nulls_last=True), "-pk"], key
    return [F(field).asc(nulls_last=True), "pk"], key


def case_list(
    *, user, q="", status=None, priority=None, assignee="all", group=None, overdue=False, sort=""
):
    """Cases matching the list's filters; returns (queryset, the sort applied)."""
    cases = Case.objects.select_related(*LIST_RELATED)
    if q:
        term = q.strip()
        match = (
            Q(subject__icontains=term)
            | Q(number__icontains=term)
            | Q(contact__full_name__icontains=term)
            | Q(account__name__icontains=term)
        )
        cases = cases.filter(match)
    if status:
        cases = cases.filter(status_id=status)
    if priority:
        cases = cases.filter(priority_id=priority)
    if assignee == "mine":
        cases = cases.filter(assignee=user)
    elif assignee == "unassigned":
        cases = cases.filter(assignee__isnull=True)
    if group:
        cases = cases.filter(assignee_group_id=group)
    if overdue:
        cases = cases.filter(CaseStatus.active_q(), resolution_due__lt=timezone.now())
    ordering, applied = _ordering(sort)
    return cases.order_by(*ordering), applied


def _active_queue():
    now = timezone.now()
    return (
        Case.objects.filter(CaseStatus.active_q())
        .filter(Q(postponed_until__isnull=True) | Q(postponed_until__lte=now))
        .select_related(*LIST_RELATED)
        .order_by(
            F("priority__order").asc(nulls_last=True),
            F("resolution_due").asc(nulls_last=True),
            "pk",
        )
    )


def desktop_queues(*, user, limit=50):
    """The agent's queues of active cases, most urgent first: their own, their groups'
    (nobody assigned yet) and the unassigned ones (no assignee, no group)."""
    groups = list(user.groups.values_list("pk", flat=True))
    now = timezone.now()
    return {
        "mine": list(_active_queue().filter(assignee=user)[:limit]),
        "groups": list(
            _active_queue().filter(assignee__isnull=True, assignee_group_id__in=groups)[:limit]
        ),
        "unassigned": list(
            _active_queue().filter(assignee__isnull=True, assignee_group__isnull=True)[:limit]
        ),
        "postponed": list(
            Case.objects.filter(CaseStatus.active_q(), postponed_until__gt=now)
            .filter(Q(assignee=user) | Q(assignee__isnull=True))
            .select_related(*LIST_RELATED)
            .order_by("postponed_until")[:limit]
        ),
    }


def next_case_ids(*, user, limit=25):
    """Ids of unassigned active cases the user may take: their groups' first, then the
    ones nobody's group holds, most urgent first."""
    groups = list(user.groups.values_list("pk", flat=True))
    base = _active_queue().filter(assignee__isnull=True)
    ids = list(base.filter(assignee_group_id__in=groups).values_list("pk", flat=True)[:limit])
    ids += list(base.filter(assignee_group__isnull=True).values_list("pk", flat=True)[:limit])
    return ids


def similar_cases(case, *, limit=30):
    """Other cases with the same service, configuration item or tags; resolved first,
    each with its knowledge base articles."""
    tag_ids = list(case.tags.values_list("pk", flat=True))
    match = Q(pk__in=[])
    if case.service_id:
        match |= Q(service_id=case.service_id)
    if case.configuration_item_id:
        match |= Q(configuration_item_id=case.configuration_item_id)
    if tag_ids:
        match |= Q(tags__in=tag_ids)
    return list(
        Case.objects.filter(match)
        .exclude(pk=case.pk)
        .distinct()
        .select_related("status", "service", "configuration_item", "priority")
        .prefetch_related("articles", "tags")
        .order_by("-status__is_resolved", "-registered_at", "-pk")[:limit]
    )


def case_history(case, *, limit=100):
    """The case's History, newest first; each email sent carries `delivery`, its outbox
    row as it is now (queued, retrying with the reason, sent, failed)."""
    events = list(CaseEvent.objects.filter(case=case).select_related("actor")[:limit])
    sent = [e for e in events if e.data.get("direction") == "out" and e.data.get("message_id")]
    deliveries = email_deliveries(e.data["message_id"] for e in sent)
    for event in events:
        event.delivery = deliveries.get(event.data.get("message_id") or "")
    return events


def workflow_statuses(case):
    """Every status in order, each marked current / allowed next, for the workflow bar."""
    allowed = set(case.status.next_statuses.values_list("pk", flat=True))
    steps = []
    for status in CaseStatus.objects.order_by("order", "name"):
        steps.append(
            {
                "status": status,
                "current": status.pk == case.status_id,
                "allowed": status.pk in allowed and not case.status.is_final,
            }
        )
    return steps
