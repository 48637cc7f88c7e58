"""Filters for promotion lists: the same FilterSets serve the pages and the API.

Master data is named by code (?account=WMT&store=S001&product=P001), plans' types and budgets by id,
each within the user's scope (ka_portal.api_fields.record_filter).
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.models import KeyAccount
from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet
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
    account = record_filter(
        KeyAccount, scope=accounts_for, label=_("key account"), help_text="The budget's key account, by code."
    )
    on = django_filters.DateFilter(
        label=_("period holds the date"),
        method="filter_on",
        help_text="Budgets whose period holds this date (YYYY-MM-DD).",
    )

    class Meta:
        model = Budget
        fields = ["account", "on"]

    def filter_on(self, queryset, name, value):
        return queryset.filter(period_start__lte=value, period_end__gte=value) if value else queryset
