"""Every list page is one frame (crm/includes/list_page.html): a toolbar that filters
into the table region, and a view that answers that region alone to htmx."""

import re

import pytest
from django.urls import reverse

LISTS = [
    ("crm:contact-list", "contact"),
    ("crm:account-list", "account"),
    ("crm:opportunity-list", "opportunity"),
    ("activities:list", "activity"),
    ("cases:case-list", "case"),
    ("processes:log", "instance"),
    ("processes:library", "process"),
]


@pytest.mark.parametrize(("url_name", "noun"), LISTS)
def test_the_toolbar_filters_into_the_table_region_the_view_answers_alone(
    client, admin_user, url_name, noun
):
    client.force_login(admin_user)
    url = reverse(url_name)

    page = client.get(url).content.decode()
    toolbar = re.search(rf'<form id="{noun}-filters"[^>]*>', page, re.S)
    assert toolbar, f"no toolbar form #{noun}-filters"
    assert f'action="{url}"' in toolbar.group(0)
    assert f'hx-get="{url}"' in toolbar.group(0)
    assert f'hx-target="#{noun}-table"' in toolbar.group(0)
    assert page.count(f'id="{noun}-table"') == 1

    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith(f'<div id="{noun}-table" class="table-region">')
    assert "<html" not in fragment and f'id="{noun}-filters"' not in fragment


@pytest.mark.parametrize(("url_name", "noun"), LISTS)
def test_an_empty_list_shows_its_empty_state_in_the_table_region(
    client, admin_user, url_name, noun
):
    client.force_login(admin_user)
    fragment = client.get(
        reverse(url_name), {"q": "no such thing anywhere"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert 'class="empty-state"' in fragment
    assert 'class="empty-title"' in fragment
    assert "<table" not in fragment
