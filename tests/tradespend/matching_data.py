"""Helpers for the matching and dispute tests (their fixtures are in conftest.py)."""

import uuid
from datetime import date
from decimal import Decimal

from contracts import services
from tradespend.models import AccrualLine


def matching_line(account, month: date, amount, *, kind="end_cap", stage="adjustment", **extra) -> AccrualLine:
    """A ledger line made directly (the ledger's computation is another part's)."""
    values = {"source": "adjustment", "source_key": f"adjustment:{uuid.uuid4()}", **extra}
    return AccrualLine.objects.create(
        account=account,
        month=month,
        kind=kind,
        category="fixed_fee",
        stage=stage,
        amount=Decimal(amount),
        **values,
    )


def matching_deduction(invoice, amount, *, kind="tg", on=date(2026, 9, 20), by=None, **extra):
    return services.deduction_record(
        invoice=invoice, date=on, kind=kind, amount=Decimal(amount), reason="堆头费", by=by, **extra
    )
