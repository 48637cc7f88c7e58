"""The pure receivables rules: due dates, aging buckets at their boundaries, oldest-first plans, DSO."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.receivables import (
    Bucket,
    OpenItem,
    aging_bucket,
    allocate_oldest_first,
    days_past_due,
    days_sales_outstanding,
    due_date,
)


@pytest.mark.parametrize(
    "invoice_date, terms, given, expected",
    [
        (date(2026, 1, 31), 30, None, date(2026, 3, 2)),  # across a short February
        (date(2026, 12, 15), 60, None, date(2027, 2, 13)),  # across the year end
        (date(2026, 5, 1), 0, None, date(2026, 5, 1)),  # cash on delivery
        (date(2026, 5, 1), 60, date(2026, 5, 20), date(2026, 5, 20)),  # a given date wins over the terms
    ],
)
def test_due_date_is_invoice_date_plus_terms_unless_given(invoice_date, terms, given, expected):
    assert due_date(invoice_date=invoice_date, payment_terms_days=terms, given=given) == expected


# Days past due on each side of every bucket's edge (SPEC §6: not due, 1–30, 31–60, 61–90, over 90).
BUCKET_BOUNDARIES = [
    (0, Bucket.NOT_DUE),
    (1, Bucket.D1_30),
    (30, Bucket.D1_30),
    (31, Bucket.D31_60),
    (60, Bucket.D31_60),
    (61, Bucket.D61_90),
    (90, Bucket.D61_90),
    (91, Bucket.OVER_90),
]


@pytest.mark.parametrize("days, bucket", [(-5, Bucket.NOT_DUE), *BUCKET_BOUNDARIES, (400, Bucket.OVER_90)])
def test_aging_bucket_boundaries(days, bucket):
    assert aging_bucket(days) == bucket


def test_days_past_due_counts_from_the_day_after_the_due_date():
    assert days_past_due(due_on=date(2026, 3, 1), as_of=date(2026, 3, 1)) == 0
    assert days_past_due(due_on=date(2026, 3, 1), as_of=date(2026, 3, 2)) == 1


def test_oldest_first_fills_the_oldest_invoice_before_the_next():
    items = [
        OpenItem(3, date(2026, 3, 1), Decimal("500.00")),
        OpenItem(1, date(2026, 1, 1), Decimal("300.00")),
        OpenItem(2, date(2026, 1, 1), Decimal("400.00")),
    ]
    plan = allocate_oldest_first(Decimal("800.00"), items)
    assert plan == [(1, Decimal("300.00")), (2, Decimal("400.00")), (3, Decimal("100.00"))]


def test_oldest_first_leaves_the_rest_unallocated_when_invoices_run_out():
    plan = allocate_oldest_first(Decimal("900.00"), [OpenItem(1, date(2026, 1, 1), Decimal("300.00"))])
    assert plan == [(1, Decimal("300.00"))]


def test_dso_is_receivables_over_sales_times_the_window():
    assert days_sales_outstanding(receivables=Decimal("50000"), sales=Decimal("90000"), days=90) == Decimal("50.0")
    assert days_sales_outstanding(receivables=Decimal("50000"), sales=Decimal("0"), days=90) is None
