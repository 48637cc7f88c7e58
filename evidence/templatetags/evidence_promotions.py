"""The promotions section of the visit page (issue 13): rendered by an inclusion tag so visits/ stays unaware of it."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def visit_promotions(context, visit, editable):
    """The running promotions and display agreements to check at the visit, with what the rep recorded (a form
    per plan and agreement while the rep's visit is open; read-only otherwise). A refused post of the whole page
    puts what was typed in the context as `visit_checks_posted`."""
    from evidence.views.visit_checks import render_section

    request = context.get("request")
    return render_section(request, visit, bool(editable), context.get("visit_checks_posted"), context.get("steps"))
