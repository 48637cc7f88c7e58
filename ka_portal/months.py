"""A month as people type it (YYYY-MM, what the browser's month box sends), held as its first day.

One reading for every door: the pages' forms (`MonthField`), the API's serializers (`contracts.api.MonthField`),
the reports' query parameters and the promoters' attendance. A full date is read as its month (a link or a client
that sends one means that month)."""

from datetime import date, datetime

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.drainage import set_override
from drf_spectacular.utils import OpenApiParameter, extend_schema_field

from .errors import DomainError

INVALID = _("Enter a month as YYYY-MM, for example 2026-05.")  # the API's month field (contracts.api)
# A month box's refusal: what was typed, so "2026-13" is said not to be a month rather than asked for as YYYY-MM.
NOT_A_MONTH = _("“%(value)s” is not a month: enter it as YYYY-MM, for example 2026-05.")
# A year outside these is a typo (0226, 20266), not a month anyone keeps figures for.
YEARS = (2000, 2100)
FIRST, LAST = f"{YEARS[0]}-01", f"{YEARS[1]}-12"  # the range, as a refusal names it
OUTSIDE = _("%(value)s is outside the months the portal holds: enter one from %(first)s to %(last)s.")
_FORMATS = ("%Y-%m", "%Y-%m-%d")
# A month in the API's schema, for every query parameter and filter that takes one: the shape a client sends.
MONTH_SCHEMA = {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-09"}


class MonthOutOfRange(ValueError):
    """A month written right but outside YEARS (1999-01): said so, with the range, not "not a month"."""


def parse_month(text: str | date | None) -> date | None:
    """ "2026-05" (or "2026-05-17") → date(2026, 5, 1); None when blank; ValueError for anything else
    (MonthOutOfRange for a month outside YEARS)."""
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
        raise MonthOutOfRange(f"not a month the portal holds ({FIRST} to {LAST}): {text!r}")
    raise ValueError(f"not a month: {text!r}")


def read_month(text: str | date | None, *, field: str, label, required: bool = False) -> date | None:
    """A month parameter as typed (a report's ``?from=``, a form's month box): its first day, or None when blank and
    not ``required``. Anything else is refused naming the parameter (``label``: the box's label on a page, the
    parameter's name in the API) and repeating what was typed."""
    try:
        month = parse_month(text)
    except MonthOutOfRange:
        raise DomainError(
            "month.out_of_range",
            _("%(label)s: %(value)s is outside the months the portal holds: enter one from %(first)s to %(last)s."),
            field=field,
            label=label,
            value=str(text).strip(),
            first=FIRST,
            last=LAST,
        ) from None
    except ValueError:
        raise DomainError(
            "month.invalid",
            _("%(label)s: “%(value)s” is not a month: enter it as YYYY-MM, for example 2026-05."),
            field=field,
            label=label,
            value=str(text).strip(),
        ) from None
    if month is None and required:
        raise DomainError(
            "month.required",
            _("%(label)s: required, a month as YYYY-MM (for example 2026-05)."),
            field=field,
            label=label,
        )
    return month


def months_in(first: date, last: date) -> int:
    """How many months first to last cover, both included (2026-01 to 2026-03: 3)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def check_month_range(first: date, last: date, *, field: str, label, max_months: int | None = None) -> None:
    """A period of whole months: its last month not before its first, and at most ``max_months`` of them. Refused
    naming the last month's parameter (``field``, ``label``), where the period is to be shortened."""
    if last < first:
        raise DomainError(
            "month.range_reversed",
            _("%(label)s: %(last)s is before the first month, %(first)s."),
            field=field,
            label=label,
            first=f"{first:%Y-%m}",
            last=f"{last:%Y-%m}",
        )
    if max_months is not None and months_in(first, last) > max_months:
        raise DomainError(
            "month.range_too_long",
            _("%(label)s: %(first)s to %(last)s is %(months)s months; choose at most %(max)s."),
            field=field,
            label=label,
            first=f"{first:%Y-%m}",
            last=f"{last:%Y-%m}",
            months=months_in(first, last),
            max=max_months,
        )


class MonthInput(forms.TextInput):
    """The browser's month picker (YYYY-MM typed where there is none). A value that is not a month (a box refused,
    an old link's 2026-13) is drawn in a text box instead: a month box would show it empty, losing what was typed
    beside the message saying what is wrong with it."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}", **(attrs or {})})

    def format_value(self, value):
        return f"{value:%Y-%m}" if isinstance(value, date) else super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        shown = context["widget"]["value"]
        if shown and not _is_month_box_value(shown):
            context["widget"]["type"] = "text"
        return context


def _is_month_box_value(text: str) -> bool:
    """What a month box can show: YYYY-MM of a month it reads (anything else it shows empty)."""
    if len(text) != 7:
        return False
    try:
        return parse_month(text) is not None
    except ValueError:
        return False


class MonthField(forms.CharField):
    """A form's month box (the browser's month picker; YYYY-MM typed where there is none), cleaned to its first day
    or None when left blank."""

    default_error_messages = {"invalid": NOT_A_MONTH, "out_of_range": OUTSIDE}

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MonthInput())
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        try:
            return parse_month(text)
        except MonthOutOfRange:
            params = {"value": text.strip(), "first": FIRST, "last": LAST}
            message = self.error_messages["out_of_range"]
            raise forms.ValidationError(message, code="out_of_range", params=params) from None
        except ValueError:
            message = self.error_messages["invalid"]
            raise forms.ValidationError(message, code="invalid", params={"value": text.strip()}) from None


def month_parameter(name: str, description: str, **kwargs) -> OpenApiParameter:
    """A view's month query parameter (a report's ``?from=``), documented as the month it takes: YYYY-MM."""
    return OpenApiParameter(name, dict(MONTH_SCHEMA), description=description, **kwargs)


@extend_schema_field(MONTH_SCHEMA)
class MonthFilter(django_filters.Filter):
    """A list's month (pages and API alike): YYYY-MM, cleaned to its first day by MonthField."""

    field_class = MonthField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # drf-spectacular documents a filter of its own schema (the class's, above) without its help_text: this
        # filter's schema carries it, so the parameter keeps its description.
        if help_text := self.extra.get("help_text"):
            set_override(self, "field", {**MONTH_SCHEMA, "description": str(help_text)})
