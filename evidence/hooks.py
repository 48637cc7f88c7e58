"""What a visit's steps set off in visit evidence (issue 13), called explicitly by visits/services.py.

Imports are inside the functions: visits/services.py imports this module, and the evidence services import the
visit models and services.
"""


def visit_checked_in(visit) -> None:
    """After a check-in is saved (a new visit only)."""


def photo_added(photo) -> None:
    """After a visit photo is stored."""


def visit_checked_out(visit) -> None:
    """After a check-out is saved."""
    from .agreements import visit_evaluate

    visit_evaluate(visit)  # the display agreements this visit checked: payable once their quota is met
