"""A month as people type it (YYYY-MM, what the browser's month box sends), held as its first day.

One reading for every door: the pages' forms (`MonthField`), the API's serializers (`contracts.api.MonthField`),
the reports' query parameters and the promoters' attendance. A full date is read as its month (a link or a client
that sends one means that month)."""

from datetime import date, datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

INVALID = _("Enter a month as YYYY-MM, for example 2026-05.")
# A year outside these is a typo (0226, 20266), not a month anyone keeps figures for.
YEARS = (2000, 2100)
_FORMATS = ("%Y-%m", "%Y-%m-%d")


def parse_month(text: str | date | None) -> date | None:
    """ "2026-05" (or "2026-05-17") → date(2026, 5, 1); None when blank; ValueError for anything else."""
    if text is None:
        return None
    if isinstance(text, date):
        return text.replace(day=1)
    text = str(text).strip()
    if not text:
        return None
    for form in _FORMATS:
        try:
            day = datetime.strptime(text, form).date()  # noqa: DTZ007 - a calendar month, no time of day
        except ValueError:
            continue
        if YEARS[0] <= day.year <= YEARS[1]:
            return day.replace(day=1)
        break
    raise ValueError(f"not a month: {text!r}")


class MonthField(forms.CharField):
    """A form's month box (the browser's month picker; YYYY-MM typed where there is none), cleaned to its first day
    or None when left blank."""

    default_error_messages = {"invalid": INVALID}

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        try:
            return parse_month(super().to_python(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-09"})
class MonthFilter(django_filters.Filter):
    """A list's month (pages and API alike): YYYY-MM, cleaned to its first day by MonthField."""

    field_class = MonthField
