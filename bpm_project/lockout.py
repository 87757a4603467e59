"""What a locked-out sign-in sees: the sign-in page, saying why and for how long.

django-axes calls this (AXES_LOCKOUT_CALLABLE) once a username has had too many
wrong passwords from one address; the password is never checked while locked.
"""

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.shortcuts import render


def login_locked_out(request, original_response=None, credentials=None):
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "locked_out": True,
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "lockout_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    return render(request, "crm/login.html", context, status=429)
