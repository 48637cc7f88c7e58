"""Filters shared by the trade-spend pages and the API (the same class serves both): key accounts by code, within
the user's finance scope (contracts.selectors.finance_accounts)."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from contracts import selectors as contract_selectors
from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet

from .models import AccrualLine, SpendCategory, SpendKind

# --- accruals (issue 12 item 4) --------------------------------------------------------------------------------

MONTH_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AccrualLineFilter(StyledFilterSet):
    """Ledger lines by key account (code), months, kind, category, source, stage and a text search."""

    account = record_filter(
        KeyAccount,
        scope=contract_selectors.finance_accounts,
        label=_("Key account"),
        help_text="The key account, by code (e.g. WMT); one outside your accounts is not found.",
    )
    month_from = django_filters.DateFilter(
        label=_("From month"),
        field_name="month",
        method="filter_month_from",
        widget=MONTH_INPUT,
        help_text="YYYY-MM-DD: lines of this day's month and later.",
    )
    month_to = django_filters.DateFilter(
        label=_("To month"),
        field_name="month",
        lookup_expr="lte",
        widget=MONTH_INPUT,
        help_text="YYYY-MM-DD: lines of this day's month and earlier.",
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=SpendKind.choices, help_text="What the spend pays for.")
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=SpendCategory.choices, help_text="The gross-to-net step."
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"), choices=AccrualLine.Source.choices, help_text="Contract term, promotion plan or adjustment."
    )
    stage = django_filters.ChoiceFilter(
        label=_("Stage"), choices=AccrualLine.Stage.choices, help_text="Accrued, forecast, actual, true-up, adjustment."
    )
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_text",
        help_text="Text in the reason, the plan's name or the contract's number.",
    )
    o = django_filters.OrderingFilter(fields=("month", "amount", "kind"))

    class Meta:
        model = AccrualLine
        fields = ["account", "month_from", "month_to", "kind", "category", "source", "stage", "q"]

    def filter_month_from(self, queryset, name, value):
        return queryset.filter(month__gte=value.replace(day=1)) if value else queryset

    def filter_text(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(reason__icontains=value) | Q(plan__title__icontains=value) | Q(term__contract__number__icontains=value)
        )
