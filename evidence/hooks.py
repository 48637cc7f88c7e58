"""What a visit's steps set off in visit evidence (issue 13), called explicitly by visits/services.py.

Imports are inside the functions: visits/services.py imports this module, and the evidence services import the
visit models and services.
"""


def visit_checked_in(visit) -> None:
    """After a check-in is saved (a new visit only)."""
    # Fraud signals: far from the store, no position, an impossible trip from the previous check-in.
    from . import signals

    signals.detect_check_in(visit, new=True)  # nothing to drop or update on a visit made in this transaction


def photo_added(photo) -> None:
    """After a visit photo is stored."""
    # Fraud signals: the photo's perceptual hash (computed by visit_photo_add, kept on the instance as `phash`),
    # a reused photo, a camera time before the check-in or after the upload.
    from . import signals

    signals.detect_photo(photo, value=getattr(photo, "phash", None))


def visit_checked_out(visit) -> None:
    """After a check-out is saved."""
    # Fraud signals: a short visit; every photo's camera time against the whole visit.
    from . import signals
    from .agreements import visit_evaluate

    signals.detect_check_out(visit)
    visit_evaluate(visit)  # the display agreements this visit checked: payable once their quota is met
