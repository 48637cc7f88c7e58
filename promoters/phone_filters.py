"""Filters of the promoter's day and attendance lists (one FilterSet per list, serving its page and its API):
promoters by code, stores and products by code, each within the user's scope."""

from django.utils.translation import gettext_lazy as _

from ka_portal.api_fields import record_filter
from ka_portal.errors import DomainError
from ka_portal.lists import StyledFilterSet, day_filter, day_range_filters, yes_no_filter
from ka_portal.months import MonthFilter
from ka_portal.scope import products_for, promoter_stores_for, promoters_for
from stores.models import Product, Store

from . import attendance_report
from .filters import not_checked_in_filter, sent_late_filter
from .models import Promoter, SellOutLine, Shift


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
    since, until = day_range_filters("shift__day", what="Sold")

    class Meta:
        model = SellOutLine
        fields = ["promoter", "store", "product", "since", "until"]


class AttendanceShiftFilter(StyledFilterSet):
    """The shifts behind the attendance report: a promoter's, a store's, from a day to a day (the roster's API names,
    `day_from` and `day_to`). Without days, those of `month` (the report's link; default this month): its first and
    last day fill From and To, so the page shows the period it lists."""

    month = MonthFilter(
        label=_("Month"),
        method="filter_month",
        help_text="YYYY-MM: without days, the shifts of this month (default this month).",
    )
    promoter = promoter_filter()
    store = store_filter()
    day_from, day_to = day_range_filters("day", what="The shift's day")
    day = day_filter(_("Day"), help_text="The shift's day (YYYY-MM-DD).")
    to_confirm = yes_no_filter(
        _("Confirmation"),
        yes=_("To confirm"),
        no=_("Confirmed or still to come"),
        method="filter_to_confirm",
        help_text="true: the shifts the supervisor has yet to confirm (ended, not confirmed).",
    )

    sent_late = sent_late_filter()
    not_checked_in = not_checked_in_filter()

    class Meta:
        model = Shift
        fields = ["month", "promoter", "store", "day_from", "day_to", "day", "to_confirm", "sent_late",
                  "not_checked_in"]  # fmt: skip

    def __init__(self, data=None, *args, **kwargs):
        if not any((data or {}).get(name) for name in ("day_from", "day_to", "day")):
            data = data.copy() if data is not None else {}
            try:
                month = attendance_report.parse_month(data.get("month"))
            except DomainError:
                # 2026-13, or 1999-01 outside the months the portal holds: refused by the month's own filter (its
                # reading, ka_portal/months.py), so the list and its export hold nothing — never this month's shifts
                # passing for the month asked
                month = None
            if month is not None:
                data["day_from"], data["day_to"] = month.isoformat(), attendance_report.month_end(month).isoformat()
        super().__init__(data, *args, **kwargs)

    @property
    def not_on_page(self) -> tuple[str, ...]:
        """From and To show the month's days; `day` is the confirm-a-day form's. A month refused stays on the page,
        with what was typed and why (FilteredListView shows a refused filter next to it)."""
        if self.is_bound and "month" in self.errors:
            return ("day",)
        return ("month", "day")

    def filter_month(self, queryset, name, value):
        return queryset  # read by __init__: the month's days as From and To

    def filter_to_confirm(self, queryset, name, value):
        """The report's "to confirm" (promoters/attendance.py Reading.confirmable, not yet confirmed): the shift has
        ended and nobody confirmed it."""
        return attendance_report.to_confirm(queryset, value)
