"""Filters shared by the finance pages and the API (the same class serves both): key accounts by code,
contracts by id, each within the user's finance scope."""

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet, yes_no_filter

from . import selectors
from .models import Contract, ContractTerm, Deduction, Invoice, open_q


def expiring_soon() -> Q:
    """Active contracts that end within the warning window (KA.contract_expiry_warning_days)."""
    return selectors.contract_expiring_q(settings.KA.contract_expiry_warning_days)


def _expiring_label() -> str:
    """The window as the settings have it when the label is shown (a lazy label: the set builds no form of its own
    to say it, and the API builds no set for a request naming none of its filters)."""
    return _("Expiring in %(days)s days") % {"days": settings.KA.contract_expiry_warning_days}


class ScopedAccountFilterSet(StyledFilterSet):
    """A filterset naming a key account by its code (?account=WMT), among the requesting user's finance accounts."""

    account = record_filter(
        KeyAccount,
        scope=selectors.finance_accounts,
        label=_("Key account"),
        help_text="The key account, by code (e.g. WMT); one outside your accounts is not found.",
    )


class ContractFilter(ScopedAccountFilterSet):
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Contract.Kind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Contract.Status.choices, method="filter_status")
    expiring = yes_no_filter(lazy(_expiring_label, str)(), method="filter_expiring")
    expires_within = django_filters.NumberFilter(
        label=_("Ending within (days)"),
        method="filter_expires_within",
        min_value=0,
        max_value=3660,
        help_text="Active contracts whose last day is within this many days from today.",
    )
    number = django_filters.CharFilter(label=_("Number"), lookup_expr="icontains")
    o = django_filters.OrderingFilter(fields=("number", "valid_to", "total_amount", "valid_from"))

    class Meta:
        model = Contract
        fields = ["account", "kind", "status"]

    def filter_status(self, queryset, name, value):
        """The status as of today: an active contract past its end is expired before the nightly run says so."""
        return queryset.filter(selectors.contract_status_q(value)) if value else queryset

    def filter_expires_within(self, queryset, name, value):
        return queryset if value is None else queryset.filter(selectors.contract_expiring_q(int(value)))

    def filter_expiring(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(expiring_soon()) if value else queryset.exclude(expiring_soon())


class InvoiceFilter(ScopedAccountFilterSet):
    contract = record_filter(
        Contract, scope=selectors.contracts_for, label=_("Contract"), help_text="The contract, by id."
    )
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Invoice.Status.choices)
    open = yes_no_filter(
        _("Open"),
        method="filter_open",
        help_text="true: an amount still to collect (open or partly paid); false: paid or written off.",
    )
    overdue = yes_no_filter(_("Overdue"), method="filter_overdue")
    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte")

    class Meta:
        model = Invoice
        fields = ["account", "contract", "status", "open", "overdue"]

    def filter_open(self, queryset, name, value):
        """Open: an amount still to collect (open or partly paid); not open: paid or written off."""
        if value is None:
            return queryset
        return queryset.filter(open_q()) if value else queryset.exclude(open_q())

    def filter_overdue(self, queryset, name, value):
        """Overdue today: still open after the due date (never the nightly run's copy)."""
        if value is None:
            return queryset
        return queryset.filter(selectors.overdue_q()) if value else queryset.exclude(selectors.overdue_q())


class AccountDateFilter(ScopedAccountFilterSet):
    """Payments and deductions: by account and date range."""

    date_from = django_filters.DateFilter(label=_("From"), field_name="date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("To"), field_name="date", lookup_expr="lte")


class DeductionFilter(AccountDateFilter):
    """Deductions by account, date range, kind and matching state (issue 12 item 5)."""

    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Deduction.Kind.choices)
    state = django_filters.ChoiceFilter(label=_("State"), choices=Deduction.State.choices)

    class Meta:
        model = Deduction
        fields = ["account", "kind", "state"]


# --- trade terms (费用条款), issue 12 item 2 ------------------------------------------------------------------


class ContractTermFilter(StyledFilterSet):
    """Term lines by contract (id), key account (code) and kind."""

    contract = record_filter(
        Contract, scope=selectors.contracts_for, label=_("Contract"), help_text="The contract, by id."
    )
    account = record_filter(
        KeyAccount,
        scope=selectors.finance_accounts,
        label=_("Key account"),
        field_name="contract__account",
        help_text="The key account, by code (e.g. WMT); one outside your accounts is not found.",
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=ContractTerm.Kind.choices)

    class Meta:
        model = ContractTerm
        fields = ["contract", "account", "kind"]
