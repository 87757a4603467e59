"""The registry of sections shown in the left navigation.

Each app registers its sections in its AppConfig.ready(), so the frame never
imports the apps to its right.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    icon: str
    order: int
    staff_only: bool


_sections: dict[str, Section] = {}


def register(key, label, url_name, *, icon="dot", order=100, staff_only=False):
    """Add a section to the left navigation (idempotent per key)."""
    _sections[key] = Section(key, label, url_name, icon, order, staff_only)


def visible_to(user):
    """The sections this user may see, in navigation order."""
    items = sorted(_sections.values(), key=lambda s: (s.order, s.key))
    return [s for s in items if not s.staff_only or user.is_staff]
