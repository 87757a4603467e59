from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import selectors, services
from notifications.models import Notification
from notifications.panel import render_panel_update
from notifications.tasks import notify_user


def _panel_response(request):
    return HttpResponse(render_panel_update(request.user, request=request))


@require_GET
def panel(request):
    """The panel's out-of-band fragments: what a page polls while its socket is down."""
    return _panel_response(request)


@require_POST
def mark_read(request, notification_id):
    try:
        services.notification_mark_read(user=request.user, notification_id=notification_id)
    except Notification.DoesNotExist:
        raise Http404 from None
    if request.htmx:
        return _panel_response(request)
    return redirect("notifications:list")


@require_POST
def mark_all_read(request):
    services.notifications_mark_all_read(user=request.user)
    if request.htmx:
        return _panel_response(request)
    messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:list")


@require_GET
def notification_list(request):
    page = Paginator(selectors.notifications_for(request.user), 25).get_page(
        request.GET.get("page")
    )
    return render(request, "notifications/notification_list.html", {"page_obj": page})


@require_POST
def send_test(request):
    """Staff check that the worker, the channel layer and this browser are connected."""
    if not request.user.is_staff:
        raise PermissionDenied
    title = request.POST.get("title", "").strip()[:200] or _("Test notification")
    user_id = request.user.pk
    transaction.on_commit(
        lambda: notify_user.delay(
            user_id, title, _("Sent from the notifications page through the task queue.")
        )
    )
    if request.htmx:
        return HttpResponse(status=204)
    messages.info(request, _("Test notification queued."))
    return redirect("notifications:list")
