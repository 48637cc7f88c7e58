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
    """Fraud signals, a few of each kind, some reviewed."""
    return 0


def seed_evidence(*, today: date) -> int:
    return (
        seed_visit_checks(today=today)
        + seed_agreements(today=today)
        + seed_competitors(today=today)
        + seed_signals(today=today)
    )
