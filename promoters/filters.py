"""The roster's filters, one per list, for the page and the API alike: promoters, shifts, monthly targets."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet, WordsFilter, day_filter, day_range_filters, yes_no_filter
from ka_portal.months import MonthFilter
from ka_portal.scope import promoter_stores_for, promoters_for, promotion_plans_for
from promotions.models import PromotionPlan
from stores.models import Store

from . import attendance, attendance_report
from .models import Promoter, PromoterTarget, Shift


def _sent_late(queryset, name, value):
    return attendance_report.sent_late(queryset, value) if value is not None else queryset


def sent_late_filter():
    """Shifts by whether their check-in was sent late (attendance_report.sent_late, as each shift's reading says):
    the attendance list's filter and the API's shifts list's."""
    return yes_no_filter(
        _("Sent late"),
        yes=_("Check-in sent late"),
        no=_("Not sent late"),
        method=_sent_late,
        help_text="true: the shifts whose check-in reached the server more than KA_VISIT_SYNC_LATE_HOURS after the "
        "phone's time (their attendance reads sent_late); false: the others, shifts without a check-in included.",
    )


def _not_checked_in(queryset, name, value):
    return attendance_report.not_checked_in(queryset, value) if value is not None else queryset


def not_checked_in_filter():
    """Shifts by whether they read "late, not checked in" now (attendance_report.not_checked_in, as each shift's
    reading says): the attendance list's filter, the report's count links to it, and the API's shifts list's."""
    return yes_no_filter(
        _("Check-in"),
        yes=attendance.LABELS[attendance.LATE_NO_CHECK_IN],
        no=_("Checked in, or not late yet"),
        method=_not_checked_in,
        help_text="true: the shifts running now, started more than KA_PROMOTER_LATE_AFTER_MINUTES ago, with no "
        "check-in (their attendance reads late_no_check_in); false: the others.",
    )


class PromoterFilter(StyledFilterSet):
    """The roster by name, code or phone; kind, employer, a store (code) and who is on the roster on a day."""

    q = WordsFilter(label=_("Search"), method="filter_q", help_text="Name, code or phone.")
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Promoter.Kind.choices)
    employer = django_filters.ChoiceFilter(label=_("Employed by"), choices=Promoter.Employer.choices)
    store = record_filter(
        Store, scope=promoter_stores_for, label=_("Store"), field_name="stores", help_text="A store, by its code."
    )
    active_on = day_filter(
        _("On the roster on"),
        method="filter_active_on",
        help_text="YYYY-MM-DD: promoters whose start is on or before it and whose end (if any) is on or after it.",
    )

    class Meta:
        model = Promoter
        fields = ["q", "kind", "employer", "store", "active_on"]

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(phone__icontains=value))

    def filter_active_on(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=value), started_on__lte=value)


class ShiftFilter(StyledFilterSet):
    """Shifts by promoter (code), store (code), a range of days, a promotion plan (id), whether the check-in was
    sent late and whether the shift runs late with no check-in now."""

    promoter = record_filter(Promoter, scope=promoters_for, label=_("Promoter"), help_text="By the promoter's code.")
    store = record_filter(Store, scope=promoter_stores_for, label=_("Store"), help_text="The store, by its code.")
    day_from, day_to = day_range_filters("day", what="The shift's day")  # as the attendance list's
    plan = record_filter(PromotionPlan, scope=promotion_plans_for, label=_("Promotion"), help_text="A plan's id.")
    sent_late = sent_late_filter()
    not_checked_in = not_checked_in_filter()

    class Meta:
        model = Shift
        fields = ["promoter", "store", "day_from", "day_to", "plan", "sent_late", "not_checked_in"]


class PromoterTargetFilter(StyledFilterSet):
    """Monthly targets by promoter (code) and month (YYYY-MM)."""

    promoter = record_filter(Promoter, scope=promoters_for, label=_("Promoter"), help_text="By the promoter's code.")
    month = MonthFilter(label=_("Month"), method="filter_month", help_text="YYYY-MM.")

    class Meta:
        model = PromoterTarget
        fields = ["promoter", "month"]

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1)) if value else queryset
