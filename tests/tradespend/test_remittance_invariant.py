"""A remittance lands whole or not at all: random advices either reconcile (the account's books and
Σ settled = cash on the named invoices + Σ deductions) or, with one bad row, change nothing whatsoever."""

from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from contracts.models import Allocation, Deduction, Invoice, Payment
from contracts.selectors import account_reconciliation
from ka_portal.errors import DomainError
from ka_portal.money import to_money
from tests.factories import KeyAccountFactory, make_user
from tradespend.models import ClosedMonth, Remittance
from tradespend.remittances import DeductionLine, InvoiceLine, remittance_record

pytestmark = pytest.mark.django_db

DAY = date(2026, 10, 8)
numbers = count()
amounts = st.decimals(min_value=Decimal("1.00"), max_value=Decimal("5000.00"), places=2)
shares = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("1"), places=2)
BAD = ["unknown", "other_account", "over_open", "kind", "zero", "short", "closed", "too_big", "twice"]

advices = st.fixed_dictionaries(
    {
        "invoices": st.lists(st.tuples(amounts, st.integers(0, 120)), min_size=1, max_size=8),
        "named": st.lists(st.tuples(st.integers(0, 7), shares), min_size=1, max_size=6, unique_by=lambda t: t[0]),
        "deductions": st.lists(
            st.tuples(st.sampled_from(["dm", "tg", "listing", "返利", "Barcode fee"]), shares), max_size=4
        ),
        "extra": st.decimals(min_value=Decimal("0"), max_value=Decimal("20000"), places=2),
        "bad": st.one_of(st.none(), st.sampled_from(BAD)),
    }
)


@pytest.fixture
def remit_finance(db):
    return make_user(Role.FINANCE)


def _state():
    return (
        Payment.objects.count(),
        Allocation.objects.count(),
        Deduction.objects.count(),
        Remittance.objects.count(),
        sorted(Invoice.objects.values_list("pk", "open_amount", "status")),
        ClosedMonth.objects.filter(month__lt=date(2026, 1, 1)).count(),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(advice=advices)
def test_a_remittance_lands_whole_or_not_at_all(advice, remit_finance):
    account, other = KeyAccountFactory(), KeyAccountFactory()
    invoices = []
    for amount, ago in advice["invoices"]:
        number = f"H{next(numbers)}"
        invoices.append(
            Invoice.objects.create(
                number=number,
                account=account,
                date=DAY - timedelta(days=ago),
                due_on=DAY,
                amount=amount,
                open_amount=amount,
            )
        )
    foreign = Invoice.objects.create(
        number=f"F{next(numbers)}", account=other, date=DAY, due_on=DAY, amount=Decimal("100"), open_amount=100
    )
    lines, seen = [], set()
    for index, share in advice["named"]:
        invoice = invoices[index % len(invoices)]
        if invoice.pk in seen:
            continue
        seen.add(invoice.pk)
        lines.append(
            InvoiceLine(invoice.number, max(to_money(invoice.amount * share), Decimal("0.01")), len(lines) + 2)
        )
    smallest = min(line.amount for line in lines)
    deductions = []
    for kind, share in advice["deductions"]:
        amount = to_money(smallest * share / (len(advice["deductions"]) + 1))
        if amount > 0:
            deductions.append(DeductionLine(kind, amount, row=100 + len(deductions)))
    settled = sum(line.amount for line in lines)
    deducted = sum(d.amount for d in deductions)
    cash = settled - deducted + advice["extra"]
    when = DAY
    bad = advice["bad"]
    if bad == "unknown":
        lines.append(InvoiceLine("NO-SUCH", Decimal("1.00"), 99))
    elif bad == "other_account":
        lines.append(InvoiceLine(foreign.number, Decimal("1.00"), 99))
    elif bad == "over_open":
        amount_of = {invoice.number: invoice.amount for invoice in invoices}
        lines[0] = InvoiceLine(lines[0].invoice, amount_of[lines[0].invoice] + Decimal("0.01"), 99)
    elif bad == "kind":
        deductions.append(DeductionLine("bribe", Decimal("1.00"), row=99))
    elif bad == "zero":
        deductions.append(DeductionLine("dm", Decimal("0"), row=99))
    elif bad == "short":
        cash = settled - deducted - Decimal("0.01")
    elif bad == "closed":
        ClosedMonth.objects.get_or_create(month=date(2026, 10, 1))
    elif bad == "too_big":
        deductions.append(DeductionLine("dm", settled + 1, row=99))
        cash += settled + 1
    elif bad == "twice":
        lines.append(InvoiceLine(lines[0].invoice, Decimal("0.01"), 99))
    before = _state()
    reference = f"R{next(numbers)}"

    try:
        outcome = remittance_record(
            account=account,
            date=when,
            reference=reference,
            cash=cash,
            invoices=lines,
            deductions=deductions,
            by=remit_finance,
        )
    except DomainError:
        assert bad is not None
        assert _state() == before
        return
    finally:
        ClosedMonth.objects.filter(month=date(2026, 10, 1)).delete()

    assert bad is None
    remittance = outcome.remittance
    assert account_reconciliation(account).reconciles
    named = [line.invoice for line in lines]
    cash_on_named = Allocation.objects.filter(payment=remittance.payment, invoice__number__in=named).aggregate(
        s=Sum("amount")
    )["s"] or Decimal("0")
    assert remittance.settled == settled == cash_on_named + remittance.deducted
    assert remittance.deducted == deducted
    assert remittance.payment.allocated_amount + remittance.payment.unallocated_amount == cash
    for line in lines:
        invoice = Invoice.objects.get(number=line.invoice)
        assert invoice.open_amount == invoice.amount - line.amount
