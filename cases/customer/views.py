"""Agent-side views of the customer side: the Email / Portal message composer, the
attachment download, the case's knowledge base articles, and the Knowledge base section."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from cases.customer import attachments as attachment_rules
from cases.customer import services
from cases.customer.attachments import AttachmentRefused, IncomingFile
from cases.customer.middleware import is_portal_user
from cases.models import Case, CaseAttachment, CaseMessage, KnowledgeArticle
from cases.services import CaseError

CHANNELS = {CaseMessage.Channel.EMAIL: _("Email"), CaseMessage.Channel.PORTAL: _("Portal message")}


def _go(request, url):
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _is_fragment_request(request):
    return bool(request.htmx) and not request.htmx.history_restore_request


def composer_context(case, channel="", **extra):
    return {
        "case": case,
        "channel": channel,
        "channels": CHANNELS,
        "limits": attachment_rules.limits_text(),
        **extra,
    }


def case_message(request, pk, channel):
    """GET: the composer for `channel` in the action panel; POST: send it."""
    if channel not in CHANNELS:
        raise Http404
    case = get_object_or_404(Case.objects.select_related("contact", "status"), pk=pk)
    context = composer_context(case, channel)
    if request.method == "POST":
        subject = request.POST.get("subject", "")
        body = request.POST.get("body", "")
        context.update(subject=subject, body=body)
        try:
            files = [IncomingFile.from_upload(f) for f in request.FILES.getlist("files")]
            services.message_send(
                case=case,
                user=request.user,
                channel=channel,
                body=body,
                subject=subject,
                files=files,
            )
        except (AttachmentRefused, CaseError) as refused:
            context["error"] = str(refused)
        else:
            if channel == CaseMessage.Channel.EMAIL:
                messages.success(request, _("Email sent to %(to)s.") % {"to": case.contact.email})
            else:
                messages.success(
                    request,
                    _("Published on the portal; %(name)s is notified by email.")
                    % {"name": case.contact},
                )
            return _go(request, case.get_absolute_url())
    if _is_fragment_request(request):
        return render(request, "cases/includes/customer_composer.html", context)
    return render(request, "cases/customer/composer_page.html", context)


def attachment_download(request, pk):
    """An attachment, for agents and for the case's own portal customer; 404 to anyone else."""
    attachment = get_object_or_404(CaseAttachment.objects.select_related("case__contact"), pk=pk)
    if is_portal_user(request.user):
        contact = attachment.case.contact
        if contact is None or contact.portal_user_id != request.user.pk:
            raise Http404
        if attachment.message_id is None:
            raise Http404
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    inline = (
        attachment.content_type.startswith("image/") or attachment.content_type == "application/pdf"
    )
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# -- a case's knowledge base articles ---------------------------------------------------


@require_POST
def case_article_link(request, pk):
    case = get_object_or_404(Case, pk=pk)
    article = get_object_or_404(KnowledgeArticle, pk=request.POST.get("article") or 0)
    if services.article_link(case=case, article=article, user=request.user):
        messages.success(request, _("“%(title)s” linked.") % {"title": article.title})
    return _go(request, case.get_absolute_url())


@require_POST
def case_article_unlink(request, pk, article_pk):
    case = get_object_or_404(Case, pk=pk)
    article = get_object_or_404(case.articles, pk=article_pk)
    services.article_unlink(case=case, article=article, user=request.user)
    messages.success(request, _("“%(title)s” unlinked.") % {"title": article.title})
    return _go(request, case.get_absolute_url())


# -- Knowledge base section --------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def kb_list(request):
    q = request.GET.get("q", "").strip()[:100]
    articles = KnowledgeArticle.objects.all()
    if q:
        words = q.split()
        for word in words:
            articles = articles.filter(Q(title__icontains=word) | Q(body__icontains=word))
    page = Paginator(articles.order_by("title"), 25).get_page(request.GET.get("page"))
    context = {"page_obj": page, "q": q, "current_section": "knowledge-base"}
    if _is_fragment_request(request):
        return render(request, "cases/customer/kb_list.html#kb-results", context)
    return render(request, "cases/customer/kb_list.html", context)


@require_GET
def kb_detail(request, pk):
    article = get_object_or_404(KnowledgeArticle, pk=pk)
    cases = article.cases.select_related("status").order_by("-registered_at")[:20]
    return render(
        request,
        "cases/customer/kb_detail.html",
        {"article": article, "cases": cases, "current_section": "knowledge-base"},
    )


def kb_edit(request, pk=None):
    article = get_object_or_404(KnowledgeArticle, pk=pk) if pk else None
    case = None
    case_id = request.GET.get("case") or request.POST.get("case")
    if case_id and case_id.isdigit():
        case = Case.objects.filter(pk=int(case_id)).first()
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
        except CaseError as refused:
            error = str(refused)
        else:
            messages.success(request, _("Article saved."))
            if case is not None and article is None:
                return redirect(case)
            return redirect("cases:kb-detail", pk=saved.pk)
    return render(
        request,
        "cases/customer/kb_form.html",
        {
            "article": article,
            "values": values,
            "error": error,
            "case": case,
            "current_section": "knowledge-base",
        },
    )


def case_page_context(case) -> dict:
    """What the case page shows of the customer side: the composer, the articles to link."""
    linked = {a.pk for a in case.articles.all()}
    return {
        **composer_context(case),
        "linkable_articles": list(
            KnowledgeArticle.objects.exclude(pk__in=linked)
            .only("pk", "title")
            .order_by("title")[:500]
        ),
    }
