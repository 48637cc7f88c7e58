"""Pure receivables rules (SPEC §6): due dates, aging buckets, oldest-first allocation, DSO. No database."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from ka_portal.money import ZERO, to_money


def due_date(*, invoice_date: date, given: date | None = None, payment_terms_days: int | None = None) -> date:
    """The invoice's due date: the one given, else the invoice date plus the payment terms in days."""
    if given is not None:
        return given
    return invoice_date + timedelta(days=int(payment_terms_days or 0))


class Bucket(models.TextChoices):
    """Aging buckets by days past due, best first: their order is how "worse" is decided."""

    NOT_DUE = "not_due", _("Not due")
    D1_30 = "1_30", _("1–30 days")
    D31_60 = "31_60", _("31–60 days")
    D61_90 = "61_90", _("61–90 days")
    OVER_90 = "over_90", _("Over 90 days")


BUCKET_ORDER = list(Bucket.values)
# Upper bound (days past due, inclusive) of each bucket but the last.
BUCKET_LIMITS = [(0, Bucket.NOT_DUE), (30, Bucket.D1_30), (60, Bucket.D31_60), (90, Bucket.D61_90)]


def days_past_due(*, due_on: date, as_of: date) -> int:
    """Whole days after the due date; 0 or less means not yet due (due today is not past due)."""
    return (as_of - due_on).days


def aging_bucket(days: int) -> Bucket:
    """The bucket for a number of days past due: ≤ 0 not due, 1–30, 31–60, 61–90, over 90."""
    for limit, bucket in BUCKET_LIMITS:
        if days <= limit:
            return bucket
    return Bucket.OVER_90


def is_worse(new: str, old: str) -> bool:
    return BUCKET_ORDER.index(new) > BUCKET_ORDER.index(old)


@dataclass(frozen=True)
class OpenItem:
    """An invoice that can take money: its id, date (for oldest-first) and open amount."""

    invoice_id: int
    date: date
    open_amount: Decimal


def allocate_oldest_first(amount: Decimal, items: Iterable[OpenItem]) -> list[tuple[int, Decimal]]:
    """Spread ``amount`` over open invoices, oldest first (by date, then id), never above an invoice's open amount."""
    left = to_money(amount)
    plan = []
    for item in sorted(items, key=lambda i: (i.date, i.invoice_id)):
        if left <= 0:
            break
        take = min(left, item.open_amount)
        if take > 0:
            plan.append((item.invoice_id, take))
            left -= take
    return plan


def days_sales_outstanding(*, receivables: Decimal, sales: Decimal, days: int) -> Decimal | None:
    """DSO = open receivables ÷ invoiced sales over the last ``days`` × ``days``; None without sales."""
    if not sales:
        return None
    return (Decimal(receivables) / Decimal(sales) * days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def closing_balance(opening: Decimal, movements: Sequence[Decimal]) -> Decimal:
    """A statement's closing balance: the opening plus each signed movement."""
    return to_money(opening + sum(movements, ZERO))
