"""A day in a request — a list's filter (?date_from=), a report's parameter (?as_of=), a body's field ("date") — is
read as YYYY-MM-DD and nothing else, in every language, and refused in one wording: "“05/12/2026” is not a date: give
it as YYYY-MM-DD, e.g. 2026-05-31." (NOT_A_DAY, the list filters' and the pages' words).

Django reads a form's date by the language's input formats: `?date_from=05/12/2026` was 12 May to an English
request (`%m/%d/%Y`), a 400 "输入一个有效的日期。" to a Chinese one, and `2026/12/05` the other way round; the schema
says `format: date` (ISO) for all of them. So every list filter's day (django-filter's DateFilter, pages and API
alike: their date pickers send ISO anyway) is an `IsoDayField`, and DRF's DateField (bodies, a report's query) keeps
its ISO-only reading but refuses in the same words, naming what was sent — a day in the right shape that the calendar
has not ("2026-02-30") too, which DRF called "Date has wrong format". Installed once, from ka_portal.apps
(`install`)."""

import re
from datetime import date, datetime

from django import forms
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Any day refused, in a query, a body or a page: the words the list filters and the pages use.
NOT_A_DAY = _("“%(value)s” is not a date: give it as YYYY-MM-DD, e.g. 2026-05-31.")


def refusal(value) -> str:
    """Why `value` is no day, naming it (its first 40 characters)."""
    return str(NOT_A_DAY) % {"value": str(value).strip()[:40]}


def read_day(text: str) -> date | None:
    """YYYY-MM-DD as a date; None when it is not one."""
    text = str(text).strip()
    if not ISO_DAY.fullmatch(text):
        return None
    try:
        return parse_date(text)
    except ValueError:
        return None


class IsoDayField(forms.DateField):
    """A form's day as YYYY-MM-DD in every language (the browser's date picker sends it so), refused naming what was
    sent otherwise (NOT_A_DAY)."""

    def __init__(self, *, input_formats=None, **kwargs):
        super().__init__(input_formats=input_formats, **kwargs)
        self.own_formats = input_formats is not None  # a filter naming its own (a month's YYYY-MM) reads by them

    def to_python(self, value):
        if self.own_formats:
            return super().to_python(value)
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value
        day = read_day(value)
        if day is None:
            raise forms.ValidationError(refusal(value), code="invalid")
        return day


def install() -> None:
    """Every list filter's day an IsoDayField; DRF's DateField refusing in the same words."""
    import django_filters
    from rest_framework import fields

    django_filters.DateFilter.field_class = IsoDayField
    if getattr(fields.DateField.to_internal_value, "_names_no_day", False):
        return
    drf_reading = fields.DateField.to_internal_value

    def to_internal_value(self, value):
        try:
            return drf_reading(self, value)
        except fields.ValidationError as refused:
            if isinstance(value, (date, datetime)) or refused.get_codes() != ["invalid"]:
                raise  # a date and time where a day is asked: DRF's own words
            raise fields.ValidationError(refusal(value), code="invalid") from None

    to_internal_value._names_no_day = True
    fields.DateField.to_internal_value = to_internal_value
