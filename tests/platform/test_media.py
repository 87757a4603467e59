"""Uploaded files are never served from MEDIA_ROOT, with DEBUG on or off.

Case attachments go out only through the cases' and the portal's views, which
check who asks; the path tricks below once reached a DEBUG-only static route.
"""

import importlib

import pytest
from django.test import override_settings
from django.urls import clear_url_caches

import bpm_project.urls

SECRET = b"the customer's invoice, for the case's people only"
BYPASSES = [
    "/media/case-attachments/7/0f3a/invoice.txt",
    "/media/./case-attachments/7/0f3a/invoice.txt",
    "/media/x/../case-attachments/7/0f3a/invoice.txt",
    "/media/%2e/case-attachments/7/0f3a/invoice.txt",
    "/media/x/%2e%2e/case-attachments/7/0f3a/invoice.txt",
    "/media//case-attachments/7/0f3a/invoice.txt",
    "/media/CASE-ATTACHMENTS/7/0f3a/invoice.txt",
    "/media/case-attachments%2f7/0f3a/invoice.txt",
]


@pytest.fixture(params=[True, False], ids=["DEBUG on", "DEBUG off"])
def urls_built_with_debug(request, settings, tmp_path):
    """The URLconf as a process started with DEBUG=request.param builds it."""
    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "case-attachments" / "7" / "0f3a"
    folder.mkdir(parents=True)
    (folder / "invoice.txt").write_bytes(SECRET)
    (tmp_path / "logo.txt").write_bytes(SECRET)
    with override_settings(DEBUG=request.param):
        importlib.reload(bpm_project.urls)
        clear_url_caches()
        yield
    importlib.reload(bpm_project.urls)
    clear_url_caches()


@pytest.mark.django_db
@pytest.mark.parametrize("path", BYPASSES)
def test_no_path_trick_serves_an_attachment_from_media(urls_built_with_debug, client, path):
    response = client.get(path)
    assert response.status_code in {302, 404}
    assert SECRET not in b"".join(getattr(response, "streaming_content", [response.content]))


@pytest.mark.django_db
@pytest.mark.parametrize("path", BYPASSES)
def test_nor_to_a_signed_in_agent_of_no_case(urls_built_with_debug, client, outsider, path):
    client.force_login(outsider)
    response = client.get(path)
    assert response.status_code == 404
    assert SECRET not in b"".join(getattr(response, "streaming_content", [response.content]))


@pytest.mark.django_db
def test_other_files_under_media_are_not_served_either(urls_built_with_debug, client, outsider):
    client.force_login(outsider)
    assert client.get("/media/logo.txt").status_code == 404
