"""A list page of the API written from `values()` rows instead of model instances and the serializer's field loop.

A page of fifty plain records cost more in making fifty model instances (with their related ones) and walking
DRF's fields for each than in everything else of the request (docs/performance.md, issue 17). `ValuesPageMixin`
reads the page as dicts of exactly the columns the serializer shows and writes each field with the serializer's
own field (`field.to_representation`), so the answer is the one DRF writes, byte for byte
(tests/ka_portal/test_api_values_pages.py compares them on every list that takes this path).

A list takes the path only when every field it shows can be read from a column: a model field (also across
non-null foreign keys: `store.name`), an annotation of the view's queryset, a related record named by its code or
username (`SlugRelatedField`) or id (`PrimaryKeyRelatedField`), or a value the serializer derives from columns
it names in `values_derived` (`{"field": (("column", …), function of the row)}`). A serializer with any other
field (a method field, a nested serializer, a property) or its own `to_representation` keeps DRF's path, unless
it reads what its rows need beside them for the whole page in `values_page_rows(rows)` (a page of visits: their
checklists, counts and photos) and derives those fields from it; `write_children` reads a nested serializer's rows
for the page in one query and writes them by that serializer's own plan (route plans' stops, payments' allocations).
"""

import operator
from collections.abc import Callable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from rest_framework import fields as drf_fields
from rest_framework import relations, serializers
from rest_framework.response import Response

Row = dict[str, Any]


class _Plan:
    """How to write one row: (field name, write(row)) per field, and the columns to read."""

    def __init__(self, columns: list[str], writers: list[tuple[str, Callable[[Row], Any]]]) -> None:
        self.columns = columns
        self.writers = writers

    def write(self, row: Row) -> dict[str, Any]:
        return {name: write(row) for name, write in self.writers}


def _column(model, attrs: list[str]) -> str | None:
    """`a__b` for the model field reached by attrs through non-null forward relations, or None."""
    for index, attr in enumerate(attrs):
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        last = index == len(attrs) - 1
        if last:
            return "__".join(attrs) if field.concrete and not field.is_relation else None
        if not (field.many_to_one or field.one_to_one) or field.null or not field.concrete:
            return None  # a null relation on the way would make DRF skip the field, not write null
        model = field.related_model
    return None


def _plain(column: str, to_representation: Callable[[Any], Any]) -> Callable[[Row], Any]:
    def write(row: Row) -> Any:
        value = row[column]
        return None if value is None else to_representation(value)

    return write


def _raw(column: str) -> Callable[[Row], Any]:
    return operator.itemgetter(column)


# DRF fields whose to_representation gives back the very value the database driver reads for a column of these
# model types (int(an int), str(a str), a bool's own True/False): a page copies such a column as it is.
_AS_READ = {
    drf_fields.IntegerField.to_representation: {
        "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
        "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
    },
    drf_fields.CharField.to_representation: {"CharField", "TextField"},
    drf_fields.BooleanField.to_representation: {"BooleanField"},
}  # fmt: skip


def _model_column(model, column: str, field: drf_fields.Field) -> Callable[[Row], Any]:
    """The writer of a model column (`a__b`) through the serializer's field, or a plain copy where that field
    writes the driver's value unchanged."""
    *path, last = column.split("__")
    for attr in path:
        model = model._meta.get_field(attr).related_model
    internal_type = model._meta.get_field(last).get_internal_type()
    if internal_type in _AS_READ.get(type(field).to_representation, ()):
        return _raw(column)
    return _plain(column, field.to_representation)


def _plan(serializer: serializers.Serializer, queryset) -> _Plan | None:
    """The plan for the serializer's readable fields over the queryset, or None where a field needs an instance."""
    cls = type(serializer)
    if cls.to_representation is not serializers.Serializer.to_representation and not hasattr(cls, "values_page_rows"):
        return None
    model = queryset.model
    annotations = set(queryset.query.annotations)
    derived = getattr(cls, "values_derived", {})
    columns: list[str] = ["pk"]  # distinct pages stay distinct per record, as before
    writers: list[tuple[str, Callable[[Row], Any]]] = []
    for field in serializer._readable_fields:
        name = field.field_name
        if name in derived:
            needs, function = derived[name]
            columns.extend(needs)
            writers.append((name, function))
            continue
        if isinstance(
            field, serializers.BaseSerializer | relations.ManyRelatedField | drf_fields.SerializerMethodField
        ):
            return None
        if field.source == "*" or type(field).get_attribute not in (
            drf_fields.Field.get_attribute,
            relations.RelatedField.get_attribute,
        ):
            return None
        attrs = field.source_attrs
        if isinstance(field, relations.SlugRelatedField) and type(field).to_representation is (
            relations.SlugRelatedField.to_representation
        ):
            if _relation(model, attrs) is None or "__" in field.slug_field or "." in field.slug_field:
                return None
            column = "__".join([*attrs, field.slug_field])
            writers.append((name, _raw(column)))
        elif isinstance(field, relations.PrimaryKeyRelatedField) and type(field).to_representation is (
            relations.PrimaryKeyRelatedField.to_representation
        ):
            if field.pk_field is not None or len(attrs) != 1 or _relation(model, attrs) is None:
                return None
            column = attrs[0]
            writers.append((name, _raw(column)))
        elif isinstance(field, relations.RelatedField):
            return None
        elif len(attrs) == 1 and attrs[0] in annotations:
            column = attrs[0]
            writers.append((name, _plain(column, field.to_representation)))
        else:
            column = _column(model, attrs)
            if column is None:
                return None
            writers.append((name, _model_column(model, column, field)))
        columns.append(column)
    return _Plan(list(dict.fromkeys(columns)), writers)


def _relation(model, attrs: list[str]):
    """The forward one-record relation `attrs` names (its last step may be null: DRF writes null for it too)."""
    for index, attr in enumerate(attrs):
        try:
            field = model._meta.get_field(attr)
        except FieldDoesNotExist:
            return None
        if not (field.many_to_one or field.one_to_one) or not field.concrete:
            return None
        if index < len(attrs) - 1 and field.null:
            return None
        model = field.related_model
    return model


def _page_rows(serializer, rows) -> list[Row]:
    """The page's rows, with what the serializer reads beside them for the whole page (`values_page_rows`)."""
    rows = list(rows)
    prepare = getattr(serializer, "values_page_rows", None)
    if prepare is not None:
        prepare(rows)
    return rows


_PLANS: dict[tuple, _Plan | None] = {}


def _plan_for(serializer_class, queryset) -> _Plan | None:
    """The plan of a serializer class over a queryset's model and annotations, made once per process: a serializer
    whose fields could change from one request to another (its own `__init__` or `get_fields`) is planned anew."""
    fixed = serializer_class.__init__ is serializers.BaseSerializer.__init__ and serializer_class.get_fields in (
        serializers.ModelSerializer.get_fields,
        serializers.Serializer.get_fields,
    )
    if not fixed:
        return _plan(serializer_class(), queryset)
    key = (serializer_class, queryset.model, tuple(sorted(queryset.query.annotations)))
    if key not in _PLANS:
        _PLANS[key] = _plan(serializer_class(), queryset)
    return _PLANS[key]


def write_children(serializer_class, queryset, parent: str, parent_ids, **beside) -> dict[Any, list[dict[str, Any]]]:
    """A page's nested rows in one query: parent id → the rows of `queryset` whose `parent` (a foreign key's name)
    is that id, in the queryset's order, each written by the nested serializer's values plan as DRF writes a
    nested `serializer_class(many=True)` over the same rows (a page's `values_page_rows` calls it: a route plan's
    stops, a payment's allocations, a visit's photos); `beside` is added to each row for its `values_derived`."""
    plan = _plan_for(serializer_class, queryset)
    if plan is None:
        raise TypeError(f"{serializer_class.__name__} has a field no values plan writes")
    children: dict[Any, list[dict[str, Any]]] = {pk: [] for pk in parent_ids}
    if not children:
        return children
    columns = list(dict.fromkeys([parent, *plan.columns]))
    for row in _rows(queryset.filter(**{f"{parent}__in": list(children)}), columns):
        row.update(beside)
        children[row[parent]].append(plan.write(row))
    return children


def _rows(queryset, columns: list[str]) -> "_Rows":
    """The queryset's rows as dicts of the columns, as `values(*columns)` gives them, but each made in C (`values()`
    makes each in a Python comprehension: a fifth of the CPU of a page of short rows). Counted (the paginator) as
    the queryset itself: without the joins that only name the related records' codes."""
    return _Rows(queryset.prefetch_related(None).values_list(*columns), columns, queryset.count)


class _Rows:
    """A values_list queryset whose rows come out as dicts; sliced (the paginator), it stays one."""

    def __init__(self, tuples, columns: list[str], count: Callable[[], int]) -> None:
        self.tuples, self.columns, self.count = tuples, columns, count

    def __iter__(self):
        columns = self.columns
        return (dict(zip(columns, row, strict=True)) for row in self.tuples)

    def __getitem__(self, index: slice) -> "_Rows":
        return _Rows(self.tuples[index], self.columns, self.count)

    def narrowed(self, narrow: Callable[[Any], Any]) -> "_Rows":
        """The same rows' columns from the queryset `narrow` makes of this one's (a cursor page, ka_portal/keyset)."""
        return _Rows(narrow(self.tuples), self.columns, self.count)

    @property
    def ordered(self) -> bool:
        return self.tuples.ordered


def write_one(serializer_class, queryset, instance, **beside) -> dict[str, Any] | None:
    """One record in hand (just written, its relations loaded) as the list's plan writes it, or None where the
    serializer keeps DRF's path: each column read from the instance as `values()` would read it from the database
    (a foreign key's id, a related record's code across the relation), `beside` added to the row as
    `values_page_rows` would add it. No serializer fields are built, as for a page."""
    plan = _plan_for(serializer_class, queryset)
    if plan is None or set(queryset.query.annotations) & set(plan.columns):
        return None
    row = {column: _instance_value(instance, column) for column in plan.columns}
    row.update(beside)
    return plan.write(row)


def _instance_value(instance, column: str) -> Any:
    *path, last = column.split("__")
    for attr in path:
        instance = getattr(instance, attr)
    if last == "pk":
        return instance.pk
    field = instance._meta.get_field(last)
    return getattr(instance, field.attname)  # a foreign key as its id, like values()


class ValuesPageMixin:
    """For a list view (ListModelMixin): a page written from `values()` rows where the serializer allows it."""

    values_page = True  # the tests turn it off to compare the two answers

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        plan = _plan_for(self.get_serializer_class(), queryset) if self.values_page else None
        if plan is None:
            return self._list_through_serializer(queryset)
        serializer = self.get_serializer()  # for values_page_rows' context; its fields are never built here
        rows = _rows(queryset, plan.columns)
        page = self.paginate_queryset(rows)
        answer = [plan.write(row) for row in _page_rows(serializer, rows if page is None else page)]
        return Response(answer) if page is None else self.get_paginated_response(answer)

    def _list_through_serializer(self, queryset):
        page = self.paginate_queryset(queryset)
        if page is not None:
            return self.get_paginated_response(self.get_serializer(page, many=True).data)
        return Response(self.get_serializer(queryset, many=True).data)
