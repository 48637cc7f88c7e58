"""Django's ModelBackend, its permission sets kept in the worker while the auth tables stand still.

ModelBackend reads a user's permissions with two queries (the user's own, the groups') on every request that checks
one, which is every API list, create and update (ka_portal.permissions.RoleModelPermissions) and most pages: some 2 ms
of a request that otherwise takes 6–10. Here the set is kept in this process under the revisions of the tables it is
read from (ka_portal/table_revisions.py: triggers move a table's revision on every committed write, whatever the door
— admin, a role change, raw SQL), read in one query; a revoked permission, a user moved to another group or made
inactive counts from the next request, as before. When a table has no revision (its triggers not installed) nothing
is kept, and a set read by a transaction that wrote one of those tables itself (a rollback would take its writes
back, and a later commit reach the same revisions) is not kept either. A kept API list reads the revisions before any
other statement of its request; its permission check takes the auth tables' from that read (`revisions_read`).
"""

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from . import table_revisions

# The tables a user's permission set is read from (auth_user: is_active, is_superuser).
TABLES = frozenset(
    {
        "auth_user",
        "auth_group",
        "auth_user_groups",
        "auth_user_user_permissions",
        "auth_group_permissions",
        "auth_permission",
        "django_content_type",
    }
)
_ORDER = tuple(sorted(TABLES))
KEPT_USERS = 10_000  # sets kept at most; past it they are dropped and read again

_kept: dict[tuple, frozenset[str]] = {}


class KeptPermissionsBackend(ModelBackend):
    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or hasattr(user_obj, "_perm_cache"):
            return super().get_all_permissions(user_obj, obj)
        known = getattr(user_obj, "_ka_revisions", None)
        if known is not None and known[0].keys() >= TABLES:
            revisions, own_writes = known
        else:
            with connection.cursor() as cursor:
                revisions, own_writes = table_revisions.read_with_own(cursor, TABLES)
        if len(revisions) != len(TABLES):
            return super().get_all_permissions(user_obj, obj)
        key = (connection.alias, user_obj.pk, *(revisions[table] for table in _ORDER))
        perms = _kept.get(key)
        if perms is None:
            perms = frozenset(super().get_all_permissions(user_obj, obj))
            # A set read with this transaction's own writes counted is not kept: a rollback would take them back and
            # a later commit reach the same revisions.
            if not own_writes:
                if len(_kept) >= KEPT_USERS:
                    _kept.clear()
                _kept[key] = perms
        user_obj._perm_cache = set(perms)
        return user_obj._perm_cache


def revisions_read(user, revisions: dict[str, int], own_writes: bool) -> None:
    """Revisions the request read already (a kept API list's, ka_portal/api_cache.py), before any other statement:
    the user's permission check uses them instead of reading the auth tables' again."""
    if user is not None and user.is_authenticated:
        user._ka_revisions = (revisions, own_writes)


def forget() -> None:
    """Drop every kept set (tests)."""
    _kept.clear()
