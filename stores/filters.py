"""Filters for store, product, listing and delivery lists: the same FilterSets serve pages and API.

Every filter naming a record is a `record_filter` (ka_portal.api_fields): key accounts, stores and products
by code (?account=WMT&store=S001&product=P001), users by username (?rep=rep_zhang), within the user's scope.
"""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.filters import account_filter, account_search_q
from accounts.roles import Role
from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet, WordsFilter, active_filter, yes_no_filter
from ka_portal.scope import products_for, stores_for, team_for

from .models import Delivery, Listing, Product, Store
from .selectors import purchase_above_shelf_q

User = get_user_model()


def _reps(user):
    return team_for(user).filter(profile__role__in=[Role.REP, Role.SUPERVISOR])


def store_filter():
    return record_filter(
        Store, scope=stores_for, field_name="store", label=_("Store"), help_text="The store, by its code."
    )


def product_filter():
    return record_filter(
        Product, scope=products_for, field_name="product", label=_("Product"), help_text="The product, by its code."
    )


class StoreFilter(StyledFilterSet):
    q = WordsFilter(label=_("Search"), method="search")
    account = account_filter()
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=[(g, g) for g in Store.Grade.values])
    city = django_filters.CharFilter(label=_("City"), lookup_expr="iexact")
    rep = record_filter(User, scope=_reps, label=_("Sales rep"), help_text="The sales rep, by username.")
    active = active_filter()
    stock_count_stale = yes_no_filter(
        _("No recent stock count"),
        method="filter_stock_count_stale",
        help_text="Listed products but no stock count in the last KA_STOCK_COUNT_STALE_DAYS days (never counted too).",
    )
    o = django_filters.OrderingFilter(fields=("code", "name", "grade", "city"), label=_("Sort"))

    class Meta:
        model = Store
        fields = ["q", "account", "grade", "city", "rep", "active", "stock_count_stale"]

    def search(self, queryset, name, value):
        """Text in the store's code, name, address or city, or its chain's code or name in either language (an
        English reader searches "Walmart", the name the list shows them)."""
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name__icontains=value)
            | Q(address__icontains=value)
            | Q(city__icontains=value)
            | account_search_q(value, "account")
        )

    def filter_stock_count_stale(self, queryset, name, value):
        from visits.selectors import stale_stock_count_q  # the rule is the visits app's (stock counts)

        if value is None:
            return queryset
        return queryset.filter(stale_stock_count_q()) if value else queryset.exclude(stale_stock_count_q())


class ProductFilter(StyledFilterSet):
    q = WordsFilter(label=_("Search"), method="search")
    brand = django_filters.CharFilter(label=_("Brand"), lookup_expr="iexact")
    category = django_filters.CharFilter(label=_("Category"), lookup_expr="iexact")
    active = active_filter()
    o = django_filters.OrderingFilter(fields=("code", "name", "brand", "category"), label=_("Sort"))

    class Meta:
        model = Product
        fields = ["q", "brand", "category", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(barcode__icontains=value))


class ListingFilter(StyledFilterSet):
    q = WordsFilter(label=_("Search"), method="search")
    account = account_filter("store__account")
    store = store_filter()
    product = product_filter()
    active = active_filter()
    purchase_above_shelf = yes_no_filter(
        _("Purchase price above shelf"),
        method="filter_purchase_above_shelf",
        help_text="The store purchase price is above the shelf price (stored before that was refused: "
        "listing.purchase_above_shelf); its prices are to be corrected.",
    )

    class Meta:
        model = Listing
        fields = ["q", "account", "store", "product", "active", "purchase_above_shelf"]

    def filter_purchase_above_shelf(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(purchase_above_shelf_q()) if value else queryset.exclude(purchase_above_shelf_q())

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(store__name__icontains=value)
            | Q(store__code__icontains=value)
            | Q(product__name__icontains=value)
            | Q(product__code__icontains=value)
            | account_search_q(value, "store__account")
        )


class DeliveryFilter(StyledFilterSet):
    account = account_filter("store__account")
    store = store_filter()
    product = product_filter()
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    reference = django_filters.CharFilter(lookup_expr="icontains", label=_("Reference"))

    class Meta:
        model = Delivery
        fields = ["account", "store", "product", "date_from", "date_to", "reference"]
