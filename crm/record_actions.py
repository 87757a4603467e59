"""Buttons that apps to the right add to record pages and list pages.

crm's templates must not know processes (or anything to its right), so record
pages render `{% record_actions record %}` and list pages
`{% list_actions "crm.Contact" %}` and `{% row_select record %}`; apps register
providers in their AppConfig.ready():

    record_actions.register(provider)        # provider(request, record) -> HTML or None
    record_actions.register_list(provider)   # provider(request, model) -> HTML or None

A provider returns rendered, safe HTML (or None to add nothing).
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.html import mark_safe

_record_providers: list[Callable] = []
_list_providers: list[Callable] = []


def register(provider: Callable) -> None:
    """Add buttons to every record page: provider(request, record) -> HTML or None."""
    if provider not in _record_providers:
        _record_providers.append(provider)


def register_list(provider: Callable) -> None:
    """Add buttons to every list page's toolbar: provider(request, model) -> HTML or None."""
    if provider not in _list_providers:
        _list_providers.append(provider)


def render_record(request, record) -> str:
    parts = [provider(request, record) for provider in _record_providers]
    return mark_safe("".join(str(p) for p in parts if p))  # noqa: S308 - providers render


def render_list(request, model) -> str:
    parts = [provider(request, model) for provider in _list_providers]
    return mark_safe("".join(str(p) for p in parts if p))  # noqa: S308 - providers render
