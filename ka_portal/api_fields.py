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
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Value
from django.db.models.functions import Lower
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
    # Round a number with more decimal places than the field keeps to those places (half up) rather than refuse it:
    # a phone's position (CoordinateField). Otherwise such a number — an amount 0.30000000000000004, a float's
    # noise — is refused naming the field, the value and the places it takes, not DRF's "no more than 14 digits in
    # total", which says nothing of what is wrong.
    rounds = False

    def to_internal_value(self, data):
        if isinstance(data, str) and number_not_in_digits(data):
            self.fail("not_digits")
        self._sent = data
        return super().to_internal_value(data)

    def validate_precision(self, value):
        if self.decimal_places is not None and value.is_finite() and value.as_tuple().exponent < -self.decimal_places:
            kept = value.quantize(Decimal(1).scaleb(-self.decimal_places), rounding=ROUND_HALF_UP)
            if not self.rounds and kept != value:  # 12.500 is 12.50: only digits that would be lost are refused
                message = ngettext(
                    "%(field)s takes at most %(places)s decimal place: “%(value)s” has more.",
                    "%(field)s takes at most %(places)s decimal places: “%(value)s” has more.",
                    self.decimal_places,
                ) % {"field": self.field_name, "places": self.decimal_places, "value": str(self._sent).strip()[:40]}
                raise serializers.ValidationError(message, code="max_decimal_places")
            value = kept
        return super().validate_precision(value)


class CoordinateField(DecimalField):
    """A latitude or longitude (degrees, within ±`limit`: ka_portal/bounds.py) as the models keep it, six decimal
    places (about 0.1 m); a phone's position sent with more (7 to 15) is rounded to them, never refused."""

    rounds = True

    def __init__(self, limit, **kwargs):
        super().__init__(max_digits=9, decimal_places=6, min_value=-limit, max_value=limit, **kwargs)


class LocalTimesJSONField(serializers.JSONField):
    """A JSON value whose moments (ISO 8601 strings with an offset, as a fraud signal's evidence keeps `received_at`,
    `taken_at`) read in Asia/Shanghai like every other time the API answers, those stored in UTC too."""

    def to_representation(self, value):
        return _local_times(super().to_representation(value))


def _local_times(value):
    if isinstance(value, dict):
        return {key: _local_times(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_local_times(item) for item in value]
    if isinstance(value, str) and "T" in value:
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is not None and timezone.is_aware(moment):
            return timezone.localtime(moment).isoformat()
    return value


# A browsable API's HTML form posts its CSRF token among the fields: no field of any endpoint, never refused.
_NOT_FIELDS = frozenset({"csrfmiddlewaretoken"})


def refuse_unknown_fields() -> None:
    """Every serializer reading a request's body refuses a key it does not take, each named in `errors` with the
    fields the endpoint takes: a delivery posted with "extra_field" was created without a word, and a write-off's
    "amount" (the endpoint takes none: it writes off the open amount) wrote off the whole open amount, so a client
    never learnt that what it meant was not done. Installed on DRF's Serializer (ka_portal.apps), so every write —
    a ModelSerializer's create and update, an action's own serializer, a nested row — goes through it.

    A field the endpoint answers but does not take (read only: `id`, a delivery's `amount`) is taken and ignored in
    an update of a record (PUT/PATCH), where a client sends back what it read, and refused anywhere else (a create, a
    step such as a write-off), where it can only mean the client expects it to be written. A query string read by a
    serializer (a report's parameters) is not checked here: unknown query parameters are refused for every GET by
    ka_portal.api_parameters.KnownParameters."""
    if getattr(serializers.Serializer.to_internal_value, "_refuses_unknown", False):
        return
    drf_reading = serializers.Serializer.to_internal_value

    def to_internal_value(self, data):
        refused = _not_taken(self, data)
        try:
            value = drf_reading(self, data)
        except serializers.ValidationError as invalid:
            if refused and isinstance(invalid.detail, dict):
                raise serializers.ValidationError({**invalid.detail, **refused}) from None
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value

    to_internal_value._refuses_unknown = True
    serializers.Serializer.to_internal_value = to_internal_value


def _not_taken(serializer, data) -> dict:
    if not isinstance(data, Mapping):
        return {}
    request = serializer.context.get("request")
    if request is not None and (request.method in ("GET", "HEAD") or data is getattr(request, "query_params", None)):
        return {}
    fields = serializer.fields
    updating = getattr(serializer.root, "instance", None) is not None
    taken = [name for name, field in fields.items() if not field.read_only]
    refused = [
        key
        for key in data
        if key not in _NOT_FIELDS and (key not in fields or (fields[key].read_only and not updating))
    ]
    if not refused:
        return {}
    message = _("This endpoint does not take “%(field)s”: it takes %(fields)s.")
    listed = ", ".join(taken) if taken else _("no fields")
    return {key: [message % {"field": str(key)[:60], "fields": listed}] for key in refused}
