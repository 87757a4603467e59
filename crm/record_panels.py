"""Panels other apps add to crm record pages, without crm importing them.

An app registers `provider(request, record) -> HTML or None` in its
AppConfig.ready(); a record page renders every provider's HTML for a place
("top": above the record's fields, "side": in the action panel) with
`{% record_panels record "top" %}`.
"""

from dataclasses import dataclass

from django.utils.safestring import mark_safe

PLACES = ("top", "side")


@dataclass(frozen=True)
class Provider:
    key: str
    render: object
    place: str
    order: int


_providers: dict[str, Provider] = {}


def register(provider, *, key=None, place="top", order=100):
    """Add a panel provider for a place of the record page (idempotent per key)."""
    if place not in PLACES:
        raise ValueError(f"place must be one of {', '.join(PLACES)}, not {place!r}")
    key = key or f"{provider.__module__}.{provider.__qualname__}"
    _providers[key] = Provider(key, provider, place, order)


def render(request, record, place="top"):
    """The HTML every provider gives for this record and place, in order."""
    parts = []
    for provider in sorted(_providers.values(), key=lambda p: (p.order, p.key)):
        if provider.place != place:
            continue
        html = provider.render(request, record)
        if html:
            parts.append(str(html))
    return mark_safe("".join(parts))  # noqa: S308 - providers return rendered templates
