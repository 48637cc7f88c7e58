"""The reports' reads on a read replica (docs/scaling.md), everything else on the primary.

The mechanism: the report selectors (analytics' pages and dashboards, the contracts' aging, statement and account
performance, trade spend's gross to net) are wrapped in ``reads_from_replica()`` — a decorator, or a ``with`` block
around code that reads later (a streamed export) — which marks the call in a context variable; the router's
``db_for_read`` sends the ORM reads made inside it to the ``replica`` alias. Everything else reads the primary, and so
does everything when no replica is configured (``settings.READ_REPLICA`` is None unless DATABASE_REPLICA_URL is set).

Writes never go to the replica, and the primary keeps the reads that must see them (read-your-writes):

- inside a transaction on the primary every read stays there: the transaction may have written (or will), and the
  replica sees only what the primary committed, some moments later — so a report a service calls while it writes
  reads the service's own rows;
- after a write inside the scope, the rest of the scope reads the primary: the commit may not have reached the
  replica yet.

Raw SQL of a report takes its connection from ``connection_for_reads()`` (the router sees only ORM queries).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, router

REPLICA = "replica"


class _Scope:
    """One report's call: whether it has written (then its reads stay on the primary)."""

    __slots__ = ("wrote",)

    def __init__(self) -> None:
        self.wrote = False


_scope: ContextVar[_Scope | None] = ContextVar("reads_from_replica", default=None)


@contextmanager
def reads_from_replica() -> Iterator[None]:
    """Reads made inside go to the replica when one is configured (``@reads_from_replica()`` or ``with``).

    Nested scopes are one scope: a write inside the inner one keeps the outer one's reads on the primary too.
    """
    if _scope.get() is not None:
        yield
        return
    token = _scope.set(_Scope())
    try:
        yield
    finally:
        _scope.reset(token)


def _in_transaction() -> bool:
    return connections[DEFAULT_DB_ALIAS].in_atomic_block


class ReplicaRouter:
    """settings.DATABASE_ROUTERS: the replica for reads inside ``reads_from_replica()``, the primary otherwise.

    Both answers are explicit aliases, never None: with None Django falls back to the database an instance came
    from, so a row read from the replica would be saved there, or its relations read there after a write.
    """

    def db_for_read(self, model, **hints) -> str:
        scope = _scope.get()
        if scope is None or scope.wrote or not settings.READ_REPLICA or _in_transaction():
            return DEFAULT_DB_ALIAS
        return settings.READ_REPLICA

    def db_for_write(self, model, **hints) -> str:
        scope = _scope.get()
        if scope is not None:
            scope.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # one database behind both aliases

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None  # the replica follows the primary's schema by replication


def connection_for_reads(model=None):
    """The connection a report's raw SQL reads from: the one the router picks for an ORM read here and now."""
    return connections[router.db_for_read(model)]
