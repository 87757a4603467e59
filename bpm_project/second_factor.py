"""An optional second factor for local accounts: a TOTP code (django-otp).

A user with a confirmed TOTP device (an admin adds one in Django admin, OTP_TOTP ›
TOTP devices, and the user scans its key into an authenticator app) is signed in by
password only halfway: every page sends them to "Enter your code" until a valid code
is given, and the live socket refuses them. Company sign-in (OIDC) leaves the second
factor to the company's provider.

Whether a code is owed is decided once, at sign-in, and kept in the session, so other
requests cost no query; a device added later applies from the next sign-in.
"""

from channels.db import database_sync_to_async
from django import forms
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login, match_token, user_has_device

COMPANY_BACKEND = "bpm_project.oidc.CompanyAccountBackend"
CODE_OWED_SESSION_KEY = "flowdesk_second_factor_owed"
# Paths a half-signed-in user may still reach.
OPEN_PREFIXES = ("/login/", "/logout/", "/static/", "/healthz", "/oidc/")


@receiver(user_logged_in, dispatch_uid="flowdesk-second-factor-owed")
def _decide_at_sign_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[CODE_OWED_SESSION_KEY] = request.session.get(
            BACKEND_SESSION_KEY
        ) != COMPANY_BACKEND and user_has_device(user)


def needs_code(request) -> bool:
    return request.user.is_authenticated and bool(request.session.get(CODE_OWED_SESSION_KEY))


class SecondFactorMiddleware:
    """After django_otp's OTPMiddleware: pages wait for the code."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(OPEN_PREFIXES) and needs_code(request):
            return redirect(f"{reverse('login-code')}?next={request.get_full_path()}")
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


@login_required
def enter_code(request):
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    if not needs_code(request):
        return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"].strip())
        if device is not None:
            login(request, device)
            request.session[CODE_OWED_SESSION_KEY] = False
            return redirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
        form.add_error(
            "code",
            _("That code is not right or has expired. Enter the code your app shows now."),
        )
    return render(request, "crm/login_code.html", {"form": form, "next": next_url})


class SecondFactorWebsocketMiddleware:
    """Inside Channels' AuthMiddlewareStack: a socket of a half-signed-in user is refused."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        user, session = scope.get("user"), scope.get("session")
        if user is not None and user.is_authenticated and session is not None:
            owed = await database_sync_to_async(session.get)(CODE_OWED_SESSION_KEY)
            if owed:
                # As the consumer treats a signed-out socket: accept, then close with 4401,
                # so the browser learns why instead of seeing a bare failed handshake.
                await receive()
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": 4401})
                return None
        return await self.inner(scope, receive, send)
