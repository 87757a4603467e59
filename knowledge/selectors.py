"""Reads of the knowledge base: search, and the articles a case may still link."""

from django.db.models import Count, Q

from knowledge.models import KnowledgeArticle


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
