"""Every page is sent with a Content Security Policy its own markup works under:
an inline script runs only with the request's nonce or an allowed hash."""

import base64
import hashlib
import re

import pytest
from django.apps import apps
from django.urls import reverse

from cases.defaults import load_defaults
from tests.cases.customer_factories import portal_customer
from tests.cases.factories import make_case

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
EVENT_HANDLER = re.compile(r"\son[a-z]+=\"(?P<code>[^\"]*)\"")


def policy(response):
    header = response.headers["Content-Security-Policy"]
    return dict((part.split()[0], part.split()[1:]) for part in header.split(";") if part.strip())


def sha256_source(text):
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def assert_scripts_allowed(response):
    """What Chromium would refuse under the page's own policy, named for whoever must move it."""
    script_src = policy(response)["script-src"]
    page = response.content.decode()
    refused = []
    for match in INLINE_SCRIPT.finditer(page):
        attrs, body = match["attrs"], match["body"]
        if "src=" in attrs:
            continue
        nonce = re.search(r'nonce="([^"]+)"', attrs)
        if nonce and f"'nonce-{nonce[1]}'" in script_src:
            continue
        if sha256_source(body) not in script_src:
            refused.append(f"<script>{body[:60]}…")
    for match in EVENT_HANDLER.finditer(page):
        if not ("'unsafe-hashes'" in script_src and sha256_source(match["code"]) in script_src):
            refused.append(f'on…="{match["code"][:60]}…"')
    assert not refused, "inline code the policy refuses: " + "; ".join(refused)


@pytest.fixture
def a_case(agent):
    load_defaults(apps)
    return make_case(by=agent, subject="Label printer jams")


def test_the_sign_in_page_carries_a_policy_without_inline_scripts_allowed_wholesale(client):
    response = client.get(reverse("crm:login"))
    directives = policy(response)
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]
    assert "'unsafe-hashes'" not in directives["script-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert_scripts_allowed(response)


def test_each_request_gets_its_own_nonce_and_htmx_carries_it(client, agent):
    client.force_login(agent)
    desktop = reverse("cases:desktop")
    first, second = client.get(desktop), client.get(desktop)
    nonces = [
        next(s for s in policy(r)["script-src"] if s.startswith("'nonce-")) for r in (first, second)
    ]
    assert nonces[0] != nonces[1]
    htmx_tag = re.search(r"<script[^>]*htmx[^>]*>", first.content.decode())[0]
    assert f'nonce="{nonces[0][7:-1]}"' in htmx_tag


def test_the_agents_frame_and_a_case_page_work_under_the_policy(client, agent, a_case):
    client.force_login(agent)
    for url in (reverse("crm:contact-list"), reverse("cases:desktop"), a_case.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_scripts_allowed(response)


def test_the_portal_case_page_works_under_the_policy(client, agent):
    load_defaults(apps)
    user, contact = portal_customer()
    case = make_case(by=agent, subject="Label printer jams", contact=contact)
    client.force_login(user)
    response = client.get(reverse("portal:case-detail", args=[case.pk]))
    assert response.status_code == 200
    assert_scripts_allowed(response)
