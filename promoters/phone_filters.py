"""Filters of the promoter's day and attendance lists (one FilterSet per list, serving its page and its API):
promoters by code, stores and products by code, each within the user's scope."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet, yes_no_filter
from ka_portal.scope import products_for, promoter_stores_for, promoters_for
from stores.models import Product, Store

from .models import Promoter, SellOutLine, Shift


def _date_filter(label, **kwargs) -> django_filters.DateFilter:
    return django_filters.DateFilter(
        label=label, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), **kwargs
    )


def promoter_filter(field_name="promoter", **kwargs):
    return record_filter(
        Promoter, scope=promoters_for, label=_("Promoter"), help_text="The promoter, by code.",
        to_field_name="code", field_name=field_name, **kwargs,
    )  # fmt: skip


def store_filter(field_name="store", **kwargs):
    return record_filter(
        Store, scope=promoter_stores_for, label=_("Store"), help_text="The store, by code.", field_name=field_name,
        **kwargs,
    )  # fmt: skip


class SellOutFilter(StyledFilterSet):
    promoter = promoter_filter("shift__promoter")
    store = store_filter("shift__store")
    product = record_filter(Product, scope=products_for, label=_("Product"), help_text="The product, by code.")
    since = _date_filter(_("From"), field_name="shift__day", lookup_expr="gte", help_text="Days from (YYYY-MM-DD).")
    until = _date_filter(_("To"), field_name="shift__day", lookup_expr="lte", help_text="Days to (YYYY-MM-DD).")

    class Meta:
        model = SellOutLine
        fields = ["promoter", "store", "product", "since", "until"]


class AttendanceShiftFilter(StyledFilterSet):
    """The shifts behind the attendance report: a promoter's, a store's, a day's."""

    month = django_filters.CharFilter(
        label=_("Month"),
        method="filter_month",
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text="YYYY-MM; the page's shifts are those of this month (default this month).",
    )
    promoter = promoter_filter()
    store = store_filter()
    day = _date_filter(_("Day"), help_text="The shift's day (YYYY-MM-DD).")
    to_confirm = yes_no_filter(
        _("Confirmation"),
        yes=_("To confirm"),
        no=_("Confirmed or still to come"),
        method="filter_to_confirm",
        help_text="true: the shifts the supervisor has yet to confirm (ended, not confirmed).",
    )

    class Meta:
        model = Shift
        fields = ["month", "promoter", "store", "day", "to_confirm"]

    def filter_month(self, queryset, name, value):
        return queryset  # the view's base queryset is the month's (promoters/attendance_report.py month_shifts)

    def filter_to_confirm(self, queryset, name, value):
        """The report's "to confirm" (promoters/attendance.py Reading.confirmable, not yet confirmed): the shift has
        ended and nobody confirmed it."""
        now = timezone.localtime()
        ended = Q(day__lt=now.date()) | Q(day=now.date(), ends_at__lte=now.time())
        pending = ended & Q(confirmed_at__isnull=True)
        return queryset.filter(pending) if value else queryset.exclude(pending)
