"""Reads of the knowledge base: search, and the articles a case may still link."""

from django.db.models import Q

from knowledge.models import KnowledgeArticle


def article_search(q: str = ""):
    """Articles whose title or text holds every word of `q`, by title."""
    articles = KnowledgeArticle.objects.all()
    for word in q.split():
        articles = articles.filter(Q(title__icontains=word) | Q(body__icontains=word))
    return articles.order_by("title")


def articles_linkable(case, *, limit=500) -> list[KnowledgeArticle]:
    """Articles not linked to `case` yet, by title (the case page's link menu)."""
    linked = {a.pk for a in case.articles.all()}
    return list(
        KnowledgeArticle.objects.exclude(pk__in=linked)
        .only("pk", "title")
        .order_by("title")[:limit]
    )
