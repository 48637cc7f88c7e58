"""Template filters shared by every app's pages."""

from django import template

from ka_portal.formatting import display_name as _display_name

register = template.Library()


@register.filter
def display_name(user) -> str:
    return _display_name(user) if user else ""
