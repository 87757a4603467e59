"""The user's own API tokens: make one (shown once), see when each was used, revoke."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from api import tokens
from api.forms import TokenForm


@never_cache
@require_http_methods(["GET", "POST"])
def tokens_page(request):
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        _row, new_token = tokens.token_create(user=request.user, **form.cleaned_data)
        form = TokenForm()
    context = {
        "form": form,
        "new_token": new_token,
        "tokens": request.user.api_tokens.all(),
        "current_section": "profile",
    }
    return render(request, "api/tokens.html", context)


@require_POST
def token_revoke(request, pk):
    if tokens.token_revoke(user=request.user, token_id=pk):
        messages.success(request, _("The token is revoked: it no longer opens the API."))
    return redirect("tokens:list")
