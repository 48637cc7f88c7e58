"""Filters of the trade-spend pages and API (the same class serves both): key accounts by code, within the user's
finance scope. Each part appends its own classes."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import KeyAccount
from ka_portal.api_fields import record_filter
from ka_portal.lists import StyledFilterSet
from ka_portal.scope import finance_accounts_for

from .models import Remittance

# --- remittances (item 6) ----------------------------------------------------------------------------------------


class RemittanceFilter(StyledFilterSet):
    """Remittances by key account (code), date range and reference (or an invoice number it names)."""

    account = record_filter(
        KeyAccount,
        scope=finance_accounts_for,
        label=_("Key account"),
        help_text="The key account, by code (e.g. WMT); one outside your accounts is not found.",
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="date", lookup_expr="gte", help_text="Remittances dated on or after (YYYY-MM-DD)."
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="date", lookup_expr="lte", help_text="Remittances dated on or before (YYYY-MM-DD)."
    )
    q = django_filters.CharFilter(
        label=_("Reference or invoice"),
        method="filter_q",
        help_text="Part of the chain's payment reference, or an invoice number the remittance settles.",
    )
    o = django_filters.OrderingFilter(fields=("date", "cash", "reference"))

    class Meta:
        model = Remittance
        fields = ["account"]

    def filter_q(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        named = Q(invoice_lines__invoice__number=value)
        return queryset.filter(Q(reference__icontains=value) | named).distinct()
