"""The top bar's search: cases by number and subject, contacts, accounts and
knowledge base articles, a few of each, best first.

It lives in cases because it spans cases and the apps to their left (crm,
knowledge); nothing to the left may import it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import F, Q

from cases.models import Case
from crm.models import Account, Contact
from knowledge import selectors as knowledge_selectors
from knowledge.search import search_words

MIN_LENGTH = 2
SUBJECT_SIMILARITY = 0.25


@dataclass
class SearchResults:
    q: str
    cases: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    accounts: list = field(default_factory=list)
    articles: list = field(default_factory=list)

    def __bool__(self):
        return bool(self.cases or self.contacts or self.accounts or self.articles)

    def groups(self):
        """(kind, items) in the order the box lists them, empty kinds left out."""
        found = (
            ("cases", self.cases),
            ("contacts", self.contacts),
            ("accounts", self.accounts),
            ("articles", self.articles),
        )
        return [(kind, items) for kind, items in found if items]


def _cases(q: str, limit: int):
    words = search_words(q)
    match = Q(number__icontains=q) | Q(subject__icontains=q)
    cases = Case.objects.select_related("status", "contact")
    if connection.vendor == "postgresql":
        cases = cases.annotate(similarity=TrigramSimilarity("subject", q))
        match |= Q(similarity__gte=SUBJECT_SIMILARITY)
        ordering = [F("similarity").desc(), "-registered_at", "-pk"]
    else:
        for word in words:
            match |= Q(subject__icontains=word)
        ordering = ["-registered_at", "-pk"]
    exact = list(Case.objects.filter(number__iexact=q).select_related("status", "contact"))
    rest = cases.filter(match).exclude(pk__in=[c.pk for c in exact]).order_by(*ordering)
    return (exact + list(rest[:limit]))[:limit]


def global_search(q: str, *, limit: int = 5) -> SearchResults:
    """What the box finds for `q`; nothing for fewer than two characters."""
    q = (q or "").strip()[:100]
    if len(q) < MIN_LENGTH:
        return SearchResults(q=q)
    return SearchResults(
        q=q,
        cases=_cases(q, limit),
        contacts=list(
            Contact.objects.filter(
                Q(full_name__icontains=q) | Q(email__icontains=q) | Q(phone__icontains=q)
            )
            .select_related("account")
            .order_by("full_name")[:limit]
        ),
        accounts=list(Account.objects.filter(name__icontains=q).order_by("name")[:limit]),
        articles=knowledge_selectors.search(q, limit=limit),
    )
