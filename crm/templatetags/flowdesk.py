"""Template helpers for the shared frame: icons, user labels, sortable headers."""

from django import template
from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import escape, format_html, mark_safe
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from crm import record_actions as registry

register = template.Library()

# 24x24 stroke icons (drawn for Flowdesk), keyed by the names sections register.
_ICONS = {
    "dot": '<circle cx="12" cy="12" r="3"/>',
    "user": '<circle cx="12" cy="8" r="4"/><path d="M4 21c0-4 4-6 8-6s8 2 8 6"/>',
    "users": '<circle cx="9" cy="8" r="3.5"/><path d="M2.5 20c0-3.5 3-5.5 6.5-5.5s6.5 2 6.5 5.5"/>'
    '<path d="M16 4.5a3.5 3.5 0 0 1 0 7M18 14.5c2 .6 3.5 2.4 3.5 5.5"/>',
    "building": '<rect x="4" y="3" width="16" height="18" rx="1.5"/>'
    '<path d="M9 7h2M13 7h2M9 11h2M13 11h2M9 15h2M13 15h2M10 21v-3h4v3"/>',
    "bell": '<path d="M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z"/><path d="M10 20.5a2 2 0 0 0 4 0"/>',
    "tasks": '<rect x="3.5" y="3.5" width="17" height="17" rx="3"/><path d="m8 12 3 3 5-6"/>',
    "inbox": '<path d="M3 13l3-8h12l3 8v6H3z"/><path d="M3 13h5l1 3h6l1-3h5"/>',
    "case": '<rect x="3" y="7" width="18" height="13" rx="2"/><path d="M9 7V5h6v2M3 12h18"/>',
    "flow": '<circle cx="6" cy="6" r="2.5"/><circle cx="18" cy="18" r="2.5"/>'
    '<rect x="14.5" y="3.5" width="7" height="5" rx="1"/><path d="M8.5 6h6M18 8.5v7"/>',
    "calendar": '<rect x="3.5" y="5" width="17" height="15" rx="2"/>'
    '<path d="M3.5 10h17M8 3v4M16 3v4"/>',
    "settings": '<circle cx="12" cy="12" r="3"/><path d="M12 2v3M12 19v3M4.2 4.2l2.1 2.1M17.7 17.7'
    'l2.1 2.1M2 12h3M19 12h3M4.2 19.8l2.1-2.1M17.7 6.3l2.1-2.1"/>',
    "book": '<path d="M4 4.5A1.5 1.5 0 0 1 5.5 3H20v15H5.5A1.5 1.5 0 0 0 4 19.5z"/>'
    '<path d="M4 19.5A1.5 1.5 0 0 0 5.5 21H20v-3"/>',
    "chart": '<path d="M4 20V4M4 20h16"/><path d="M8 16v-5M12 16V8M16 16v-7"/>',
    "shield": '<path d="M12 3 4 6v6c0 4.5 3.5 8 8 9 4.5-1 8-4.5 8-9V6z"/>',
    "logout": '<path d="M15 4h3a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2h-3"/>'
    '<path d="M10 16l-4-4 4-4M6 12h10"/>',
    "plus": '<path d="M12 5v14M5 12h14"/>',
    "edit": '<path d="M4 20h4L19 9l-4-4L4 16z"/><path d="m13.5 6.5 4 4"/>',
    "search": '<circle cx="11" cy="11" r="6.5"/><path d="m16 16 4.5 4.5"/>',
    "x": '<path d="M6 6l12 12M18 6 6 18"/>',
    "check": '<path d="m5 12.5 4.5 4.5L19 7.5"/>',
    "check-all": '<path d="m2.5 12.5 4.5 4.5 9-9.5"/><path d="m12 16.5.5.5 9-9.5"/>',
    "panel": '<rect x="3" y="4" width="18" height="16" rx="2"/><path d="M15 4v16"/>',
    "chevron-right": '<path d="m9 6 6 6-6 6"/>',
    "chevron-left": '<path d="m15 6-6 6 6 6"/>',
    "chevron-down": '<path d="m6 9 6 6 6-6"/>',
    "arrow-up": '<path d="M12 19V5M6 11l6-6 6 6"/>',
    "arrow-down": '<path d="M12 5v14M6 13l6 6 6-6"/>',
    "sort": '<path d="M8 9l4-4 4 4M8 15l4 4 4-4"/>',
    "mail": '<rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3.5 6 8.5 7 8.5-7"/>',
    "phone": '<path d="M5 3h3.5l1.5 5-2.5 1.5a11 11 0 0 0 7 7L16 14l5 1.5V19a2 2 0 0 1-2 2'
    'A17 17 0 0 1 3 5a2 2 0 0 1 2-2z"/>',
    "globe": '<circle cx="12" cy="12" r="9"/><path d="M3 12h18M12 3c2.5 2.5 3.5 5.5 3.5 9'
    's-1 6.5-3.5 9c-2.5-2.5-3.5-5.5-3.5-9S9.5 5.5 12 3z"/>',
    "map-pin": '<path d="M12 21s-7-6.5-7-12a7 7 0 0 1 14 0c0 5.5-7 12-7 12z"/>'
    '<circle cx="12" cy="9" r="2.5"/>',
    "briefcase": '<rect x="3" y="7" width="18" height="13" rx="2"/><path d="M9 7V5h6v2"/>',
    "info": '<circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.5"/>',
    "alert": '<path d="M12 3 2 20h20z"/><path d="M12 10v4M12 17v.5"/>',
    "lock": '<rect x="4.5" y="10.5" width="15" height="10" rx="2"/>'
    '<path d="M8 10.5V7a4 4 0 0 1 8 0v3.5"/>',
    "refresh": '<path d="M20 11a8 8 0 0 0-14.5-4.5L4 8"/>'
    '<path d="M4 3v5h5M4 13a8 8 0 0 0 14.5 4.5L20 16"/>'
    '<path d="M20 21v-5h-5"/>',
    "external": '<path d="M14 4h6v6M20 4l-9 9"/>'
    '<path d="M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5"/>',
    "home": '<path d="m3 11 9-7 9 7"/><path d="M5 10v10h14V10"/>',
}


@register.simple_tag
def icon(name, size=16, label=""):
    """An inline SVG icon; decorative unless given a label."""
    paths = _ICONS.get(name, _ICONS["dot"])
    if label:
        aria = format_html('role="img" aria-label="{}"', label)
    else:
        aria = mark_safe('aria-hidden="true" focusable="false"')  # noqa: S308
    return format_html(
        '<svg class="icon icon-{}" width="{}" height="{}" viewBox="0 0 24 24" fill="none" '
        'stroke="currentColor" stroke-width="1.8" stroke-linecap="round" '
        'stroke-linejoin="round" {}>{}</svg>',
        name,
        size,
        size,
        aria,
        mark_safe(paths),  # noqa: S308 - constants above, never user input
    )


@register.filter
def display_name(user):
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


@register.filter
def initials(user):
    if user is None:
        return "?"
    parts = (user.get_full_name() or user.get_username()).split()
    return "".join(p[0] for p in parts[:2]).upper() or "?"


@register.filter
def name_initials(name):
    parts = str(name or "").split()
    return "".join(p[0] for p in parts[:2]).upper() or "?"


@register.filter
def role_label(user):
    """The user's role as people say it: their first group, or Administrator."""
    if user is None or not user.is_authenticated:
        return ""
    if user.is_superuser:
        return _("Administrator")
    group = user.groups.order_by("name").values_list("name", flat=True).first()
    if group:
        return group[:1].upper() + group[1:]
    return _("Staff") if user.is_staff else _("User")


@register.inclusion_tag("crm/includes/sort_header.html", takes_context=True)
def sort_header(context, label, key, target, css_class=""):
    """A column header that sorts the list by ``key`` (click again to reverse)."""
    current = context.get("sort", "")
    if current == key:
        direction, next_sort = "ascending", f"-{key}"
    elif current == f"-{key}":
        direction, next_sort = "descending", key
    else:
        direction, next_sort = "none", key
    return {
        "request": context["request"],
        "label": label,
        "next_sort": next_sort,
        "direction": direction,
        "target": target,
        "css_class": css_class,
    }


@register.simple_tag(takes_context=True)
def section_is_current(context, section):
    """Whether the page belongs to this navigation section (its list or records)."""
    request = context.get("request")
    if request is None:
        return False
    current = context.get("current_section")
    if current:
        return current == section.key
    try:
        url = reverse(section.url_name)
    except NoReverseMatch:
        return False
    return url != "/" and request.path.startswith(url)


@register.filter
def email_breaks(address):
    """An email address that may wrap only after its @ and its dots, never mid-word."""
    if not address:
        return ""
    local, at, domain = str(address).partition("@")
    parts = [escape(local)]
    if at:
        parts.append("@<wbr>" + "<wbr>.".join(escape(piece) for piece in domain.split(".")))
    return mark_safe(f'<span class="email-address">{"".join(parts)}</span>')  # noqa: S308 - escaped above


@register.filter
def when(value):
    """A moment as every page writes it: the reader's locale format, in their time zone."""
    if not value:
        return ""
    if hasattr(value, "hour"):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


@register.filter
def day(value):
    """A date (or the day of a moment, in the reader's time zone) as every page writes it."""
    if not value:
        return ""
    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATE_FORMAT")


@register.simple_tag
def current_time_zone():
    """The name of the time zone this page shows times in."""
    return timezone.get_current_timezone_name().replace("_", " ")


@register.filter
def ago(value):
    """'just now', '5 minutes ago': a short relative time for lists."""
    if not value:
        return ""
    if (timezone.now() - value).total_seconds() < 60:
        return _("just now")
    return _("%(time)s ago") % {"time": timesince(value).split(",")[0]}


@register.simple_tag(takes_context=True)
def record_actions(context, record):
    """Buttons other apps add to a record page's header (crm.record_actions)."""
    return registry.render_record(context.get("request"), record)


@register.simple_tag(takes_context=True)
def list_actions(context, label):
    """Buttons other apps add to a list page's toolbar, for the selected row."""
    return registry.render_list(context.get("request"), apps.get_model(label))


@register.simple_tag
def row_select(record, group="row-select"):
    """A radio that selects the row for the list's toolbar actions."""
    return format_html(
        '<input type="radio" class="row-select" name="{}" value="{}" aria-label="{}">',
        group,
        record.pk,
        _("Select %(record)s") % {"record": record},
    )
