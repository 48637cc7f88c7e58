"""The promotions section of the visit page (issue 13): rendered by an inclusion tag so visits/ stays unaware of it."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def visit_promotions(context, visit, editable):
    """Filled in by the part of issue 13 that owns it; until then the visit page shows nothing here."""
    return ""
