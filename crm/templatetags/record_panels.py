from django import template

from crm import record_panels as registry

register = template.Library()


@register.simple_tag(takes_context=True)
def record_panels(context, record, place="top"):
    """{% record_panels record "top" %}: the panels other apps give this record."""
    return registry.render(context["request"], record, place)
