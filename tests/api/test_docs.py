"""The OpenAPI schema and the interactive docs page, served from our own static files."""

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_is_openapi_3_with_bearer_auth(agent):
    client = Client()
    client.force_login(agent)
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"
    operations = [m for path in schema["paths"].values() for m in path]
    assert len(operations) >= 30


def test_the_docs_page_loads_swagger_ui_from_our_static_files_under_the_csp(agent):
    client = Client()
    client.force_login(agent)
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(s.endswith("swagger-ui-bundle.js") for s in sources)
    assert all(s.startswith("/static/") for s in sources), sources
    assert "cdn" not in html.lower()
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "http" not in csp.split("script-src")[1].split(";")[0]
    for source in sources:
        assert client.get(source).status_code == 200, source


def test_the_docs_page_needs_a_sign_in():
    response = Client().get("/api/docs")
    assert response.status_code == 302 and "/login/" in response["Location"]
