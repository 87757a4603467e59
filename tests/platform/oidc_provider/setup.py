"""Migrate the provider's database and register Flowdesk as a client and one employee.

python -m tests.platform.oidc_provider.setup REDIRECT_URI CLIENT_ID CLIENT_SECRET
"""

import sys

import django

django.setup()

from django.contrib.auth.models import Group, User  # noqa: E402 - needs the app registry
from django.core.management import call_command  # noqa: E402
from oauth2_provider.models import Application  # noqa: E402


def main(redirect_uri, client_id, client_secret):
    call_command("migrate", verbosity=0)
    user = User.objects.create_user(
        "f.meier",
        email="frieda.meier@example.com",
        password="company-password",
        first_name="Frieda",
        last_name="Meier",
    )
    user.groups.add(Group.objects.create(name="service-desk-l2"))
    user.groups.add(Group.objects.create(name="canteen"))
    Application.objects.create(
        name="Flowdesk",
        client_id=client_id,
        client_secret=client_secret,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=redirect_uri,
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
