"""The competitors section of the visit page (issue 13): rendered by an inclusion tag so visits/ stays unaware of it."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def visit_competitors(context, visit, editable):
    """The visit's "Competitors seen" card (evidence/views/competitors.py): the sightings, and the form for the
    visit's rep while it is open. A refused plain POST leaves its bound form on the request to be shown again."""
    from ..models import CompetitorSighting
    from ..views.competitors import section_html

    request = context.get("request")
    if request is None or not request.user.has_perm(
        f"{CompetitorSighting._meta.app_label}.view_{CompetitorSighting._meta.model_name}"
    ):
        return ""
    form = getattr(request, "competitor_form", None)
    return mark_safe(section_html(request, visit, form=form, steps=context.get("steps")))  # noqa: S308
