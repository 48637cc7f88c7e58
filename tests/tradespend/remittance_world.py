"""The remittance API tests' world: a frozen day (2026-12-06), the CRF chain with its invoice K-1 (6,000.00 of
2026-10-01), a remittance paying K-1 and a look at whether anything was booked. A test module imports the fixtures
(`today` applies to each of its tests by itself)."""

from datetime import date
from decimal import Decimal

import pytest

from contracts.models import Deduction, Payment
from tests.contracts.factories import InvoiceFactory
from tests.factories import KeyAccountFactory
from tradespend.models import Remittance

REMITTANCES = "/api/v1/remittances/"


@pytest.fixture(autouse=True)
def today(time_machine):
    time_machine.move_to("2026-12-06 10:00 +08:00")


@pytest.fixture
def crf():
    account = KeyAccountFactory(code="CRF")
    InvoiceFactory(number="K-1", account=account, date=date(2026, 10, 1), amount=Decimal("6000.00"))
    return account


def remittance(*, cash="6000.00", deductions=None, **header) -> dict:
    """CRF's remittance of 2026-12-02 paying K-1 in full with `cash`, its `deductions` lines if any; `header` adds or
    replaces keys."""
    body = {
        "account": "CRF", "date": "2026-12-02", "reference": "CRF-1202", "cash": cash,
        "invoices": [{"invoice": "K-1", "amount": "6000.00"}], **header,
    }  # fmt: skip
    if deductions is not None:
        body["deductions"] = deductions
    return body


def nothing_booked() -> bool:
    return not (Remittance.objects.exists() or Payment.objects.exists() or Deduction.objects.exists())
