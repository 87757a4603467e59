"""The Knowledge base section: search, read, write articles.

An article written from a case (`?case=<id>`) is linked to it on save, and the
author returns to the case.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from crm.frame import PAGE_SIZE, wants_fragment
from knowledge import selectors, services
from knowledge.models import KnowledgeArticle
from knowledge.services import ArticleError


@require_GET
@vary_on_headers("HX-Request")
def article_list(request):
    filters = {"q": request.GET.get("q", "").strip()[:100]}
    articles = selectors.article_search(filters["q"])
    page = Paginator(articles, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "filters": filters, "current_section": "knowledge-base"}
    if wants_fragment(request):
        return render(request, "knowledge/article_list.html#article-table", context)
    return render(request, "knowledge/article_list.html", context)


@require_GET
def article_detail(request, pk):
    article = get_object_or_404(KnowledgeArticle, pk=pk)
    cases = article.cases.select_related("status").order_by("-registered_at")[:20]
    return render(
        request,
        "knowledge/article_detail.html",
        {"article": article, "cases": cases, "current_section": "knowledge-base"},
    )


def _case_from(request):
    case_id = request.GET.get("case") or request.POST.get("case")
    if case_id and case_id.isdigit():
        return KnowledgeArticle.linked_model().objects.filter(pk=int(case_id)).first()
    return None


def article_edit(request, pk=None):
    article = get_object_or_404(KnowledgeArticle, pk=pk) if pk else None
    case = _case_from(request)
    values = {"title": article.title if article else "", "body": article.body if article else ""}
    error = ""
    if request.method == "POST":
        values = {"title": request.POST.get("title", ""), "body": request.POST.get("body", "")}
        try:
            saved = services.article_save(
                title=values["title"],
                body=values["body"],
                article=article,
                user=request.user,
                case=case if article is None else None,
            )
        except ArticleError as refused:
            error = str(refused)
        else:
            messages.success(request, _("Article saved."))
            if case is not None and article is None:
                return redirect(case)
            return redirect("knowledge:article-detail", pk=saved.pk)
    return render(
        request,
        "knowledge/article_form.html",
        {
            "article": article,
            "values": values,
            "error": error,
            "case": case,
            "current_section": "knowledge-base",
        },
    )
