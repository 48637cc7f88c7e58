"""The appraisal's one FilterSet, for the page, its Excel and the API alike: the month (YYYY-MM, this month when not
given), the promoters' supervisor (username), agency and store (code), and the order of the rows."""

import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ka_portal import scope
from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet
from ka_portal.months import MonthFilter
from stores.models import Store

from . import appraisal_rules
from .models import Promoter

User = get_user_model()

SORT_CHOICES = [
    ("-score", _("Best score first")),
    ("score", _("Lowest score first")),
    ("-achievement", _("Best achievement first")),
    ("-pay", _("Highest pay first")),
    ("code", _("Code")),
    ("name", _("Name")),
]


def supervisors_for(user):
    """The supervisors of the promoters a user may appraise (by username)."""
    return User.objects.filter(pk__in=scope.promoters_for(user).values("supervisor_id"))


class AppraisalFilter(StyledFilterSet):
    month = MonthFilter(label=_("Month"), method="keep", help_text="YYYY-MM; this month when not given.")
    supervisor = record_filter(
        User, scope=supervisors_for, label=_("Supervisor"), help_text="The promoters' supervisor, by username."
    )
    agency = django_filters.ChoiceFilter(label=_("Agency"), choices=[], help_text="The agency employing them.")
    store = record_filter(
        Store,
        scope=scope.stores_for,
        label=_("Store"),
        method="filter_store",
        help_text="By code: the promoters on the store's roster or with a shift there in the month.",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), choices=SORT_CHOICES, method="keep", empty_label=None, help_text="The order of the rows."
    )

    class Meta:
        model = Promoter
        fields = ["month", "supervisor", "agency", "store", "sort"]

    def __init__(self, data=None, *args, **kwargs):
        if not (data or {}).get("month"):
            # the month shown is the month appraised: this month, written in the field as the title says it
            data = data.copy() if data is not None else {}
            data["month"] = f"{timezone.localdate():%Y-%m}"
        super().__init__(data, *args, **kwargs)
        agencies = self.queryset.exclude(agency="").order_by("agency").values_list("agency", flat=True).distinct()
        self.filters["agency"].extra["choices"] = [(name, name) for name in agencies]

    def keep(self, queryset, name, value):
        return queryset  # read by the view: the month and the order are not filters of the roster

    @property
    def chosen_month(self):
        """The month asked for (its first day); this month when not given."""
        value = self.form.cleaned_data.get("month") if self.form.is_valid() else None
        today = timezone.localdate()
        return value or today.replace(day=1)

    @property
    def chosen_sort(self) -> str:
        return (self.form.cleaned_data.get("sort") if self.form.is_valid() else "") or "-score"

    def filter_store(self, queryset, name, value):
        if not value:
            return queryset
        month = self.chosen_month
        last = appraisal_rules.month_last(month)
        return queryset.filter(
            Q(stores=value) | Q(pk__in=value.shifts.filter(day__range=(month, last)).values("promoter_id"))
        ).distinct()
