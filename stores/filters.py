"""Filters for store, product, listing and delivery lists: the same FilterSets serve pages and API."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from accounts.roles import Role
from ka_portal.lists import StyledFilterSet, active_filter
from ka_portal.scope import accounts_for, stores_for, team_for

from .models import Delivery, Listing, Product, Store

User = get_user_model()


def _accounts(request):
    return accounts_for(request.user).order_by("code") if request else KeyAccount.objects.none()


def _reps(request):
    if request is None:
        return User.objects.none()
    return team_for(request.user).filter(profile__role__in=[Role.REP, Role.SUPERVISOR]).order_by("username")


class _AccountCodeFilter(django_filters.ModelChoiceFilter):
    """A key account chosen by its code (?account=WMT): readable URLs, the same in pages and API."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("queryset", _accounts)
        kwargs.setdefault("label", _("Key account"))
        super().__init__(*args, **kwargs)


class StoreFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    account = _AccountCodeFilter(field_name="account")
    grade = django_filters.ChoiceFilter(label=_("Grade"), choices=[(g, g) for g in Store.Grade.values])
    city = django_filters.CharFilter(label=_("City"), lookup_expr="iexact")
    rep = django_filters.ModelChoiceFilter(label=_("Sales rep"), queryset=_reps)
    active = active_filter()
    o = django_filters.OrderingFilter(fields=("code", "name", "grade", "city"), label=_("Sort"))

    class Meta:
        model = Store
        fields = ["q", "account", "grade", "city", "rep", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name__icontains=value) | Q(address__icontains=value) | Q(city__icontains=value)
        )


class ProductFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    brand = django_filters.CharFilter(label=_("Brand"), lookup_expr="iexact")
    category = django_filters.CharFilter(label=_("Category"), lookup_expr="iexact")
    active = active_filter()
    o = django_filters.OrderingFilter(fields=("code", "name", "brand", "category"), label=_("Sort"))

    class Meta:
        model = Product
        fields = ["q", "brand", "category", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value) | Q(barcode__icontains=value))


def _stores(request):
    return stores_for(request.user).order_by("code") if request else Store.objects.none()


class _StoreCodeFilter(django_filters.ModelChoiceFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("queryset", _stores)
        kwargs.setdefault("label", _("Store"))
        super().__init__(*args, **kwargs)


class ListingFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    account = _AccountCodeFilter(field_name="store__account")
    store = _StoreCodeFilter(field_name="store")
    product = django_filters.CharFilter(field_name="product__code", label=_("Product code"))
    active = active_filter()

    class Meta:
        model = Listing
        fields = ["q", "account", "store", "product", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(store__name__icontains=value) | Q(product__name__icontains=value) | Q(product__code__icontains=value)
        )


class DeliveryFilter(StyledFilterSet):
    account = _AccountCodeFilter(field_name="store__account")
    store = _StoreCodeFilter(field_name="store")
    product = django_filters.CharFilter(field_name="product__code", label=_("Product code"))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("From"))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("To"))
    reference = django_filters.CharFilter(lookup_expr="icontains", label=_("Reference"))

    class Meta:
        model = Delivery
        fields = ["account", "store", "product", "date_from", "date_to", "reference"]
