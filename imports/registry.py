"""Which import kinds exist. Each app registers its own kinds when it is ready (stores/apps.py,
accounts/apps.py); the page, the API and the task find a kind here by its name."""

from .kinds import ImportKind

# name → kind, ordered by position (the order the page lists them in), then by registration.
KINDS: dict[str, ImportKind] = {}
_positions: dict[str, tuple[int, int]] = {}


def register(*kinds: ImportKind, position: int = 100) -> None:
    """Add kinds (the same name again replaces the kind); `position` orders them on the page."""
    for kind in kinds:
        _positions[kind.name] = (position, _positions.get(kind.name, (0, len(_positions)))[1])
        KINDS[kind.name] = kind
    ordered = sorted(KINDS.values(), key=lambda kind: _positions[kind.name])
    KINDS.clear()
    KINDS.update((kind.name, kind) for kind in ordered)


def unregister(name: str) -> None:
    KINDS.pop(name, None)
    _positions.pop(name, None)


def kind_named(name: str) -> ImportKind | None:
    return KINDS.get(name)


def kinds_for(user) -> list[ImportKind]:
    """The kinds a user may import (none for reps and supervisors; finance imports contract terms only)."""
    return [kind for kind in KINDS.values() if kind.allowed(user)]
