"""What differs between the two test legs."""

import os

from django.conf import settings


def examples(count: int, *, quick: int | None = None) -> int:
    """Random examples for a property test: the PostgreSQL leg draws half as many as the SQLite leg. Both draw new
    examples each run; a database round trip costs the PostgreSQL leg (the server shares its cores) about three times
    as much, and the legs should end together (`make test`).

    A property whose examples cost about a second each gives `quick` too: what a run draws (the test says why that many
    still explore it; each run draws new ones, and Hypothesis prints a failing one to replay). `count` stays the full
    number, drawn by a deeper look: `make properties`, or PROPERTY_EXAMPLES=full on any run (`make test` too)."""
    if quick is not None and os.environ.get("PROPERTY_EXAMPLES", "").lower() != "full":
        count = quick
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return max(count // 2, 1)
    return count
