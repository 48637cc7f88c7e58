"""A list's order made total: every list (API page, list page) ends its ordering with a key no two rows share.

Rows that tie on every sort key come back in whatever order the database finds them. On PostgreSQL that is the
order of the table's tuples, and an UPDATE writes a row's new version elsewhere, so two requests for the same list
answer tied rows in different orders and a page boundary between them skips one row and repeats another.
`total_order` appends the primary key (descending when the list's first key descends) unless a key already makes
the order total: the primary key itself, or a unique, non-null field of the listed model.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, OrderBy, QuerySet


def order_key(item) -> tuple[str | None, bool]:
    """(field path, descending) of one ordering item; (None, False) for an expression that names no field."""
    if isinstance(item, str):
        if item == "?":
            return None, False
        return item.lstrip("-"), item.startswith("-")
    if isinstance(item, OrderBy) and isinstance(item.expression, F):
        return item.expression.name, item.descending
    if isinstance(item, F):
        return item.name, False
    return None, False


def _unique(model, name: str | None) -> bool:
    if name is None or "__" in name:
        return False
    if name in ("pk", model._meta.pk.name, model._meta.pk.attname):
        return True
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # an annotation's name: never unique as far as this can tell
        return False
    return bool(getattr(field, "concrete", False) and field.unique and not field.null)


def total_order(queryset):
    """The queryset ordered as it was, then by pk where its order could tie. Left as it is: not a QuerySet (a
    list already in hand), a grouped `values()` (its rows are groups, not records: pk would split them), a
    combined query (union) or a random order."""
    if not isinstance(queryset, QuerySet):
        return queryset
    query = queryset.query
    if query.combinator or isinstance(query.group_by, tuple) or query.distinct_fields:
        return queryset
    ordering = list(query.order_by or (query.default_ordering and queryset.model._meta.ordering) or [])
    keys = [order_key(item) for item in ordering]
    if "?" in ordering or any(_unique(queryset.model, name) for name, _descending in keys):
        return queryset
    descending = bool(keys) and keys[0][1]
    return queryset.order_by(*ordering, "-pk" if descending else "pk")
