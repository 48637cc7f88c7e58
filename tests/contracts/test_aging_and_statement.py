"""Aging as of any date (buckets at their boundaries, DSO, history) and the statement on a known data set."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from contracts import services
from contracts.receivables import Bucket
from contracts.selectors import aging_invoices, aging_report, statement

from .test_receivables_rules import BUCKET_BOUNDARIES

pytestmark = pytest.mark.django_db
D = Decimal
DUE = date(2026, 6, 30)


@pytest.mark.parametrize("days_after_due, bucket", BUCKET_BOUNDARIES)
def test_aging_bucket_on_the_boundary_days(account, finance, days_after_due, bucket):
    services.invoice_create(account=account, number="INV1", date=date(2026, 5, 31), amount=D("1000.00"), due_on=DUE)
    report = aging_report(finance, as_of=DUE + timedelta(days=days_after_due))
    assert report.total.buckets == {b: (D("1000.00") if b == bucket else D("0")) for b in Bucket.values}
    assert [r.account for r in report.rows] == [account]


def test_aging_as_of_a_past_date_ignores_what_came_later(account, finance):
    # given an invoice paid in part on 1 August and written off on 1 October
    invoice = services.invoice_create(account=account, number="INV1", date=date(2026, 5, 1), amount=D("1000.00"))
    services.payment_record(account=account, date=date(2026, 8, 1), amount=D("300.00"))
    services.invoice_write_off(invoice=invoice, reason="坏账", by=finance, on=date(2026, 10, 1))
    # then each as-of date sees only what had happened by its end
    assert aging_report(finance, as_of=date(2026, 4, 30)).total.total == D("0")
    assert aging_report(finance, as_of=date(2026, 7, 31)).total.total == D("1000.00")
    assert aging_report(finance, as_of=date(2026, 8, 1)).total.total == D("700.00")
    assert aging_report(finance, as_of=date(2026, 10, 1)).total.total == D("0")


def test_reversed_payment_counts_until_the_day_it_was_reversed(account, finance):
    services.invoice_create(account=account, number="INV1", date=date(2026, 5, 1), amount=D("1000.00"))
    payment = services.payment_record(account=account, date=date(2026, 8, 1), amount=D("1000.00"))
    services.payment_reverse(payment=payment, by=finance, reason="退票", on=date(2026, 8, 10))
    assert aging_report(finance, as_of=date(2026, 8, 9)).total.total == D("0")
    assert aging_report(finance, as_of=date(2026, 8, 10)).total.total == D("1000.00")


def test_dso_and_drill_down(account, finance, settings):
    settings.KA = replace(settings.KA, dso_days=90)
    as_of = date(2026, 9, 30)
    services.invoice_create(account=account, number="OLD", date=date(2026, 3, 1), amount=D("3000.00"))  # outside window
    services.invoice_create(account=account, number="NEW", date=date(2026, 9, 1), amount=D("6000.00"))
    services.payment_record(account=account, date=date(2026, 9, 20), amount=D("3000.00"))  # pays OLD
    report = aging_report(finance, as_of=as_of)
    # open 6000 / sales in the last 90 days 6000 × 90 = 90 days
    assert report.total.dso == D("90.0")
    assert [i.number for i in aging_invoices(finance, as_of=as_of, bucket=Bucket.NOT_DUE)] == ["NEW"]
    assert aging_invoices(finance, as_of=as_of, bucket=Bucket.OVER_90) == []


def test_aging_for_a_manager_covers_only_their_accounts(account, manager, finance):
    from tests.factories import KeyAccountFactory

    other = KeyAccountFactory()
    services.invoice_create(account=account, number="MINE", date=date(2026, 5, 1), amount=D("100.00"))
    services.invoice_create(account=other, number="THEIRS", date=date(2026, 5, 1), amount=D("900.00"))
    assert aging_report(manager, as_of=date(2026, 9, 1)).total.total == D("100.00")
    assert aging_report(finance, as_of=date(2026, 9, 1)).total.total == D("1000.00")


@pytest.fixture
def known_books(account, finance):
    """September for 沃尔玛: 5,000 open from August; in September an invoice of 8,000, a payment of 6,000,
    a DM deduction of 500, a bounced payment of 1,000 reversed on the 25th; an October invoice after the period."""
    aug = services.invoice_create(account=account, number="INV-AUG", date=date(2026, 8, 10), amount=D("5000.00"))
    sep = services.invoice_create(account=account, number="INV-SEP", date=date(2026, 9, 5), amount=D("8000.00"))
    services.payment_record(account=account, date=date(2026, 9, 12), amount=D("6000.00"), reference="HK0912")
    services.deduction_record(invoice=sep, date=date(2026, 9, 15), kind="dm", amount=D("500.00"), reason="9月DM")
    bounced = services.payment_record(account=account, date=date(2026, 9, 20), amount=D("1000.00"), reference="HK0920")
    services.payment_reverse(payment=bounced, by=finance, reason="退票", on=date(2026, 9, 25))
    services.invoice_create(account=account, number="INV-OCT", date=date(2026, 10, 3), amount=D("2000.00"))
    return {"aug": aug, "sep": sep}


def test_statement_balances_on_a_known_data_set(account, known_books):
    result = statement(account, date_from=date(2026, 9, 1), date_to=date(2026, 9, 30))
    assert result.opening == D("5000.00")
    assert [(line.date.day, line.kind, line.debit, line.credit, line.balance) for line in result.lines] == [
        (5, "invoice", D("8000.00"), D("0"), D("13000.00")),
        (12, "payment", D("0"), D("6000.00"), D("7000.00")),
        (15, "deduction", D("0"), D("500.00"), D("6500.00")),
        (20, "payment", D("0"), D("1000.00"), D("5500.00")),
        (25, "reversal", D("1000.00"), D("0"), D("6500.00")),
    ]
    assert result.lines[2].label == "扣款：DM费"  # the kind, in the chain's language
    assert (result.invoiced, result.paid, result.deducted, result.written_off) == (
        D("8000.00"),
        D("6000.00"),  # 6,000 + 1,000 paid, 1,000 of it reversed
        D("500.00"),
        D("0"),
    )
    assert result.closing == D("6500.00") == result.opening + result.invoiced - result.paid - result.deducted
    # the next period opens where this one closed
    assert statement(account, date_from=date(2026, 10, 1), date_to=date(2026, 10, 31)).opening == D("6500.00")
