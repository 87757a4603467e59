"""Company sign-in, end to end: Flowdesk (Daphne, configured only from the environment)
against a real OpenID Connect provider (django-oauth-toolkit) in another process."""

import http.cookiejar
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth.models import User
from django.db import connection

from tests.support import servers

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CLIENT_ID = "flowdesk-desk"
CLIENT_SECRET = "provider-issued-secret-for-the-test"  # noqa: S105


def rsa_key_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@pytest.fixture
def company_provider(tmp_path):
    """The company's provider at http://localhost:PORT. Flowdesk runs at 127.0.0.1, so the
    client below keeps the two sites' cookies apart, as a browser does."""
    key = tmp_path / "provider-key.pem"
    key.write_bytes(rsa_key_pem())
    env = servers.server_env(
        database_name="unused",
        channels_prefix="unused",
        celery_queue="unused",
        settings_module="tests.platform.oidc_provider.settings",
        OIDC_PROVIDER_DB=str(tmp_path / "provider.sqlite3"),
        OIDC_PROVIDER_KEY=str(key),
    )
    port, flowdesk_port = servers.free_port(), servers.free_port()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.platform.oidc_provider.setup",
            f"http://127.0.0.1:{flowdesk_port}/oidc/callback/",
            CLIENT_ID,
            CLIENT_SECRET,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    log_path = tmp_path / "provider.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "django", "runserver", "--noreload", f"localhost:{port}"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    proc.log_path = log_path
    try:
        servers.wait_for_http(f"http://localhost:{port}/accounts/login/", proc=proc)
        yield {"url": f"http://localhost:{port}", "flowdesk_port": flowdesk_port, "proc": proc}
    finally:
        stop(proc)


@pytest.fixture
def flowdesk(company_provider, tmp_path):
    """Flowdesk on Daphne with company sign-in configured from the environment alone."""
    provider = company_provider["url"]
    suffix = servers.unique_suffix()
    env = servers.server_env(
        database_name=connection.settings_dict["NAME"],
        channels_prefix=f"oidc-{suffix}",
        celery_queue=f"oidc-{suffix}",
        OIDC_CLIENT_ID=CLIENT_ID,
        OIDC_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_AUTHORIZATION_ENDPOINT=f"{provider}/o/authorize/",
        OIDC_TOKEN_ENDPOINT=f"{provider}/o/token/",
        OIDC_USERINFO_ENDPOINT=f"{provider}/o/userinfo/",
        OIDC_JWKS_URI=f"{provider}/o/.well-known/jwks.json",
        OIDC_GROUP_ROLES="service-desk-l2=2nd line support;service-desk-l1=1st line support",
    )
    port = company_provider["flowdesk_port"]
    daphne = servers.start_daphne(env, port=port, log_path=tmp_path / "daphne.log")
    try:
        servers.wait_for_http(f"http://127.0.0.1:{port}/login/", proc=daphne)
        yield f"http://127.0.0.1:{port}"
    finally:
        servers.stop(daphne)


def browser_like_client():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def test_an_employee_signs_in_with_the_company_account_and_gets_the_mapped_roles(
    flowdesk, company_provider
):
    client = browser_like_client()
    login_page = client.open(f"{flowdesk}/login/?next=/cases/desktop/").read().decode()
    company_link = re.search(r'id="company-sign-in" href="([^"]+)"', login_page)
    assert company_link, "the sign-in page offers the company account"

    # Flowdesk sends the browser to the provider, which asks for the company password.
    page = client.open(flowdesk + company_link[1].replace("&amp;", "&"))
    assert page.url.startswith(f"{company_provider['url']}/accounts/login/")
    form = page.read().decode()
    fields = {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1],
        "next": re.search(r'name="next" value="([^"]*)"', form)[1].replace("&amp;", "&"),
        "username": "f.meier",
        "password": "company-password",
    }
    # Signed in there, the provider sends the browser back to Flowdesk with a code,
    # Flowdesk redeems it, checks the ID token and lands on the page first asked for.
    landed = client.open(page.url, data=urllib.parse.urlencode(fields).encode())
    assert landed.url == f"{flowdesk}/cases/desktop/", (
        landed.url,
        servers.read_log(company_provider["proc"]),
    )
    assert "Frieda" in landed.read().decode()

    employee = User.objects.get(email="frieda.meier@example.com")
    assert (employee.first_name, employee.last_name) == ("Frieda", "Meier")
    assert set(employee.groups.values_list("name", flat=True)) == {"2nd line support"}
    assert not employee.has_usable_password()


def test_local_passwords_still_work_beside_it(flowdesk, agent):
    client = browser_like_client()
    form = client.open(f"{flowdesk}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)[1]
    landed = client.open(
        f"{flowdesk}/login/",
        data=urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "username": "bob", "password": "password", "next": ""}
        ).encode(),
    )
    assert "/login/" not in landed.url
