"""Invoices, payments, allocation, reversal, deductions and write-offs through the services."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from contracts import services
from contracts.models import Invoice, Payment
from contracts.selectors import account_reconciliation
from ka_portal.errors import DomainError

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _invoice(account, number, day, amount, **kwargs):
    return services.invoice_create(account=account, number=number, date=day, amount=D(amount), **kwargs)


def _fresh(obj):
    obj.refresh_from_db()
    return obj


def test_due_date_follows_the_contracts_payment_terms(account):
    contract = ContractFactory(account=account, payment_terms_days=45)
    invoice = _invoice(account, "INV1", date(2026, 10, 1), "1000.00", contract=contract)
    assert invoice.due_on == date(2026, 11, 15)


def test_due_date_given_wins_and_without_contract_the_default_terms_apply(account, settings):
    settings.KA = replace(settings.KA, default_payment_terms_days=30)
    given = _invoice(account, "INV1", date(2026, 10, 1), "1000.00", due_on=date(2026, 10, 10))
    default = _invoice(account, "INV2", date(2026, 10, 1), "1000.00")
    assert given.due_on == date(2026, 10, 10)
    assert default.due_on == date(2026, 10, 31)


def test_invoice_number_is_unique_and_contract_must_be_the_accounts(account):
    _invoice(account, "INV1", date(2026, 10, 1), "1000.00")
    with pytest.raises(DomainError) as taken:
        _invoice(account, "INV1", date(2026, 10, 2), "5.00")
    assert taken.value.code == "invoice.number_taken"
    with pytest.raises(DomainError) as other:
        _invoice(account, "INV2", date(2026, 10, 1), "1000.00", contract=ContractFactory())
    assert other.value.code == "invoice.contract_other_account"


def test_payment_is_allocated_oldest_first(account, finance):
    # given three invoices, the newest raised first
    newest = _invoice(account, "INV3", date(2026, 9, 1), "500.00")
    oldest = _invoice(account, "INV1", date(2026, 7, 1), "300.00")
    middle = _invoice(account, "INV2", date(2026, 8, 1), "400.00")
    # when the chain pays 800
    payment = services.payment_record(account=account, date=date(2026, 10, 1), amount=D("800.00"), by=finance)
    # then the two oldest are paid and the newest is partly paid
    assert [(_fresh(i).status, i.open_amount) for i in (oldest, middle, newest)] == [
        (Invoice.Status.PAID, D("0.00")),
        (Invoice.Status.PAID, D("0.00")),
        (Invoice.Status.PARTLY_PAID, D("400.00")),
    ]
    assert payment.allocated_amount == D("800.00")


def test_payment_larger_than_open_invoices_keeps_the_rest_unallocated(account):
    _invoice(account, "INV1", date(2026, 7, 1), "300.00")
    payment = services.payment_record(account=account, date=date(2026, 10, 1), amount=D("1000.00"))
    assert payment.unallocated_amount == D("700.00")
    assert account_reconciliation(account).unallocated == D("700.00")


def test_payment_allocated_by_hand_skips_the_older_invoice(account):
    older = _invoice(account, "INV1", date(2026, 7, 1), "300.00")
    newer = _invoice(account, "INV2", date(2026, 8, 1), "400.00")
    services.payment_record(
        account=account, date=date(2026, 10, 1), amount=D("250.00"), allocations=[(newer, D("250.00"))]
    )
    assert _fresh(older).open_amount == D("300.00")
    assert _fresh(newer).open_amount == D("150.00")


def test_unallocated_payment_is_allocated_later(account):
    invoice = _invoice(account, "INV1", date(2026, 7, 1), "300.00")
    payment = services.payment_record(account=account, date=date(2026, 10, 1), amount=D("200.00"), auto_allocate=False)
    assert _fresh(invoice).open_amount == D("300.00")
    services.payment_allocate(payment=payment)
    assert _fresh(invoice).open_amount == D("100.00")
    assert _fresh(payment).unallocated_amount == D("0.00")


@pytest.mark.parametrize(
    "allocations, code",
    [
        ([("INV1", "300.01")], "allocation.exceeds_invoice"),
        ([("INV1", "200.00"), ("INV1", "100.01")], "allocation.invoice_twice"),  # one line per invoice
        ([("INV1", "300.00"), ("INV2", "200.01")], "allocation.exceeds_payment"),
        ([("INV1", "0.00")], "allocation.amount_not_positive"),
        ([("OTHER", "10.00")], "allocation.other_account"),
    ],
)
def test_over_allocation_is_refused_and_changes_nothing(account, allocations, code):
    invoices = {
        "INV1": _invoice(account, "INV1", date(2026, 7, 1), "300.00"),
        "INV2": _invoice(account, "INV2", date(2026, 8, 1), "400.00"),
        "OTHER": services.invoice_create(
            account=ContractFactory().account, number="OTHER", date=date(2026, 7, 1), amount=D("50.00")
        ),
    }
    payment = services.payment_record(account=account, date=date(2026, 10, 1), amount=D("500.00"), auto_allocate=False)
    with pytest.raises(DomainError) as refused:
        services.payment_allocate(payment=payment, allocations=[(invoices[n], D(a)) for n, a in allocations])
    assert refused.value.code == code
    assert [_fresh(i).open_amount for i in invoices.values()] == [D("300.00"), D("400.00"), D("50.00")]
    assert _fresh(payment).allocated_amount == D("0.00")


def test_reversal_restores_the_open_amounts(account, finance):
    first = _invoice(account, "INV1", date(2026, 7, 1), "300.00")
    second = _invoice(account, "INV2", date(2026, 8, 1), "400.00")
    payment = services.payment_record(account=account, date=date(2026, 10, 1), amount=D("500.00"))
    services.payment_reverse(payment=payment, by=finance, reason="退票")
    assert [(_fresh(i).status, i.open_amount) for i in (first, second)] == [
        (Invoice.Status.OPEN, D("300.00")),
        (Invoice.Status.OPEN, D("400.00")),
    ]
    assert _fresh(payment).is_reversed
    with pytest.raises(DomainError) as twice:
        services.payment_reverse(payment=payment, by=finance, reason="再次")
    assert twice.value.code == "payment.already_reversed"
    with pytest.raises(DomainError):
        services.payment_allocate(payment=payment)
    assert account_reconciliation(account).reconciles


def test_deduction_reduces_the_open_amount_like_a_payment(account, finance):
    invoice = _invoice(account, "INV1", date(2026, 7, 1), "1000.00")
    services.deduction_record(
        invoice=invoice, date=date(2026, 8, 1), kind="dm", amount=D("120.00"), reason="8月DM快讯", by=finance
    )
    assert (_fresh(invoice).open_amount, invoice.status) == (D("880.00"), Invoice.Status.PARTLY_PAID)
    with pytest.raises(DomainError) as too_much:
        services.deduction_record(invoice=invoice, date=date(2026, 8, 1), kind="tg", amount=D("880.01"), reason="堆头")
    assert too_much.value.code == "allocation.exceeds_invoice"
    with pytest.raises(DomainError) as no_reason:
        services.deduction_record(invoice=invoice, date=date(2026, 8, 1), kind="tg", amount=D("1.00"), reason=" ")
    assert no_reason.value.code == "deduction.needs_reason"


def test_write_off_needs_a_reason_and_a_finance_user(account, finance, manager):
    invoice = _invoice(account, "INV1", date(2026, 1, 1), "1000.00")
    services.payment_record(account=account, date=date(2026, 3, 1), amount=D("600.00"))
    with pytest.raises(DomainError) as not_finance:
        services.invoice_write_off(invoice=invoice, reason="门店关闭", by=manager)
    assert not_finance.value.code == "invoice.write_off_needs_finance"
    with pytest.raises(DomainError) as no_reason:
        services.invoice_write_off(invoice=invoice, reason="", by=finance)
    assert no_reason.value.code == "invoice.write_off_needs_reason"

    services.invoice_write_off(invoice=invoice, reason="门店关闭，余款无法收回", by=finance, on=date(2026, 11, 1))

    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount, invoice.written_off_amount) == (
        Invoice.Status.WRITTEN_OFF,
        D("0.00"),
        D("400.00"),
    )
    assert invoice.written_off_by == finance
    assert account_reconciliation(account).reconciles
    with pytest.raises(DomainError) as again:
        services.invoice_write_off(invoice=invoice, reason="again", by=finance)
    assert again.value.code == "invoice.already_settled"


def test_reversing_a_payment_on_a_written_off_invoice_is_refused(account, finance):
    invoice = _invoice(account, "INV1", date(2026, 1, 1), "1000.00")
    payment = services.payment_record(account=account, date=date(2026, 3, 1), amount=D("600.00"))
    services.invoice_write_off(invoice=invoice, reason="坏账", by=finance)
    with pytest.raises(DomainError) as refused:
        services.payment_reverse(payment=payment, by=finance, reason="再次")
    assert refused.value.code == "payment.invoice_written_off"


def test_the_same_form_posted_twice_records_one_payment(account):
    import uuid

    key = uuid.uuid4()
    first = services.payment_record(account=account, date=date(2026, 10, 1), amount=D("10.00"), request_key=key)
    second = services.payment_record(account=account, date=date(2026, 10, 1), amount=D("10.00"), request_key=key)
    assert first.pk == second.pk
    assert Payment.objects.count() == 1


@pytest.mark.parametrize("reason", ["", "   ", "x" * 201])
def test_a_reversal_needs_a_reason_of_at_most_200_characters(finance, account, reason):
    services.invoice_create(account=account, number="R1", date=date(2026, 7, 1), amount=D("100.00"))
    payment = services.payment_record(account=account, date=date(2026, 8, 1), amount=D("100.00"))

    with pytest.raises(DomainError) as refused:
        services.payment_reverse(payment=payment, by=finance, reason=reason)

    assert refused.value.code in ("payment.reversal_needs_reason", "reason.too_long")
    payment.refresh_from_db()
    assert not payment.is_reversed
