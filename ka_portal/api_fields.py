"""The one way a serializer field or a filter names another record: by the API convention, within the user's scope.

The convention (README, "API"): master data — key accounts, stores, products — is named by its
**code** in every request and response body and every filter; users by their **username**;
transactional records (visits, plans, invoices, payments, deductions, tasks, …) by **id**.

`related(Model, scope=…)` gives the serializer field, `record_filter(Model, scope=…)` the FilterSet
filter; both look the record up only within `scope(user)` (a selector of ka_portal/scope.py or of the
app's selectors), so a reference outside it is refused as "Not found.", exactly like one that does not
exist, naming nothing. The model's whole table serves only the schema generator, which has no user.
"""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .formatting import NOT_IN_DIGITS, display_name, number_not_in_digits
from .scope import NOT_FOUND_TEXT


def lookup_field_for(model) -> str:
    """How the convention names a record of `model`: "code" (master data), "username" (users) or "pk"."""
    from accounts.models import KeyAccount
    from promoters.models import Promoter
    from stores.models import Product, Store

    if model in (KeyAccount, Store, Product, Promoter):
        return "code"
    if model is get_user_model():
        return "username"
    return "pk"


def codes_ignore_case(model) -> bool:
    """Whether `model`'s codes are compared without case (stores, products and key accounts: `p002` names `P002`,
    `wmt` names `WMT`; each unique whatever the case, a database constraint)."""
    from accounts.models import KeyAccount
    from stores.models import Product, Store

    return model in (Store, Product, KeyAccount)


class _InScope:
    """Look the record up within the requesting user's scope; outside it, "Not found."."""

    def __init__(self, *, scope, **kwargs):
        self.scope = scope
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None or not request.user.is_authenticated:
            return super().get_queryset().none()
        return self.scope(request.user)


class ScopedSlugRelatedField(_InScope, serializers.SlugRelatedField):
    """A related record named by a field of its own (code, username) within the user's scope."""

    # Not DRF's "Object with code=… does not exist.": a refusal names nothing, not even the code sent.
    default_error_messages = {**serializers.SlugRelatedField.default_error_messages, "does_not_exist": NOT_FOUND_TEXT}

    def __init__(self, *, scope, slug_field="code", **kwargs):
        super().__init__(scope=scope, slug_field=slug_field, **kwargs)

    def to_internal_value(self, data):
        # A row of a list read by RowsNamingRecords: its record was looked up with the others'; what was not
        # found (or not a code) is looked up alone, and refused as any other.
        preloaded = self.__dict__.get("preloaded")
        if preloaded is not None and isinstance(data, str) and data in preloaded:
            return preloaded[data]
        if isinstance(data, str) and codes_ignore_case(self.get_queryset().model):
            try:
                return self.get_queryset().get(**{f"{self.slug_field}__iexact": data})
            except ObjectDoesNotExist:
                self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return super().to_internal_value(data)

    def preload(self, values) -> None:
        """Look up every record the rows name (codes, usernames) in one query within the user's scope."""
        codes = {value for value in values if isinstance(value, str)}
        found = self.get_queryset().filter(**{f"{self.slug_field}__in": codes}) if codes else []
        self.preloaded = {getattr(record, self.slug_field): record for record in found}


class RowsNamingRecords(serializers.ListSerializer):
    """A list of rows in a request body that name records by code or username (a visit's stock counts by
    product): every row's record is looked up in one query per field, not one query per row. Each row is then
    validated as it would be alone; a code not found is refused as alone ("Not found.")."""

    def to_internal_value(self, data):
        if isinstance(data, list):
            for name, field in self.child.fields.items():
                if isinstance(field, ScopedSlugRelatedField) and not field.read_only:
                    field.preload(row.get(name) for row in data if isinstance(row, Mapping))
        return super().to_internal_value(data)


class ScopedPrimaryKeyRelatedField(_InScope, serializers.PrimaryKeyRelatedField):
    """A related transactional record named by its id within the user's scope."""

    default_error_messages = {
        **serializers.PrimaryKeyRelatedField.default_error_messages,
        "does_not_exist": NOT_FOUND_TEXT,
    }


def related(model, *, scope, **kwargs: Any) -> serializers.RelatedField:
    """The serializer field for a reference to `model`, named by the convention and checked against `scope`.

    `related(Store, scope=stores_for)` reads and writes `"store": "S001"`;
    `related(Invoice, scope=selectors.invoices_for)` reads and writes `"invoice": 42`.
    Pass `read_only=True` for a field shown but never written (then `scope` may be None).
    """
    by = lookup_field_for(model)
    if kwargs.get("read_only"):
        if by == "pk":
            return serializers.PrimaryKeyRelatedField(**kwargs)
        return serializers.SlugRelatedField(slug_field=by, **kwargs)
    kwargs.setdefault("queryset", model._default_manager.all())
    if by == "pk":
        return ScopedPrimaryKeyRelatedField(scope=scope, **kwargs)
    return ScopedSlugRelatedField(scope=scope, slug_field=by, **kwargs)


class _PersonLabels:
    """A choice of people labelled as the page names them (张伟), not by their username (rep1): a supervisor
    filtering by sales rep knows the name; the query string and the API still take the username."""

    def label_from_instance(self, obj) -> str:
        return display_name(obj)


class _PersonChoiceField(_PersonLabels, django_filters.fields.ModelChoiceField):
    pass


class _PersonMultipleChoiceField(_PersonLabels, django_filters.fields.ModelMultipleChoiceField):
    pass


class _PersonFilter(django_filters.ModelChoiceFilter):
    field_class = _PersonChoiceField


class _CodeChoiceField(django_filters.fields.ModelChoiceField):
    """A record named by a code compared without case (?store=wmt-001 finds WMT-001), as the API's fields and the
    imports find it (codes_ignore_case)."""

    def to_python(self, value):
        if isinstance(value, str) and value.strip() and codes_ignore_case(self.queryset.model):
            key = self.to_field_name or "code"
            found = self.queryset.filter(Exact(Lower(key), Lower(Value(value.strip())))).first()
            if found is None:
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
            return found
        return super().to_python(value)


class _CodeFilter(django_filters.ModelChoiceFilter):
    field_class = _CodeChoiceField


class _PersonMultipleFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = _PersonMultipleChoiceField


def record_filter(model, *, scope, label=None, **kwargs: Any) -> django_filters.Filter:
    """The FilterSet filter for a reference to `model` (?store=S001, ?account=WMT, ?plan=12), by the same
    convention and within the same scope, for the page and the API alike. `many=True` gives a
    multiple-choice filter; a choice of users reads their names."""
    by = lookup_field_for(model)

    def choices(request):
        if request is None or not request.user.is_authenticated:
            return model._default_manager.none()
        queryset = scope(request.user)
        return queryset.order_by(by) if by != "pk" else queryset

    many = kwargs.pop("many", False)
    if model is get_user_model():
        cls = _PersonMultipleFilter if many else _PersonFilter
    elif codes_ignore_case(model) and not many:
        cls = _CodeFilter
    else:
        cls = django_filters.ModelMultipleChoiceFilter if many else django_filters.ModelChoiceFilter
    if by != "pk":
        kwargs.setdefault("to_field_name", by)
    if label is not None:
        kwargs["label"] = label
    return cls(queryset=choices, **kwargs)


@extend_schema_field(
    {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "09:00"},
)
class ClockTimeField(serializers.TimeField):
    """A time of day with no zone ("09:00" in, "09:00:00" out; a shift's start or end, in the site's zone). Described
    as a pattern: OpenAPI's `format: time` is RFC 3339's full time, which demands a UTC offset."""


class DecimalField(serializers.DecimalField):
    """DRF's DecimalField that reads a number only as digits: "1e5" or "1_000" in a request is refused naming the
    field, as the pages and imports refuse it. Every serializer's decimal (ModelSerializer's too: ka_portal.apps) is
    this one."""

    default_error_messages = {"not_digits": NOT_IN_DIGITS}

    def to_internal_value(self, data):
        if isinstance(data, str) and number_not_in_digits(data):
            self.fail("not_digits")
        return super().to_internal_value(data)
