"""The invariants the books must never break are the database's too: a write that skips the services
(a script, a shell, a bad migration) is refused with IntegrityError, not stored."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F

from contracts import services
from contracts.models import Allocation, Contract, Deduction, Invoice, Payment

from .factories import ContractFactory

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def books(account):
    invoice = services.invoice_create(account=account, number="FP1", date=date(2026, 7, 1), amount=D("100.00"))
    payment = services.payment_record(account=account, date=date(2026, 8, 1), amount=D("40.00"))
    deduction = services.deduction_record(
        invoice=invoice, date=date(2026, 8, 2), kind="dm", amount=D("10.00"), reason="DM"
    )
    return {
        "contract": ContractFactory(account=account),
        "invoice": invoice,
        "payment": payment,
        "deduction": deduction,
    }


BROKEN = [
    ("contract", Contract, {"valid_to": date(2025, 1, 1)}),
    ("contract", Contract, {"total_amount": D("-1")}),
    ("contract", Contract, {"listing_fee": D("-0.01")}),
    ("contract", Contract, {"rebate_percent": D("100.01")}),
    ("contract", Contract, {"rebate_percent": D("-1")}),
    ("invoice", Invoice, {"amount": D("0")}),
    ("invoice", Invoice, {"open_amount": D("-0.01")}),
    ("invoice", Invoice, {"open_amount": F("amount") + 1}),
    ("invoice", Invoice, {"written_off_amount": D("-1")}),
    ("invoice", Invoice, {"written_off_amount": F("amount") + 1}),
    ("invoice", Invoice, {"due_on": date(2026, 6, 30)}),
    ("payment", Payment, {"amount": D("0")}),
    ("payment", Payment, {"allocated_amount": F("amount") + 1}),
    ("payment", Payment, {"allocated_amount": D("-1")}),
    ("payment", Payment, {"reversed_on": date(2026, 7, 31)}),
    ("deduction", Deduction, {"amount": D("0")}),
]


@pytest.mark.parametrize("name, model, change", BROKEN, ids=[f"{m}-{'-'.join(c)}" for m, _model, c in BROKEN])
def test_a_write_past_the_services_that_breaks_an_invariant_is_refused_by_the_database(books, name, model, change):
    record = books[name]

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=record.pk).update(**change)


def test_an_allocation_of_nothing_is_refused_by_the_database(books):
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(payment=books["payment"]).update(amount=D("0"))
