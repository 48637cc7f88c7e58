"""Fixtures shared by the trade-spend tests, one section per part of issue 12 (prefixed by the part)."""

from datetime import date
from decimal import Decimal

import pytest

from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory

# --- matching -----------------------------------------------------------------------------------------------------


@pytest.fixture
def matching_account(db, manager):
    return KeyAccountFactory(code="RTM", name="大润发", owner=manager)


@pytest.fixture
def matching_invoice(matching_account):
    return InvoiceFactory(account=matching_account, date=date(2026, 9, 1), amount=Decimal("100000.00"))
