"""Webhook subscriptions for administrators: subscribe, test, read the delivery log, resend."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from crm.frame import PAGE_SIZE, staff_required, wants_fragment
from webhooks import services
from webhooks.forms import SubscriptionForm
from webhooks.models import Attempt, Delivery, Subscription

_REVEAL_ONCE = "webhooks-reveal-once"


@require_GET
@staff_required
def subscription_list(request):
    subscriptions = Subscription.objects.all()
    return render(
        request,
        "webhooks/subscription_list.html",
        {"subscriptions": subscriptions, "current_section": "webhooks"},
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def subscription_create(request):
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        subscription = services.subscription_create(user=request.user, **form.cleaned_data)
        # Shown once, on the page the browser lands on next.
        request.session[_REVEAL_ONCE] = subscription.pk
        messages.success(request, _("Subscribed “%(name)s”.") % {"name": subscription.name})
        return redirect(subscription)
    return render(
        request,
        "webhooks/subscription_form.html",
        {"form": form, "current_section": "webhooks"},
        status=400 if form.errors else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
def subscription_edit(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    initial = {
        "name": subscription.name,
        "url": subscription.url,
        "events": subscription.events,
        "is_active": subscription.is_active,
    }
    form = SubscriptionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.subscription_update(subscription=subscription, **form.cleaned_data)
        messages.success(request, _("Saved “%(name)s”.") % {"name": subscription.name})
        return redirect(subscription)
    return render(
        request,
        "webhooks/subscription_form.html",
        {"form": form, "subscription": subscription, "current_section": "webhooks"},
        status=400 if form.errors else 200,
    )


def _detail_context(request, subscription, *, show_secret=False):
    deliveries = (
        Delivery.objects.filter(subscription=subscription)
        .order_by("-created_at", "pk")
        .prefetch_related(Prefetch("attempt_log", queryset=Attempt.objects.order_by("number")))
    )
    page_obj = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    return {
        "subscription": subscription,
        "page_obj": page_obj,
        # The log refreshes itself while a delivery is queued or retries within a minute.
        "waiting": any(delivery.is_due_soon(now) for delivery in page_obj),
        "show_secret": show_secret,
        "current_section": "webhooks",
    }


@never_cache
@require_GET
@staff_required
@vary_on_headers("HX-Request")
def subscription_detail(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    context = _detail_context(request, subscription)
    if wants_fragment(request):
        return render(request, "webhooks/subscription_detail.html#delivery-log", context)
    context["new_secret"] = request.session.pop(_REVEAL_ONCE, None) == subscription.pk
    return render(request, "webhooks/subscription_detail.html", context)


@never_cache
@require_POST
@staff_required
def subscription_reveal(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    context = _detail_context(request, subscription, show_secret=True)
    return render(request, "webhooks/subscription_detail.html", context)


@require_POST
@staff_required
def subscription_rotate(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    services.subscription_rotate_secret(subscription=subscription)
    request.session[_REVEAL_ONCE] = subscription.pk
    messages.success(
        request, _("A new secret signs every delivery from now on; the old one no longer does.")
    )
    return redirect(subscription)


@require_POST
@staff_required
def subscription_delete(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    name = subscription.name
    subscription.delete()
    messages.success(request, _("Deleted “%(name)s” and its delivery log.") % {"name": name})
    return redirect("webhooks:list")


@require_POST
@staff_required
def subscription_test(request, pk):
    subscription = get_object_or_404(Subscription, pk=pk)
    services.test_event_send(subscription=subscription, user=request.user)
    messages.success(request, _("A test event is on its way; its delivery shows below."))
    return redirect(subscription)


@require_POST
@staff_required
def delivery_resend(request, delivery_id):
    delivery = get_object_or_404(Delivery.objects.select_related("subscription"), pk=delivery_id)
    services.delivery_resend(delivery=delivery)
    messages.success(
        request,
        _("“%(event)s” is sent again as a new delivery.") % {"event": delivery.event_label},
    )
    return redirect(delivery.subscription)
