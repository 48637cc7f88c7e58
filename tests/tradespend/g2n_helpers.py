"""Building blocks for the gross-to-net and month-close tests: records made through the contracts services,
ledger lines written directly (the ledger computation is another part's)."""

import uuid
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

from contracts import services
from contracts.models import ContractTerm, Deduction
from tradespend.models import AccrualLine
from tradespend.rules import spend_category

numbers = count(1)


def invoice(account, day: date, amount, **extra):
    return services.invoice_create(
        account=account, number=f"G2N-INV-{next(numbers)}", date=day, amount=Decimal(amount), **extra
    )


def credit_note(account, day: date, amount):
    return services.credit_note_record(
        account=account, number=f"G2N-CN-{next(numbers)}", date=day, amount=Decimal(amount), reason="退货"
    )


def deduction(on_invoice, day: date, amount, *, matched="0", recovered="0", kind="tg"):
    record = services.deduction_record(invoice=on_invoice, date=day, kind=kind, amount=Decimal(amount), reason="堆头费")
    if Decimal(matched) or Decimal(recovered):
        Deduction.objects.filter(pk=record.pk).update(
            matched_amount=Decimal(matched), recovered_amount=Decimal(recovered)
        )
        record.refresh_from_db()
    return record


def deducted_term(contract, kind: str, basis: str, period: str, **value) -> ContractTerm:
    """A term over the whole contract, settled by deduction; `value` is its rate or amount (a string)."""
    return ContractTerm.objects.create(
        contract=contract, kind=kind, basis=basis, period=period, valid_from=contract.valid_from,
        valid_to=contract.valid_to, settlement="deducted", **{name: Decimal(v) for name, v in value.items()},
    )  # fmt: skip


def line(account, month: date, kind: str, amount, *, term: ContractTerm | None = None, category: str | None = None):
    """A ledger line: a term's (accrued) when a term is given, else an adjustment."""
    source = "term" if term is not None else "adjustment"
    return AccrualLine.objects.create(
        account=account,
        month=month,
        source=source,
        source_key=f"term:{term.pk}" if term is not None else f"adjustment:{uuid.uuid4()}",
        term=term,
        kind=kind,
        category=category or spend_category(source=source, kind=kind),
        stage="accrued" if term is not None else "adjustment",
        amount=Decimal(amount),
        reason="" if term is not None else "测试",
    )


def later(day: date, days: int = 1) -> date:
    return day + timedelta(days=days)
