"""Fixtures and helpers for the matching and dispute tests (no conftest.py: other parts share this package)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from contracts import services
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory
from tradespend.models import AccrualLine


@pytest.fixture
def matching_account(db, manager):
    return KeyAccountFactory(code="RTM", name="大润发", owner=manager)


@pytest.fixture
def matching_invoice(matching_account):
    return InvoiceFactory(account=matching_account, date=date(2026, 9, 1), amount=Decimal("100000.00"))


def matching_line(account, month: date, amount, *, kind="end_cap", stage="adjustment", **extra) -> AccrualLine:
    """A ledger line made directly (the ledger's computation is another part's)."""
    return AccrualLine.objects.create(
        account=account,
        month=month,
        source="adjustment",
        source_key=f"adjustment:{uuid.uuid4()}",
        kind=kind,
        category="fixed_fee",
        stage=stage,
        amount=Decimal(amount),
        **extra,
    )


def matching_deduction(invoice, amount, *, kind="tg", on=date(2026, 9, 20), by=None, **extra):
    return services.deduction_record(
        invoice=invoice, date=on, kind=kind, amount=Decimal(amount), reason="堆头费", by=by, **extra
    )
