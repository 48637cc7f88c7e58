"""Aging sums open amounts as of a day in one grouped query (contracts.selectors.open_as_of_by_bucket: the stored open
amount less what changed it afterwards). On random books — invoices, payments allocated oldest first, reversals,
deductions, recoveries of disputed ones, credit notes, write-offs, each on its own day — the report equals the
invoices behind it summed one by one (invoices_open_as_of, the per-invoice reading the drill-down shows), for every
day from before the first invoice to after the last movement."""

import contextlib
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import services
from contracts.models import Deduction, Invoice, Payment
from contracts.receivables import aging_bucket, days_past_due
from contracts.selectors import aging_invoices, aging_report, invoices_open_as_of
from ka_portal.errors import DomainError
from tests.factories import KeyAccountFactory
from tests.legs import examples

pytestmark = pytest.mark.django_db

FIRST = date(2026, 3, 1)
numbers = count()
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("3000.00"), places=2)
day = st.integers(min_value=0, max_value=150)
pick = st.integers(min_value=0, max_value=30)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), amounts, day),
        st.tuples(st.just("invoice"), amounts, day),
        st.tuples(st.just("payment"), amounts, day),
        st.tuples(st.just("deduction"), amounts, pick, day),
        st.tuples(st.just("reverse"), pick, st.integers(min_value=0, max_value=40)),
        st.tuples(st.just("write_off"), pick, day),
        st.tuples(st.just("credit_note"), amounts, pick, day),
        st.tuples(st.just("recover"), amounts, pick, day),
    ),
    min_size=1,
    max_size=25,
)


def _nth(queryset, index):
    items = list(queryset.order_by("pk"))
    return items[index % len(items)] if items else None


def _apply(operation, account, finance) -> None:
    kind, *args = operation
    if kind == "invoice":
        amount, offset = args
        on = FIRST + timedelta(days=offset)
        services.invoice_create(account=account, number=f"AO{next(numbers)}", date=on, amount=amount)
    elif kind == "payment":
        amount, offset = args
        services.payment_record(account=account, date=FIRST + timedelta(days=offset), amount=amount, by=finance)
    elif kind == "deduction":
        amount, index, offset = args
        invoice = _nth(Invoice.objects.filter(account=account), index)
        if invoice is not None:
            on = max(invoice.date, FIRST + timedelta(days=offset))
            services.deduction_record(invoice=invoice, date=on, kind="tg", amount=amount, reason="堆头费")
    elif kind == "reverse":
        index, later = args
        payment = _nth(Payment.objects.filter(account=account), index)
        if payment is not None:
            on = payment.date + timedelta(days=later)
            services.payment_reverse(payment=payment, by=finance, reason="退票", on=on)
    elif kind == "write_off":
        index, offset = args
        invoice = _nth(Invoice.objects.filter(account=account), index)
        if invoice is not None:
            on = max(invoice.date, FIRST + timedelta(days=offset))
            services.invoice_write_off(invoice=invoice, reason="无法收回", by=finance, on=on)
    elif kind == "credit_note":
        amount, index, offset = args
        invoice = _nth(Invoice.objects.filter(account=account), index)
        if invoice is not None:
            on = max(invoice.date, FIRST + timedelta(days=offset))
            services.credit_note_record(
                account=account, number=f"AZ{next(numbers)}", date=on, amount=amount, reason="退货", invoice=invoice
            )
    elif kind == "recover":
        from tradespend.disputes import dispute_open, dispute_recover
        from tradespend.models import Dispute

        amount, index, offset = args
        deduction = _nth(Deduction.objects.filter(account=account), index)
        if deduction is not None:
            dispute = Dispute.objects.filter(deduction=deduction).first() or dispute_open(
                deduction=deduction, reason="无依据", owner=finance, by=finance
            )
            on = max(deduction.date, FIRST + timedelta(days=offset))
            dispute_recover(dispute=dispute, amount=amount, on=on, note="", by=finance)


def _one_by_one(account, as_of: date) -> dict[str, Decimal]:
    """The invoices open at the end of ``as_of``, each summed into its bucket in Python."""
    buckets: dict[str, Decimal] = defaultdict(Decimal)
    for invoice in invoices_open_as_of(Invoice.objects.filter(account=account), as_of):
        buckets[aging_bucket(days_past_due(due_on=invoice.due_on, as_of=as_of))] += invoice.open_as_of
    return {bucket: amount for bucket, amount in buckets.items() if amount}


# `make test` draws 20 (10 on PostgreSQL; 40 with PROPERTY_EXAMPLES=full): each example is books of up to 25 movements
# of eight kinds, and the report is compared with the invoices one by one on 29 days across them (new books each run).
@settings(
    max_examples=examples(40, quick=20), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=operations)
def test_aging_equals_the_invoices_summed_one_by_one_on_every_day(operations, finance):
    # given random books of one account, each movement on its own day
    account = KeyAccountFactory()
    for operation in operations:
        with contextlib.suppress(DomainError):  # a refusal leaves the books as they were
            _apply(operation, account, finance)
    # then on every day from before the first record to after the last, the report is the invoices' sum
    for offset in range(-1, 200, 7):
        as_of = FIRST + timedelta(days=offset)
        report = aging_report(finance, as_of=as_of, account=account)
        got = {bucket: amount for bucket, amount in report.total.buckets.items() if amount}
        assert got == _one_by_one(account, as_of), as_of
        assert [row.account for row in report.rows] == ([account] if got else [])


def test_the_drill_down_adds_up_to_the_report_cell(account, finance):
    # given an invoice paid in part after the day asked, another settled before it
    first = services.invoice_create(account=account, number="A1", date=date(2026, 5, 1), amount=Decimal("1000.00"))
    services.invoice_create(account=account, number="A2", date=date(2026, 5, 2), amount=Decimal("500.00"))
    second = Invoice.objects.get(number="A2")
    services.payment_record(
        account=account, date=date(2026, 5, 20), amount=Decimal("500.00"), allocations=[(second, Decimal("500.00"))]
    )
    services.payment_record(account=account, date=date(2026, 9, 1), amount=Decimal("400.00"))
    as_of = date(2026, 8, 15)
    # when finance reads the aging as of mid-August and opens its cell
    report = aging_report(finance, as_of=as_of)
    behind = aging_invoices(finance, as_of=as_of, bucket="31_60")
    # then the cell is the first invoice whole (paid in part only in September), the second one settled
    assert report.total.buckets == {**dict.fromkeys(report.total.buckets, Decimal("0")), "31_60": Decimal("1000.00")}
    assert [(i.number, i.open_as_of) for i in behind] == [(first.number, Decimal("1000.00"))]
