"""Demo visit evidence (issue 13): promotions and displays checked at recent visits, display agreements with
their evidence, competitor sightings, and fraud signals for the supervisors' queue. Written through the services;
each part runs once (a second call changes nothing). One function per part, called in this order."""

from datetime import date


def seed_visit_checks(*, today: date) -> int:
    """Promotions and displays checked at recent visits (filled in by the part that owns them)."""
    return 0


def seed_agreements(*, today: date) -> int:
    """Display agreements and their evidence."""
    return 0


def seed_competitors(*, today: date) -> int:
    """Competitor sightings."""
    return 0


def seed_signals(*, today: date) -> int:
    """Fraud signals, a few of each kind, some reviewed: on the last two weeks' visits of each demo rep, one
    check-in moved 2 km from its store, one without a position, two check-ins minutes apart across town, shelf
    photos (generated with Pillow, added through visit_photo_add so they have hashes and thumbnails) of which one
    is a lightly edited copy of an earlier visit's and one was taken before its check-in; the demo's short
    visits are found as they are. Each supervisor has confirmed one and dismissed one."""
    from demo.evidence_signals import seed_signals as seed

    return seed(today=today)


def seed_evidence(*, today: date) -> int:
    return (
        seed_visit_checks(today=today)
        + seed_agreements(today=today)
        + seed_competitors(today=today)
        + seed_signals(today=today)
    )
