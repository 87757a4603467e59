"""The customer portal: a customer's own cases, their public messages, replies with
attachments, and the satisfaction rating. Anything that is not theirs is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases.correspondence import attachments as attachment_rules
from cases.correspondence import messages as case_messages
from cases.correspondence import ratings, satisfaction
from cases.correspondence.attachments import AttachmentRefused, IncomingFile
from cases.correspondence.satisfaction import RatingRefused
from cases.correspondence.views import attachment_response
from cases.models import Case, CaseAttachment, CaseMessage, SatisfactionLevel
from portal.middleware import is_portal_user

PAGE_SIZE = 25


def _contact(request):
    if not is_portal_user(request.user):
        raise PermissionDenied(_("The customer portal is for customers' sign-ins."))
    contact = getattr(request.user, "portal_contact", None)
    if contact is None:
        raise PermissionDenied(_("Your sign-in is not linked to a contact yet."))
    return contact


def _own_case(request, pk):
    contact = _contact(request)
    case = get_object_or_404(
        Case.objects.select_related("status", "satisfaction", "assignee"),
        pk=pk,
        contact=contact,
    )
    return contact, case


@require_GET
def case_list(request):
    contact = _contact(request)
    show = "all" if request.GET.get("show") == "all" else "open"
    own = Case.objects.filter(contact=contact)
    cases = own.select_related("status").order_by("-registered_at", "-pk")
    if show != "all":
        cases = cases.filter(status__is_final=False)
    counts = own.aggregate(all=Count("pk"), open=Count("pk", filter=Q(status__is_final=False)))
    return render(
        request,
        "portal/case_list.html",
        {
            "contact": contact,
            "page_obj": Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page")),
            "show": show,
            "open_count": counts["open"],
            "all_count": counts["all"],
        },
    )


def _detail_context(request, contact, case, **extra):
    thread = (
        CaseMessage.objects.filter(case=case)
        .select_related("author_user", "author_contact")
        .prefetch_related("attachments")
    )
    return {
        "contact": contact,
        "case": case,
        "thread": thread,
        "levels": SatisfactionLevel.objects.all(),
        "can_rate": case.status.is_awaiting_rating,
        "can_reply": not case.status.is_final,
        "limits": attachment_rules.limits_text(),
        **extra,
    }


@require_GET
def case_detail(request, pk):
    contact, case = _own_case(request, pk)
    return render(request, "portal/case_detail.html", _detail_context(request, contact, case))


@require_POST
def case_reply(request, pk):
    contact, case = _own_case(request, pk)
    body = request.POST.get("body", "").strip()
    error = ""
    if case.status.is_final:
        error = _("This case is %(status)s: write a new message to support by email.") % {
            "status": case.status
        }
    elif not body:
        error = _("Write your message before sending it.")
    else:
        try:
            files = [IncomingFile.from_upload(f) for f in request.FILES.getlist("files")]
            attachment_rules.check(files)
        except AttachmentRefused as refused:
            error = str(refused)
    if error:
        context = _detail_context(request, contact, case, reply_error=error, body=body)
        return render(request, "portal/case_detail.html", context, status=400)
    case_messages.message_receive(
        case=case,
        channel=CaseMessage.Channel.PORTAL,
        body=body,
        contact=contact,
        user=request.user,
        files=files,
    )
    messages.success(request, _("Your message was sent to the service desk."))
    return redirect("portal:case-detail", pk=case.pk)


@require_POST
def case_rate(request, pk):
    contact, case = _own_case(request, pk)
    value = request.POST.get("value", "")
    try:
        case = ratings.satisfaction_rate(
            case=case, value=int(value) if value.isdigit() else 0, user=request.user
        )
    except RatingRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Thank you for rating the resolution."))
    return redirect("portal:case-detail", pk=case.pk)


def portal_attachment(request, pk):
    """An attachment of a message on one of the customer's own cases; 404 otherwise."""
    contact = _contact(request)
    attachment = get_object_or_404(
        CaseAttachment, pk=pk, case__contact=contact, message__isnull=False
    )
    return attachment_response(attachment)


# -- the signed links of the resolution email (no sign-in needed) -------------------------


def _refused(request, reason, case=None):
    return render(request, "portal/rating.html", {"refused": reason, "case": case}, status=400)


@login_not_required
def rate_link(request, case_pk, token):
    """GET: the rating page with the emailed score chosen (a link scanner opening it
    changes nothing); POST: record the rating the customer confirms."""
    case = Case.objects.select_related("status", "satisfaction").filter(pk=case_pk).first()
    if case is None:
        return _refused(request, _("This rating link is not valid."))
    try:
        value = satisfaction.read_token(token, case=case)
    except RatingRefused as refused:
        return _refused(request, str(refused), case)
    if request.method == "POST":
        chosen = request.POST.get("token", token)
        try:
            value = satisfaction.read_token(chosen, case=case)
            case = ratings.satisfaction_rate(case=case, value=value)
        except RatingRefused as refused:
            return _refused(request, str(refused), case)
        return render(request, "portal/rating.html", {"case": case, "done": True, "value": value})
    if not case.status.is_awaiting_rating:
        return _refused(
            request,
            _("%(number)s is “%(status)s”: it is not waiting for a rating any more.")
            % {"number": case.number, "status": case.status},
            case,
        )
    return render(
        request,
        "portal/rating.html",
        {"case": case, "value": value, "links": satisfaction.rating_links(case)},
    )
