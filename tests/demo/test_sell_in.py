"""The demo's sell-in is invoiced (SPEC §2): invoices per account × month carry SPEC §8's January–May to the
cent, this year and last, and a chain is invoiced for what it received: invoices net of credit notes agree with
the deliveries' value in every account × month gone by within 5 %."""

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.db.models.functions import TruncMonth

from accounts.models import KeyAccount
from accounts.selectors import Period, account_performance
from contracts.models import CreditNote, Invoice
from stores.models import Delivery
from stores.selectors import delivery_value

pytestmark = pytest.mark.django_db


def _by_account_month(queryset, value, account_field) -> dict:
    rows = (
        queryset.annotate(month=TruncMonth("date"))
        .values(account_field, "month")
        .annotate(total=Sum(value))
        .order_by()
        .values_list(account_field, "month", "total")
    )
    return {(account, month): total for account, month, total in rows}


def test_invoices_agree_with_deliveries_in_every_account_and_month(demo_company):
    """Every month gone by: this month's deliveries so far are invoiced at its end."""
    this_month = demo_company.replace(day=1)
    delivered = _by_account_month(Delivery.objects.filter(date__lt=this_month), delivery_value(), "store__account_id")
    invoiced = defaultdict(lambda: Decimal("0"), _by_account_month(Invoice.objects.all(), "amount", "account_id"))
    for key, credited in _by_account_month(CreditNote.objects.all(), "amount", "account_id").items():
        invoiced[key] -= credited

    assert CreditNote.objects.exists()  # the demo shows credit notes, outside January–May
    assert set(invoiced) == set(delivered)
    for key, value in delivered.items():
        assert abs(invoiced[key] - value) <= value * Decimal("0.05"), key


def test_january_to_may_invoices_give_spec_8_this_year_and_last(demo_company):
    admin_rows, total = account_performance(
        user=KeyAccount.objects.get(code="WMT").owner, period=Period(date(2026, 1, 1), date(2026, 5, 1))
    )
    walmart = next(row for row in admin_rows if row.account.code == "WMT")
    assert walmart.actual == Decimal("320300.00")
    assert round((walmart.growth or 0) * 100, 2) == Decimal("89.30")
    spring = Invoice.objects.filter(account__code="LOTUS", date__year=2025, date__month__lte=5)
    assert spring.aggregate(s=Sum("amount"))["s"] == Decimal("1811400.00")  # last year's base, to the cent
    assert not CreditNote.objects.filter(date__month__lte=5).exists()
