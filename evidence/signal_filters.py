"""The fraud-signal queue's filters, serving its page and the API: status, kind, rep (by username, within the
user's scope), chain (by code, within the user's scope) and a period of the visits' check-in days."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet
from ka_portal.scope import accounts_for
from visits import selectors as visit_selectors

from .models import FraudSignal


def _day(label, **kwargs) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), **kwargs
    )


class FraudSignalFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=FraudSignal.Status.choices, help_text="open (to review), confirmed or dismissed."
    )
    kind = django_filters.ChoiceFilter(label=_("Signal"), choices=FraudSignal.Kind.choices, help_text="The signal.")
    rep = record_filter(
        get_user_model(),
        scope=visit_selectors.reps_for,
        label=_("Sales rep"),
        help_text="The sales rep, by username.",
    )
    account = record_filter(
        KeyAccount,
        scope=accounts_for,
        label=_("Chain"),
        field_name="visit__store__account",
        help_text="Signals of visits at this key account's stores, by code.",
    )
    date_from = _day(
        _("From"), method="filter_start", help_text="Visits checked in on or after this day (YYYY-MM-DD, local)."
    )
    date_to = _day(
        _("To"), method="filter_end", help_text="Visits checked in on or before this day (YYYY-MM-DD, local)."
    )

    class Meta:
        model = FraudSignal
        fields = ["status", "kind", "rep", "account", "date_from", "date_to"]

    def filter_start(self, queryset, name, value):
        return queryset.filter(visit__checked_in_at__gte=visit_selectors.day_bounds(value)[0])

    def filter_end(self, queryset, name, value):
        return queryset.filter(visit__checked_in_at__lt=visit_selectors.day_bounds(value)[1])


class FraudSignalQueueFilter(FraudSignalFilter):
    """The page's queue: without a status chosen it shows the signals to review; "all" shows every one."""

    status = django_filters.ChoiceFilter(
        label=_("Status"),
        choices=[*FraudSignal.Status.choices, ("all", _("All"))],
        empty_label=None,
        method="filter_status",
    )

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("status"):
            data = data.copy()
            data["status"] = FraudSignal.Status.OPEN
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        return queryset if value == "all" else queryset.filter(status=value)
