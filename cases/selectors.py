"""Reads for the Cases list, the agent desktop, similar cases and the case page."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.postgres.search import (
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)
from django.db import connection
from django.db.models import Case as Case_
from django.db.models import Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from cases.models import Case, CaseEvent, CaseStatus, SupportLevel
from crm.email import email_deliveries
from crm.models import Account, Contact
from knowledge.search import search_words, words_query

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


def case_workers():
    """People who work cases, to offer as assignees: active sign-ins that are not a
    portal customer's (a contact's portal sign-in), staff always."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_staff=True) | Q(portal_contact__isnull=True))
        .order_by("first_name", "last_name", "username")
    )


def case_worker_groups():
    """Groups that work cases: a support level's group, or one with someone who works
    cases in it. A group of portal customers only ("Portal users") is not offered."""
    workers = case_workers().filter(groups=OuterRef("pk"))
    return Group.objects.filter(
        Q(pk__in=SupportLevel.objects.filter(group__isnull=False).values("group"))
        | Q(Exists(workers))
    ).order_by("name")


# Columns that are never NULL sort plainly, so one btree index serves both directions.
NOT_NULL_SORTS = {"id", "subject", "registered_at"}


def _ordering(sort, default="-registered"):
    key = (sort or default).strip()
    descending = key.startswith("-")
    field = CASE_SORTS.get(key.lstrip("-"))
    if field is None:
        return _ordering(default, default)
    if field in NOT_NULL_SORTS:
        return ([f"-{field}", "-pk"] if descending else [field, "pk"]), key
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
        # A union of four id sets, each found through its own index (trigram indexes on
        # the subject, number, contact's and account's names): an OR across the joined
        # tables would read every case.
        ids = Case.objects.filter(subject__icontains=term).values("pk")
        cases = cases.filter(
            pk__in=ids.union(
                Case.objects.filter(number__icontains=term).values("pk"),
                Case.objects.filter(
                    contact__in=Contact.objects.filter(full_name__icontains=term).values("pk")
                ).values("pk"),
                Case.objects.filter(
                    account__in=Account.objects.filter(name__icontains=term).values("pk")
                ).values("pk"),
            )
        )
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


DESKTOP_QUEUES = ("mine", "groups", "unassigned", "postponed")


def desktop_queues(*, user):
    """The agent's queues of active cases, most urgent first, as unevaluated querysets:
    their own, their groups' (nobody assigned yet), the unassigned ones (no assignee, no
    group) and the postponed ones (theirs or nobody's), soonest back first. Each pages
    on its own, so the desktop shows true counts with no ceiling."""
    groups = list(user.groups.values_list("pk", flat=True))
    now = timezone.now()
    return {
        "mine": _active_queue().filter(assignee=user),
        "groups": _active_queue().filter(assignee__isnull=True, assignee_group_id__in=groups),
        "unassigned": _active_queue().filter(assignee__isnull=True, assignee_group__isnull=True),
        "postponed": (
            Case.objects.filter(CaseStatus.active_q(), postponed_until__gt=now)
            .filter(Q(assignee=user) | Q(assignee__isnull=True))
            .select_related(*LIST_RELATED)
            .order_by("postponed_until", "pk")
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


SIMILAR_SUBJECT_THRESHOLD = 0.3


def similar_cases(case, *, limit=30):
    """Other cases like this one: the same service, configuration item or tags (the
    reference's rule), or like it in words (PostgreSQL full-text rank and trigram
    similarity of the subject; any shared word elsewhere). Resolved first, then the
    closest; each with its knowledge base articles."""
    tag_ids = list(case.tags.values_list("pk", flat=True))
    same = []
    if case.service_id:
        same.append(Q(service_id=case.service_id))
    if case.configuration_item_id:
        same.append(Q(configuration_item_id=case.configuration_item_id))
    if tag_ids:
        same.append(
            Q(Exists(Case.tags.through.objects.filter(case=OuterRef("pk"), tag__in=tag_ids)))
        )
    shared = sum(
        (Case_(When(condition, then=Value(1.0)), default=Value(0.0)) for condition in same),
        Value(0.0),
    )
    cases = Case.objects.exclude(pk=case.pk).annotate(shared=shared)
    match = Q(pk__in=[])
    for condition in same:
        match |= condition
    words = search_words(f"{case.subject} {case.description}")
    if words and connection.vendor == "postgresql":
        vector = SearchVector("subject", weight="A", config="simple") + SearchVector(
            "description", weight="B", config="simple"
        )
        cases = cases.annotate(
            text_rank=SearchRank(vector, words_query(words)),
            subject_similarity=TrigramSimilarity("subject", case.subject),
            text_score=F("text_rank") + F("subject_similarity"),
        )
        match |= Q(text_rank__gt=0) | Q(subject_similarity__gte=SIMILAR_SUBJECT_THRESHOLD)
    else:
        cases = cases.annotate(text_score=Value(0.0))
        for word in words:
            match |= Q(subject__icontains=word)
    found = list(
        cases.filter(match)
        .select_related("status", "service", "configuration_item", "priority")
        .prefetch_related("articles", "tags")
        .order_by(
            "-status__is_resolved",
            F("shared").desc(),
            F("text_score").desc(),
            "-registered_at",
            "-pk",
        )[:limit]
    )
    if connection.vendor != "postgresql":
        # The plain fallback ranks by how many of the case's words the other one holds.
        for other in found:
            text = f"{other.subject} {other.description}".lower()
            other.text_score = sum(word in text for word in words)
        found.sort(key=lambda o: (not o.status.is_resolved, -o.shared, -o.text_score))
    return found


def contact_open_cases(contact, *, exclude=None, limit=5):
    """The contact's other active cases, newest first, for the contact card."""
    if contact is None:
        return []
    return list(
        Case.objects.filter(CaseStatus.active_q(), contact=contact)
        .exclude(pk=getattr(exclude, "pk", None))
        .only("pk", "number", "subject")
        .order_by("-registered_at", "-pk")[:limit]
    )


def contact_open_case_count(contact, *, exclude=None) -> int:
    """How many other active cases the contact has (the card lists only the newest)."""
    if contact is None:
        return 0
    return (
        Case.objects.filter(CaseStatus.active_q(), contact=contact)
        .exclude(pk=getattr(exclude, "pk", None))
        .count()
    )


def case_history(case, *, limit=100):
    """The case's History, newest first; each email sent carries `delivery`, its outbox
    row as it is now (queued, retrying with the reason, sent, failed)."""
    events = list(CaseEvent.objects.filter(case=case).select_related("actor")[:limit])
    sent = [e for e in events if e.data.get("direction") == "out" and e.data.get("message_id")]
    deliveries = email_deliveries(e.data["message_id"] for e in sent)
    for event in events:
        event.delivery = deliveries.get(event.data.get("message_id") or "")
    # An email's outbox row is recorded with its History entry, and only sent ones are
    # ever deleted (outbox.retention): a sent email without one was sent long ago.
    for event in sent:
        if event.delivery is None:
            event.delivery = SENT_LONG_AGO
    return events


@dataclass(frozen=True)
class _Delivered:
    status: str = "done"
    is_retrying: bool = False
    last_error: str = ""


SENT_LONG_AGO = _Delivered()


def workflow_statuses(case):
    """Every status in order, each marked current / allowed next, as the steps of the
    workflow bar (templates/crm/includes/workflow_bar.html)."""
    allowed = set(case.status.next_statuses.values_list("pk", flat=True))
    steps = []
    for status in CaseStatus.objects.order_by("order", "name"):
        steps.append(
            {
                "value": status.pk,
                "label": status.name,
                "current": status.pk == case.status_id,
                "allowed": status.pk in allowed and not case.status.is_final,
                "done": False,
                "tone": status.tone,
            }
        )
    return steps
