"""The display agreements' filters, for the page and the API alike (issue 13 item 2)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.filters import account_search_q
from accounts.models import KeyAccount
from accounts.roles import Role
from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet, WordsFilter
from ka_portal.months import MonthFilter
from ka_portal.scope import accounts_for, stores_for, user_role
from stores.models import Store
from tradespend.settlement import with_settlement

from .agreement_rules import AGREEMENT_KINDS
from .models import DisplayAgreement


def sees_fees(user) -> bool:
    """Fees are for finance, KA managers and admins; reps and supervisors check the displays."""
    return user_role(user) in (Role.FINANCE, Role.MANAGER, Role.ADMIN)


class DisplayAgreementFilter(StyledFilterSet):
    """Agreements by chain (code), store (code), display, status, source, a month the period touches, and a
    search in the store, the chain and the note."""

    q = WordsFilter(
        label=_("Search"), method="filter_q", help_text="Store, chain (code or name, Chinese or English) or note."
    )
    account = record_filter(KeyAccount, scope=accounts_for, label=_("Chain"), help_text="The key account, by code.")
    store = record_filter(Store, scope=stores_for, label=_("Store"), help_text="The store, by code.")
    kind = django_filters.ChoiceFilter(label=_("Display"), choices=AGREEMENT_KINDS)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=DisplayAgreement.Status.choices)
    source = django_filters.ChoiceFilter(label=_("Source"), choices=DisplayAgreement.Source.choices)
    settlement = django_filters.ChoiceFilter(
        label=_("Deductions"),
        choices=[("to_settle", _("Payable, not yet deducted")), ("settled", _("Deducted in full"))],
        method="filter_settlement",
        help_text="to_settle: payable fees the chain's deductions do not cover yet; settled: fees deductions cover "
        "(tradespend/settlement.py).",
    )
    period = MonthFilter(
        label=_("Month"),
        method="filter_period",
        help_text="YYYY-MM: agreements whose period touches that month.",
    )

    class Meta:
        model = DisplayAgreement
        fields = ["q", "account", "store", "kind", "status", "source", "settlement", "period"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.request is not None and not sees_fees(self.request.user):
            del self.filters["settlement"]  # what deductions cover of a fee is the fee's, hidden from them

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(store__name__icontains=value)
            | Q(store__code__icontains=value)
            | account_search_q(value, "account")
            | Q(note__icontains=value)
        )

    def filter_settlement(self, queryset, name, value):
        if not value:
            return queryset
        queryset = with_settlement(queryset)
        if value == "settled":
            return queryset.filter(settled=True)
        return queryset.filter(status=DisplayAgreement.Status.PAYABLE, fee__gt=0, settled=False)

    def filter_period(self, queryset, name, value):
        if not value:
            return queryset
        first = value.replace(day=1)
        following = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
        return queryset.filter(start_on__lt=following, end_on__gte=first)
