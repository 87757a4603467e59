"""Company sign-in with OpenID Connect (mozilla-django-oidc), beside local passwords.

Configured from the environment (settings turn it on when OIDC_CLIENT_ID is set). A
user who signs in through the company's provider is matched by e-mail, or created; the
provider's group claim decides their Flowdesk groups (roles): OIDC_GROUP_ROLES maps
provider group names to Flowdesk group names, and on every sign-in the user's mapped
groups are set to exactly what the claim says. Groups outside the map are left alone.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import path
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)


class CompanyAccountBackend(OIDCAuthenticationBackend):
    def create_user(self, claims):
        user = super().create_user(claims)
        self.update_user(user, claims)
        return user

    def update_user(self, user, claims):
        with transaction.atomic():
            user.first_name = claims.get("given_name", user.first_name)[:150]
            user.last_name = claims.get("family_name", user.last_name)[:150]
            user.save(update_fields=["first_name", "last_name"])
            roles = settings.OIDC_GROUP_ROLES
            claimed = claims.get(settings.OIDC_GROUP_CLAIM) or []
            if isinstance(claimed, str):
                claimed = [claimed]
            wanted = {roles[name] for name in claimed if name in roles}
            for name in set(roles.values()):
                group, _ = Group.objects.get_or_create(name=name)
                if name in wanted:
                    user.groups.add(group)
                else:
                    user.groups.remove(group)
        return user


urlpatterns = [
    path(
        "callback/",
        login_not_required(OIDCAuthenticationCallbackView.as_view()),
        name="oidc_authentication_callback",
    ),
    path(
        "authenticate/",
        login_not_required(OIDCAuthenticationRequestView.as_view()),
        name="oidc_authentication_init",
    ),
]
