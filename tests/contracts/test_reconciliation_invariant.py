"""The reconciliation invariant under random sequences of invoices, payments, deductions, credit notes, reversals
and write-offs (and recoveries of disputed deductions): for the account, invoices − allocated payments −
deductions (net of recoveries) − credit notes on invoices − write-offs = open amount, after every step; no invoice
below zero or above its amount; no payment allocated beyond its amount; the open amounts as of today equal the
stored ones; and the balance the chain owes is the open amount
less cash not yet allocated and credit notes on no invoice."""

import contextlib
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db.models import F, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import services
from contracts.models import Allocation, Deduction, Invoice, Payment
from contracts.selectors import account_balance, account_reconciliation, invoices_open_as_of
from ka_portal.errors import DomainError
from ka_portal.money import to_money
from tests.factories import KeyAccountFactory
from tests.legs import examples

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)
numbers = count()
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000.00"), places=2)
days = st.integers(min_value=0, max_value=200)
pick = st.integers(min_value=0, max_value=50)

operations = st.lists(
    st.one_of(
        st.tuples(st.just("invoice"), amounts, days),
        st.tuples(st.just("payment"), amounts, days),
        st.tuples(st.just("payment_by_hand"), amounts, pick),
        st.tuples(st.just("unallocated_payment"), amounts),
        st.tuples(st.just("allocate_rest"), pick),
        st.tuples(st.just("deduction"), amounts, pick),
        st.tuples(st.just("reverse"), pick),
        st.tuples(st.just("write_off"), pick),
        st.tuples(st.just("credit_note"), amounts, pick, st.booleans()),
        st.tuples(st.just("recover"), amounts, pick),
    ),
    min_size=1,
    max_size=30,
)


def _nth(queryset, index):
    items = list(queryset.order_by("pk"))
    return items[index % len(items)] if items else None


def _apply(operation, account, finance):
    kind, *args = operation
    if kind == "invoice":
        amount, ago = args
        services.invoice_create(
            account=account, number=f"H{next(numbers)}", date=TODAY - timedelta(days=ago), amount=amount
        )
    elif kind == "payment":
        amount, ago = args
        services.payment_record(account=account, date=TODAY - timedelta(days=ago), amount=amount, by=finance)
    elif kind == "payment_by_hand":
        amount, index = args
        invoice = _nth(Invoice.objects.filter(account=account, open_amount__gt=0), index)
        if invoice is not None:
            services.payment_record(
                account=account, date=TODAY, amount=amount, allocations=[(invoice, min(amount, invoice.open_amount))]
            )
    elif kind == "unallocated_payment":
        services.payment_record(account=account, date=TODAY, amount=args[0], auto_allocate=False)
    elif kind == "allocate_rest":
        payment = _nth(Payment.objects.filter(account=account), args[0])
        if payment is not None:
            services.payment_allocate(payment=payment)
    elif kind == "deduction":
        amount, index = args
        invoice = _nth(Invoice.objects.filter(account=account), index)
        if invoice is not None:
            services.deduction_record(invoice=invoice, date=TODAY, kind="tg", amount=amount, reason="堆头费")
    elif kind == "reverse":
        payment = _nth(Payment.objects.filter(account=account), args[0])
        if payment is not None:
            services.payment_reverse(payment=payment, by=finance, reason="退票", on=TODAY)
    elif kind == "credit_note":
        amount, index, on_invoice = args
        invoice = _nth(Invoice.objects.filter(account=account), index) if on_invoice else None
        services.credit_note_record(
            account=account, number=f"HZ{next(numbers)}", date=TODAY, amount=amount, reason="退货", invoice=invoice
        )
    elif kind == "recover":  # a disputed deduction the chain gives (part of) back: open again on its invoice
        from tradespend.disputes import dispute_open, dispute_recover
        from tradespend.models import Dispute

        amount, index = args
        deduction = _nth(Deduction.objects.filter(account=account), index)
        if deduction is not None:
            dispute = Dispute.objects.filter(deduction=deduction).first() or dispute_open(
                deduction=deduction, reason="无依据", owner=finance, by=finance
            )
            dispute_recover(dispute=dispute, amount=amount, on=TODAY, note="", by=finance)
    elif kind == "write_off":
        invoice = _nth(Invoice.objects.filter(account=account), args[0])
        if invoice is not None:
            services.invoice_write_off(invoice=invoice, reason="无法收回", by=finance, on=TODAY)


def _assert_invariant(account):
    totals = account_reconciliation(account)
    assert totals.invoiced - totals.allocated - totals.deducted - totals.credited - totals.written_off == totals.open
    assert account_balance(account, TODAY) == totals.open - totals.unallocated - totals.unapplied_credit
    for invoice in Invoice.objects.filter(account=account):
        allocated = invoice.allocations.filter(payment__reversed_at__isnull=True).aggregate(s=Sum("amount"))["s"] or 0
        deducted = to_money(invoice.deductions.aggregate(s=Sum(F("amount") - F("recovered_amount")))["s"] or 0)
        credited = invoice.credit_notes.aggregate(s=Sum("amount"))["s"] or 0
        assert invoice.amount - allocated - deducted - credited - invoice.written_off_amount == invoice.open_amount
        assert Decimal("0") <= invoice.open_amount <= invoice.amount
        assert invoice.status == services._status_for(invoice)
    for payment in Payment.objects.filter(account=account):
        allocated = Allocation.objects.filter(payment=payment).aggregate(s=Sum("amount"))["s"] or 0
        assert allocated == payment.allocated_amount <= payment.amount
    as_of = {i.pk: i.open_as_of for i in invoices_open_as_of(Invoice.objects.filter(account=account), TODAY)}
    stored = {i.pk: i.open_amount for i in Invoice.objects.filter(account=account, open_amount__gt=0)}
    assert as_of == stored


# `make test` draws 30 (15 on PostgreSQL; 60 with PROPERTY_EXAMPLES=full): the invariant is checked after every
# step of an example, hundreds of states a run (new ones each run).
@settings(
    max_examples=examples(60, quick=30), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=operations)
def test_every_account_reconciles_after_every_step(operations, finance):
    account = KeyAccountFactory()  # a fresh account per example: earlier examples' rows stay out of it
    for operation in operations:
        # A refusal must leave the books as they were: checked below like any other step.
        with contextlib.suppress(DomainError):
            _apply(operation, account, finance)
        _assert_invariant(account)
