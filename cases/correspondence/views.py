"""Agent-side views of the customer side: the Email / Portal message composer and the
attachment download (the portal serves its customers' own attachments through
`attachment_response`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from cases.correspondence import attachments as attachment_rules
from cases.correspondence import messages as services
from cases.correspondence.attachments import AttachmentRefused, IncomingFile
from cases.errors import CaseError
from cases.models import Case, CaseAttachment, CaseMessage
from crm.frame import navigate, wants_fragment

CHANNELS = {CaseMessage.Channel.EMAIL: _("Email"), CaseMessage.Channel.PORTAL: _("Portal message")}


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
            return navigate(request, case.get_absolute_url())
    if wants_fragment(request):
        return render(request, "cases/includes/customer_composer.html", context)
    return render(request, "cases/correspondence/composer_page.html", context)


def attachment_download(request, pk):
    """An attachment, for agents (portal customers never reach agents' pages)."""
    attachment = get_object_or_404(CaseAttachment.objects.select_related("case__contact"), pk=pk)
    return attachment_response(attachment)


def attachment_response(attachment):
    """The file of `attachment`, inline when a browser shows it safely; 404 when gone."""
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
