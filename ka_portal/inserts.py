"""A row inserted unless one of its unique keys is taken: one statement, no savepoint.

The usual way to create a row whose key a parallel request may take first is `create()` inside `atomic()`, catching
IntegrityError: a savepoint and its release around the insert, two round trips more on every create, though the key
is almost never taken. Here the insert says what to do on a conflict itself (PostgreSQL `ON CONFLICT DO NOTHING`,
SQLite `INSERT OR IGNORE`) and returns the new primary key (`RETURNING`), or nothing when the key was taken; a
parallel transaction inserting the same key makes it wait for that one's end, as a plain insert would.
"""

from django.db import IntegrityError, router
from django.db.models.constants import OnConflict


def insert_unless_taken(instance) -> bool:
    """Insert `instance` (a new, unsaved model instance) as `save()` would: True, with its primary key set, when it
    was inserted; False, the instance left unsaved, when a row with one of its unique keys exists.

    Model save signals are not sent (the project connects none). SQLite's `OR IGNORE` also passes over a NOT NULL
    or CHECK failure without a word: the caller that finds no row under the key it tried calls `not_inserted`."""
    model = type(instance)
    meta = model._meta
    using = router.db_for_write(model, instance=instance)
    fields = [
        f
        for f in meta.local_concrete_fields
        if not f.generated and (instance.pk is not None or f is not meta.auto_field)
    ]
    returning = meta.db_returning_fields
    rows = model._base_manager.using(using)._insert(
        [instance], fields=fields, returning_fields=returning, using=using, on_conflict=OnConflict.IGNORE
    )
    if not rows or rows[0] is None:
        return False
    for value, field in zip(rows[0], returning, strict=True):
        setattr(instance, field.attname, value)
    instance._state.adding = False
    instance._state.db = using
    return True


def not_inserted(instance) -> IntegrityError:
    """The error for an insert that was passed over though no row holds its key (a constraint SQLite's OR IGNORE
    skipped, or the row deleted meanwhile)."""
    return IntegrityError(f"{type(instance).__name__} was not inserted and no row holds its key")
