from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponseServerError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from crm import languages, sections, selectors, services, time_zones
from crm.forms import AccountForm, ContactForm, LanguageForm, TimeZoneForm
from crm.frame import PAGE_SIZE, safe_next, wants_fragment
from crm.models import Account, Contact


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "crm/login.html"
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        if request.htmx and not request.user.is_authenticated:
            # A fragment request whose session ended: send the whole page to sign-in.
            back = request.htmx.current_url_abs_path or ""
            login_url = reverse("crm:login")
            if back:
                login_url += "?" + urlencode({"next": back})
            return HttpResponseClientRedirect(login_url)
        next_url = request.GET.get("next", "")
        if not request.user.is_authenticated and next_url:
            if self._had_session(request):
                messages.info(request, _("Your session has expired. Sign in again to continue."))
            elif next_url != "/":
                messages.info(request, _("Sign in to open that page."))
        return super().get(request, *args, **kwargs)

    @staticmethod
    def _had_session(request):
        return settings.SESSION_COOKIE_NAME in request.COOKIES


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You have signed out."))
        return response


def home(request):
    """The first section the user may open (the agent desktop, for agents)."""
    visible = sections.visible_to(request.user)
    return redirect(visible[0].url_name if visible else "crm:contact-list")


def _list_filters(request):
    owner = request.GET.get("owner", "all")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "owner": owner if owner in ("all", "mine") else "all",
        "sort": request.GET.get("sort", ""),
    }


@require_GET
@vary_on_headers("HX-Request")
def contact_list(request):
    filters = _list_filters(request)
    account_id = request.GET.get("account", "")
    account_id = int(account_id) if account_id.isdigit() else None
    contacts, sort = selectors.contact_list(user=request.user, account_id=account_id, **filters)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "filters": filters,
        "sort": sort,
        "account_id": account_id,
        "current_section": "contacts",
    }
    if wants_fragment(request):
        return render(request, "crm/contact_list.html#contact-table", context)
    context["accounts"] = selectors.account_choices()
    return render(request, "crm/contact_list.html", context)


@require_GET
def contact_detail(request, pk):
    contact = get_object_or_404(Contact.objects.select_related("account", "owner"), pk=pk)
    return render(
        request,
        "crm/contact_detail.html",
        {"contact": contact, "current_section": "contacts"},
    )


def contact_create(request):
    initial = {"owner": request.user}
    if (account_id := request.GET.get("account", "")).isdigit():
        initial["account"] = account_id
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        contact = services.contact_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Contact “%(name)s” created.") % {"name": contact})
        return redirect(contact)
    return render(
        request,
        "crm/contact_form.html",
        {"form": form, "contact": None, "current_section": "contacts"},
    )


def contact_edit(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        services.contact_update(contact=contact, **form.cleaned_data)
        messages.success(request, _("Contact saved."))
        return redirect(safe_next(request, contact.get_absolute_url()))
    return render(
        request,
        "crm/contact_form.html",
        {"form": form, "contact": contact, "current_section": "contacts"},
    )


@require_GET
@vary_on_headers("HX-Request")
def account_list(request):
    filters = _list_filters(request)
    accounts, sort = selectors.account_list(user=request.user, **filters)
    page = Paginator(accounts, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "filters": filters,
        "sort": sort,
        "current_section": "accounts",
    }
    if wants_fragment(request):
        return render(request, "crm/account_list.html#account-table", context)
    return render(request, "crm/account_list.html", context)


@require_GET
def account_detail(request, pk):
    account = get_object_or_404(Account.objects.select_related("owner"), pk=pk)
    return render(
        request,
        "crm/account_detail.html",
        {
            "account": account,
            "contacts": selectors.contacts_of_account(account),
            "current_section": "accounts",
        },
    )


def account_create(request):
    form = AccountForm(request.POST or None, initial={"owner": request.user})
    if request.method == "POST" and form.is_valid():
        account = services.account_create(created_by=request.user, **form.cleaned_data)
        messages.success(request, _("Account “%(name)s” created.") % {"name": account})
        return redirect(account)
    return render(
        request,
        "crm/account_form.html",
        {"form": form, "account": None, "current_section": "accounts"},
    )


def account_edit(request, pk):
    account = get_object_or_404(Account, pk=pk)
    form = AccountForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        services.account_update(account=account, **form.cleaned_data)
        messages.success(request, _("Account saved."))
        return redirect(safe_next(request, account.get_absolute_url()))
    return render(
        request,
        "crm/account_form.html",
        {"form": form, "account": account, "current_section": "accounts"},
    )


def _frame_for(request):
    user = getattr(request, "user", None)
    return "base.html" if user is not None and user.is_authenticated else "base_minimal.html"


def _error_page(request, template, status, context=None):
    context = {"frame_template": _frame_for(request), **(context or {})}
    return render(request, template, context, status=status)


@login_not_required
def csrf_failure(request, reason=""):
    referer = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(referer, allowed_hosts={request.get_host()}):
        referer = ""
    return _error_page(
        request,
        "errors/403_csrf.html",
        403,
        {"reason": reason, "retry_url": referer or request.path},
    )


@login_not_required
def error_403(request, exception=None):
    return _error_page(request, "errors/403.html", 403)


@login_not_required
def error_404(request, exception=None):
    return _error_page(request, "errors/404.html", 404)


@login_not_required
def error_500(request):
    try:
        return _error_page(request, "errors/500.html", 500)
    except Exception:
        # The frame itself may be what is broken (database down): show the bare page.
        html = render_to_string("errors/500.html", {"frame_template": "base_minimal.html"})
        return HttpResponseServerError(html)


@require_http_methods(["GET", "POST"])
def time_zone_edit(request):
    """The user menu's "Time zone": the zone every page shows times in, for this person."""
    form = TimeZoneForm(
        request.POST or None,
        initial={"time_zone": request.session.get(time_zones.SESSION_KEY, "")},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["time_zone"]
        services.user_time_zone_set(user=request.user, time_zone=chosen)
        request.session[time_zones.SESSION_KEY] = chosen
        messages.success(
            request,
            _("Times are now shown in %(zone)s.") % {"zone": chosen or settings.TIME_ZONE},
        )
        return redirect(safe_next(request, reverse("crm:time-zone")))
    return render(request, "crm/time_zone_form.html", {"form": form, "now_here": timezone.now()})


@require_http_methods(["GET", "POST"])
def language_edit(request):
    """The user menu's "Language": the language of every page, for this person."""
    form = LanguageForm(
        request.POST or None,
        initial={"language": request.session.get(languages.SESSION_KEY, "")},
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["language"]
        services.user_language_set(user=request.user, language=chosen)
        languages.apply(request, chosen)
        messages.success(
            request,
            _("Pages are now shown in %(language)s.")
            % {"language": languages.name(translation.get_language())},
        )
        response = redirect(safe_next(request, reverse("crm:language")))
        languages.remember_in_cookie(response, chosen)
        return response
    return render(request, "crm/language_form.html", {"form": form})
