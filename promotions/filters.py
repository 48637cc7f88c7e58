"""Filters for promotion lists: the same FilterSets serve the pages and the API.

Master data is named by code (?account=WMT&store=S001&product=P001), plans' types and budgets by id,
each within the user's scope (ka_portal.api_fields.record_filter).
"""

from calendar import monthrange
from datetime import date

import django_filters
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.models import KeyAccount
from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet, yes_no_filter
from ka_portal.months import MonthFilter
from ka_portal.scope import accounts_for, products_for, stores_for
from stores.models import Product, Store

from . import selectors
from .models import Budget, PromotionPlan, PromotionType


class PlanFilter(StyledFilterSet):
    title = django_filters.CharFilter(
        label=_("plan name"), lookup_expr="icontains", help_text="Plans whose name contains this text."
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=PromotionPlan.Status.choices)
    account = record_filter(
        KeyAccount, scope=accounts_for, label=_("key account"), help_text="The plan's key account, by code."
    )
    type = record_filter(
        PromotionType, scope=selectors.promotion_types_for, label=_("type"), help_text="The promotion type, by id."
    )
    store = record_filter(
        Store,
        scope=stores_for,
        label=_("store"),
        method="filter_store",
        help_text="Plans running at this store (chosen, or all the account's stores), by code.",
    )
    product = record_filter(
        Product,
        scope=products_for,
        label=_("product"),
        method="filter_product",
        help_text="Plans promoting this product, by code.",
    )
    o = django_filters.OrderingFilter(
        fields=("start_on", "total_cost", "title"), help_text="Sort by start_on, total_cost or title; -name descends."
    )

    class Meta:
        model = PromotionPlan
        fields = ["title", "status", "account", "type", "store", "product"]

    @extend_schema_field(OpenApiTypes.STR)  # a store code
    def filter_store(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(stores=value) | Q(all_stores=True, account_id=value.account_id)).distinct()

    @extend_schema_field(OpenApiTypes.STR)  # a product code
    def filter_product(self, queryset, name, value):
        return queryset.filter(items__product=value).distinct() if value else queryset


class BudgetFilter(StyledFilterSet):
    """The budgets page, its Excel and the API: the account, a month its period holds, a month's or a quarter's
    budget, and whether money is left."""

    account = record_filter(
        KeyAccount, scope=accounts_for, label=_("key account"), help_text="The budget's key account, by code."
    )
    month = MonthFilter(
        label=_("Month"), method="filter_month", help_text="Budgets whose period holds this month (YYYY-MM)."
    )
    period = django_filters.ChoiceFilter(
        label=_("Period"),
        choices=[("month", _("Month")), ("quarter", _("Quarter"))],
        method="filter_period",
        help_text="month: a month's budgets; quarter: a quarter's.",
    )
    left = yes_no_filter(
        _("Money left"),
        yes=_("With money left"),
        no=_("Used up"),
        method="filter_left",
        help_text="true: budgets with some of their amount not yet consumed; false: used up.",
    )
    on = django_filters.DateFilter(
        label=_("period holds the date"),
        method="filter_on",
        help_text="Budgets whose period holds this date (YYYY-MM-DD).",
    )
    not_on_page = ("on",)  # the page asks by month

    class Meta:
        model = Budget
        fields = ["account", "month", "period", "left", "on"]

    @property
    def form(self):
        form = super().form
        form.auto_id = "filter_%s"  # its own ids: the budget form beside it on the page has id_account too
        return form

    def filter_on(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value) if value else queryset

    def filter_month(self, queryset, name, value):
        if not value:
            return queryset
        last = date(value.year, value.month, monthrange(value.year, value.month)[1])
        return queryset.filter(period_start__lte=last, period_end__gte=value)

    def filter_period(self, queryset, name, value):
        # a month's budget starts and ends in one calendar month; a quarter's runs over three (SPEC §5)
        same_month = Q(period_end__year=F("period_start__year"), period_end__month=F("period_start__month"))
        if value == "month":
            return queryset.filter(same_month)
        return queryset.exclude(same_month) if value == "quarter" else queryset

    def filter_left(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(amount__gt=F("consumed")) if value else queryset.filter(amount__lte=F("consumed"))
