from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator

from crm.models import Account, Contact


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "crm/login.html"
    redirect_authenticated_user = True


def home(request):
    return redirect("crm:contact-list")


def contact_list(request):
    contacts = Contact.objects.select_related("account")[:50]
    return render(request, "crm/contact_list.html", {"contacts": contacts})


def contact_detail(request, pk):
    contact = get_object_or_404(Contact, pk=pk)
    return render(request, "crm/contact_detail.html", {"contact": contact})


def account_list(request):
    return render(request, "crm/account_list.html", {"accounts": Account.objects.all()[:50]})


def account_detail(request, pk):
    account = get_object_or_404(Account, pk=pk)
    return render(request, "crm/account_detail.html", {"account": account})


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", {"reason": reason}, status=403)


@login_not_required
def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


@login_not_required
def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


@login_not_required
def error_500(request):
    return render(request, "errors/500.html", status=500)
