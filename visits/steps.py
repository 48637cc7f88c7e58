"""The numbers of the visit page's steps, in one place: a section drawn again alone (htmx) keeps its number."""

from .models import Visit

# The sections a rep fills in, in the page's order; the tasks' section is there only when the store has open tasks
# or tasks answered at this visit (selectors.visit_form_tasks).
# The suggested order (computed) and the check-out (the bar's step) are not numbered.
STEPS = ("checklist", "prices", "promotions", "stock", "photos", "tasks", "problems", "competitors")


def visit_steps(*, has_tasks: bool) -> dict[str, int]:
    present = [name for name in STEPS if name != "tasks" or has_tasks]
    return {name: number for number, name in enumerate(present, 1)}


def visit_steps_for(user, visit: Visit) -> dict[str, int]:
    """The numbers as the rep's page shows them, for a section drawn again by itself."""
    from .selectors import visit_form_tasks

    return visit_steps(has_tasks=visit_form_tasks(user, visit).exists())
