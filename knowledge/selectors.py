"""Reads of the knowledge base: search, and the articles a case may still link."""

from django.contrib.postgres.search import SearchRank, SearchVector, TrigramSimilarity
from django.db import connection
from django.db.models import Count, F, Q

from knowledge.models import KnowledgeArticle
from knowledge.search import CONFIG, search_words, words_query

TITLE_SIMILARITY = 0.3


def article_search(q: str = ""):
    """Articles whose title or text holds every word of `q`, by title, each with the
    number of cases it is linked to (`case_count`)."""
    articles = KnowledgeArticle.objects.annotate(case_count=Count("cases"))
    for word in q.split():
        articles = articles.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return articles.order_by("title", "pk")


def articles_linkable(case, *, limit=500) -> list[KnowledgeArticle]:
    """Articles not linked to `case` yet, by title (the case page's link menu)."""
    linked = {a.pk for a in case.articles.all()}
    return list(
        KnowledgeArticle.objects.exclude(pk__in=linked)
        .only("pk", "title")
        .order_by("title")[:limit]
    )


def articles_similar(text: str, *, exclude=(), limit: int = 5) -> list[KnowledgeArticle]:
    """Articles about what `text` says, closest first: full-text rank of title and body
    plus the title's trigram similarity on PostgreSQL; any shared word on SQLite."""
    words = search_words(text)
    if not words:
        return []
    articles = KnowledgeArticle.objects.exclude(pk__in=list(exclude)).only("pk", "title")
    if connection.vendor == "postgresql":
        vector = SearchVector("title", weight="A", config=CONFIG) + SearchVector(
            "body", weight="B", config=CONFIG
        )
        articles = (
            articles.annotate(
                rank=SearchRank(vector, words_query(words)),
                similarity=TrigramSimilarity("title", text[:300]),
            )
            .filter(Q(rank__gt=0) | Q(similarity__gte=TITLE_SIMILARITY))
            .order_by((F("rank") + F("similarity")).desc(), "title")
        )
    else:
        match = Q(pk__in=[])
        for word in words:
            match |= Q(title__icontains=word) | Q(body__icontains=word)
        articles = articles.filter(match).order_by("title")
    return list(articles[:limit])


def search(q: str, *, limit: int = 5) -> list[KnowledgeArticle]:
    """Articles for the top bar's search box, best first."""
    return articles_similar(q, limit=limit)
