"""?updated_since=: an integration pulls what changed since its last pull, not the whole list again.

The lists an ERP syncs (deliveries, invoices, payments, credit notes) take `?updated_since=` an ISO 8601 moment
with its offset — `2026-12-01T08:00:00+08:00`, `2026-12-01T00:00:00Z` — and answer the rows whose `updated_at` (set by
every write of them: ka_portal/updated_at.py) is at or after it, oldest change first and then by id, so the client
walks them by pages (best by ?cursor=, ka_portal/keyset.py) and starts its next pull from the last `updated_at` it
read (the same moment again: a row changed in that very microsecond is not lost, only read twice). A moment without
an offset is refused (which zone was meant? the server's is not the ERP's), as is a day alone or anything else: a 400
naming the parameter and what was sent, as ka_portal/days.py refuses a day.

API only: the list pages' filters (the same FilterSets) do not offer it (`syncable`).
"""

import re

import django_filters
from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES
from drf_spectacular.utils import extend_schema_field

from .updated_at import FIELD

PARAM = "updated_since"
_UNENCODED_PLUS = re.compile(r"(\d{4}-\d{2}-\d{2}T[0-9:.]+) (\d{2}(?::?\d{2})?)", re.IGNORECASE)
NOT_A_MOMENT = _(
    "“%(value)s” is not a date and time with its offset: give it as ISO 8601, e.g. 2026-05-31T08:00:00+08:00."
)


def read_moment(text) -> object | None:
    """An ISO 8601 date and time with its offset (Z or ±hh:mm) as an aware datetime; None when it is not one (no
    offset, a day alone, another shape, a day the calendar has not)."""
    text = str(text).strip()
    if "T" not in text.upper() and " " not in text:
        return None
    # A "+" not encoded in a query string arrives as a space: 2026-12-01T08:00:00 08:00 meant +08:00.
    unencoded = _UNENCODED_PLUS.fullmatch(text)
    if unencoded:
        text = f"{unencoded[1]}+{unencoded[2]}"
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment


class MomentField(forms.Field):
    """A form's moment read by `read_moment`, refused naming what was sent."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        moment = read_moment(value)
        if moment is None:
            # the value as a param, not in the message: django-filter formats the message with its params ("%" sent)
            raise forms.ValidationError(NOT_A_MOMENT, code="invalid", params={"value": str(value).strip()[:40]})
        return moment


HELP = (
    "Only the rows changed (created or written) at or after this moment, ISO 8601 with its offset (e.g. "
    "2026-12-01T08:00:00+08:00, the + sent as %2B), oldest change first then by id: page through them (best with "
    "?cursor=) and start the next pull from the last `updated_at` read. A moment without its offset, or anything "
    "else, is refused (400)."
)


# The schema's words, not the filter's help_text: drf-spectacular takes a described filter's schema as given.
@extend_schema_field({"type": "string", "format": "date-time", "description": HELP})
class UpdatedSinceFilter(django_filters.Filter):
    """Rows changed at or after the moment, in (updated_at, id) order."""

    field_class = MomentField
    inert_when_empty = True  # does nothing without a value (ka_portal.api.FilterBackend)

    def filter(self, qs, value):
        if value in EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{FIELD}__gte": value}).order_by(FIELD, "pk")


def updated_since_filter() -> UpdatedSinceFilter:
    return UpdatedSinceFilter(label=_("Updated since"), help_text=HELP)


def syncable(filterset_class):
    """The API's FilterSet of a list integrations sync: the list's own, with `updated_since`."""
    return type(
        filterset_class.__name__.removesuffix("Filter") + "SyncFilter",
        (filterset_class,),
        {PARAM: updated_since_filter(), "__module__": filterset_class.__module__},
    )
