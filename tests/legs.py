"""What differs between the two test legs."""

from django.conf import settings


def examples(count: int) -> int:
    """Random examples for a property test: the PostgreSQL leg draws half as many as the SQLite leg. Both draw new
    examples each run; a database round trip costs the PostgreSQL leg (the server shares its cores) about three times
    as much, and the legs should end together (`make test`)."""
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return max(count // 2, 1)
    return count
