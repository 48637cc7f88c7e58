"""Keyset pages: `?cursor=` walks any API list from its first row to its last at the same cost a page, however deep.

A numbered page (`?page=N`) costs a count of the whole list and an OFFSET that reads every row before the page: on
the demo's 14,700 deliveries page 290 takes 19 ms where page 1 takes 8 (docs/performance.md), and an integration
syncing a year of a large company's deliveries pages through millions. A cursor page instead starts right after the
last row the client has, by the list's own sort keys (ka_portal/ordering.py makes them total: the primary key ends
them), so the database seeks to it in the sort's index and reads the page alone; there is no count.

`?cursor=` (empty) starts at the first row; each answer's `next` carries the cursor of the row after its last, or is
null at the end, and `previous` the cursor of the rows before its first (null on the first page): a page walked back
is read as a forward one, in the reversed sort, and shown in the list's order. The cursor names the sort it was made
for: sent with another `?ordering=` it is refused (400), as is one the server did not write. Rows written while a
client walks appear if they sort after where it stands, and no row is skipped or shown twice. A page is two
statements: the sort keys of the page's rows (and of one more, to know whether another page follows), then the rows
themselves by primary key, in the list's order, written as a numbered page writes them.

Nulls sort as PostgreSQL sorts them (after every value ascending, before every value descending) on SQLite too, so
a cursor reads the same on both.
"""

import base64
import datetime
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.utils.urls import replace_query_param

from .ordering import order_key, total_order

PARAM = "cursor"


def refused(message: str) -> exceptions.ValidationError:
    return exceptions.ValidationError({PARAM: [message]})


def _unreadable() -> exceptions.ValidationError:
    return refused(_("This cursor cannot be read: start again with an empty ?cursor=."))


def _not_walkable() -> exceptions.ValidationError:
    return refused(_("This list cannot be walked by cursor: use ?page= instead."))


@dataclass(frozen=True)
class Key:
    path: str
    descending: bool
    nullable: bool = True  # unknown (an annotation) counts as nullable

    @property
    def sort(self) -> str:
        return f"-{self.path}" if self.descending else self.path

    def reversed(self) -> "Key":
        """The key sorted the other way: nulls first where they were last, and after where they were before."""
        return Key(self.path, not self.descending, self.nullable)

    def order_by(self):
        return F(self.path).desc(nulls_first=True) if self.descending else F(self.path).asc(nulls_last=True)

    def after(self, value) -> Q:
        """Rows strictly after `value` on this key (nulls last ascending, first descending)."""
        if value is None:
            return Q(**{f"{self.path}__isnull": False}) if self.descending else Q(pk__in=[])
        if self.descending:
            return Q(**{f"{self.path}__lt": value})
        after = Q(**{f"{self.path}__gt": value})
        return after | Q(**{f"{self.path}__isnull": True}) if self.nullable else after

    def equal(self, value) -> Q:
        return Q(**{f"{self.path}__isnull": True}) if value is None else Q(**{self.path: value})

    def bound(self, value) -> Q:
        """What every row after `value` also satisfies, in a form an index on the key can seek to (the rows after
        are an OR the database cannot seek by); nothing for a key that may be null."""
        if value is None or self.nullable:
            return Q()
        return Q(**{f"{self.path}__lte" if self.descending else f"{self.path}__gte": value})


def sort_keys(queryset: QuerySet) -> list[Key]:
    """The list's sort, made total, as keys a cursor can stand on; a sort by an expression (no field) cannot."""
    queryset = total_order(queryset)
    ordering = list(queryset.query.order_by or queryset.model._meta.ordering or ["pk"])
    keys = []
    for item in ordering:
        path, descending = order_key(item)
        if path is None:
            raise _not_walkable()
        keys += _columns(queryset.model, path, descending)
    return list(dict.fromkeys(keys))


def _columns(model, path: str, descending: bool, depth: int = 0) -> list[Key]:
    """A sort key as the columns it sorts by: a relation sorts by its model's own order, as Django sorts it
    (`order_by("store")` is by the store's code), else by its key; its column (`order_by("store_id")`) by the key."""
    field, reached, name = None, model, None
    for name in path.split("__"):
        try:
            field = reached._meta.get_field(name)
        except FieldDoesNotExist:  # pk, or an annotation (which may be null)
            return [Key(path, descending, nullable=name != "pk")]
        reached = field.related_model if field.is_relation and field.related_model else reached
    if field is not None and name == field.attname != field.name:  # the relation's own column: its key as stored
        return [Key(path, descending, nullable=field.null or "__" in path)]
    if field is None or not (field.many_to_one or field.one_to_one):
        return [Key(path, descending, nullable=getattr(field, "null", True) or "__" in path)]
    related = reached._meta.ordering
    if not related or depth > 2:
        return [Key(f"{path}__pk", descending, nullable=field.null or "__" in path)]
    keys = []
    for item in related:
        name, flipped = order_key(item)
        if name is None:
            return [Key(f"{path}__pk", descending)]
        keys += _columns(model, f"{path}__{name}", descending != flipped, depth + 1)
    return keys


def _after(keys: list[Key], values: list) -> Q:
    """Rows after the position, key by key: after on the first, or equal on it and after on the rest."""
    key, value = keys[0], values[0]
    if len(keys) == 1:
        return key.after(value)
    return key.after(value) | (key.equal(value) & _after(keys[1:], values[1:]))


def _json(value):
    """A key's value as the database compares it back: times to the microsecond (Django's JSON encoder cuts them to
    the millisecond, which would skip the rows between), decimals and ids as text."""
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is no sort key a cursor can hold")


def encode(keys: list[Key], values: list, *, before: bool = False) -> str:
    """The cursor of the rows after the position `values` (with `before`, of the rows before it)."""
    data = {"k": [key.sort for key in keys], "v": values, **({"b": 1} if before else {})}
    text = json.dumps(data, default=_json, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(token: str, keys: list[Key]) -> tuple[list | None, bool]:
    """The position a cursor names (None: the first row) and whether its page is the rows before it; refused when it
    cannot be read or was made for another sort of the list."""
    token = token.strip()
    if not token:
        return None, False
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        sorts, values, before = data["k"], data["v"], data.get("b", 0)
    except (ValueError, TypeError, KeyError, AttributeError):  # binascii.Error and JSONDecodeError are ValueErrors
        raise _unreadable() from None
    if sorts != [key.sort for key in keys] or not isinstance(values, list) or len(values) != len(keys):
        raise refused(_("This cursor was made for another sort of the list: start again with an empty ?cursor=."))
    if before not in (0, 1):
        raise _unreadable()
    return values, bool(before)


class KeysetPage:
    """One cursor page of `rows` (a queryset, or a values page's rows, ka_portal/values_pages._Rows, which wrap one),
    with the cursors of the pages after it (`next`) and before it (`previous`)."""

    def __init__(self, rows, request, page_size: int) -> None:
        queryset = getattr(rows, "tuples", rows)
        if not isinstance(queryset, QuerySet):
            raise _not_walkable()
        keys = sort_keys(queryset)
        position, before = decode(request.query_params.get(PARAM, ""), keys)
        walked = [key.reversed() for key in keys] if before else keys  # the rows before, read forward the other way
        ordered = queryset.order_by(*(key.order_by() for key in walked))
        try:
            if position is not None:
                ordered = ordered.filter(walked[0].bound(position[0]) & _after(walked, position))
            found = list(ordered.values_list("pk", *(key.path for key in keys))[: page_size + 1])
        except (ValueError, TypeError, ValidationError):  # a position no row could have (a cursor written by hand)
            raise _unreadable() from None
        shown, more = found[:page_size], len(found) > page_size
        if before:
            shown.reverse()
        address = request.build_absolute_uri()
        self.next = self.previous = None
        if shown and (more or before):
            self.next = replace_query_param(address, PARAM, encode(keys, list(shown[-1][1:])))
        elif before:  # nothing before the position any more (rows deleted since): the walk starts again
            self.next = replace_query_param(address, PARAM, "")
        if shown and (more if before else position is not None):
            self.previous = replace_query_param(address, PARAM, encode(keys, list(shown[0][1:]), before=True))
        self.rows = list(_narrowed(rows, [pk for pk, *_values in shown], keys)) if shown else []


def _narrowed(rows, pks: list, keys: list[Key]):
    """The rows of these primary keys in the cursor's order (the list's own, nulls placed as PostgreSQL does)."""
    order = [key.order_by() for key in keys]
    if isinstance(rows, QuerySet):
        return rows.filter(pk__in=pks).order_by(*order)
    return rows.narrowed(lambda tuples: tuples.filter(pk__in=pks).order_by(*order))
