"""Pure trade-spend rules (issue 12), no database: months, the mapping between term, plan, deduction and spend
kinds, and whether a month is still open. Each part's own arithmetic (schedules, tiers, matching tolerance,
states) is added here by the part that needs it, with its tests in tests/tradespend/test_rules.py."""

from datetime import date

from django.utils.translation import gettext_lazy as _

from ka_portal.errors import DomainError

# contracts.ContractTerm.Kind → SpendKind
TERM_SPEND_KIND = {
    "rebate": "rebate",
    "rebate_conditional": "rebate",
    "listing": "listing",
    "barcode": "barcode",
    "anniversary": "anniversary",
    "dm": "dm",
    "end_cap": "end_cap",
    "display": "display",
    "promoter": "promoter",
    "other": "other",
}
# contracts.Deduction.Kind → the SpendKind of the lines it may be matched to ("tg" is the chain's word for end caps)
DEDUCTION_SPEND_KIND = {
    "listing": "listing",
    "barcode": "barcode",
    "dm": "dm",
    "tg": "end_cap",
    "rebate": "rebate",
    "anniversary": "anniversary",
    "display": "display",
    "promoter": "promoter",
    "promotion": "promotion",
    "other": "other",
}
# A plan's cost fields → SpendKind (gifts, price support and supply funding are all PROMOTION)
PLAN_SPEND_KIND = {
    "dm_fee": "dm",
    "tg_fee": "end_cap",
    "promoter_fee": "promoter",
    "gift_cost": "promotion",
    "price_support": "promotion",
    "supply_funding": "promotion",
}


def spend_category(*, source: str, kind: str) -> str:
    """The gross-to-net step a line belongs to: rebates, promotion spend (anything a plan pays), fixed fees."""
    if kind == "rebate":
        return "rebate"
    if source == "plan" or kind == "promotion":
        return "promotion"
    return "fixed_fee"


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month ``count`` months after ``month`` (negative: before)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month's first day from ``first``'s month to ``last``'s, both included."""
    months, month, end = [], month_start(first), month_start(last)
    while month <= end:
        months.append(month)
        month = add_months(month, 1)
    return months


def check_month_open(day: date, closed_months: set[date] | frozenset[date], *, field: str = "date") -> None:
    """Refuse a record dated in a month finance has closed: its figures never change (item 4)."""
    if month_start(day) in closed_months:
        raise DomainError(
            "month.closed",
            _("%(month)s is closed: nothing dated in it can be recorded or changed; record it in an open month."),
            field=field,
            month=f"{day:%Y-%m}",
        )


# --- remittances (item 6, helper remit) -------------------------------------------------------------------------

import re  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

_PERIOD_MONTH = r"(\d{4})\s*(?:-|/|\.|年)\s*(\d{1,2})\s*月?"
_PERIOD_RANGE = re.compile(rf"^{_PERIOD_MONTH}(?:\s*(?:~|～|\.\.|至|到|—|–|-)\s*{_PERIOD_MONTH})?$")


def parse_period(text: str) -> tuple[date, date]:
    """A deduction's period as written on an advice: "2026-03", "2026-01~2026-03", "2026-01..2026-03",
    "2026年1月~2026年3月" → the first days of its first and last month. Refused: anything else, a month
    outside 1–12, or a period that ends before it starts."""
    match = _PERIOD_RANGE.match(str(text).strip())
    bad = DomainError(
        "remittance.period",
        _("“%(value)s” is not a period: write YYYY-MM or YYYY-MM~YYYY-MM."),
        field="period",
        value=text,
    )
    if match is None:
        raise bad
    year, month, end_year, end_month = match.groups()
    try:
        start = date(int(year), int(month), 1)
        end = date(int(end_year), int(end_month), 1) if end_year else start
    except ValueError:
        raise bad from None
    if end < start:
        raise DomainError(
            "deduction.period_order",
            _("The period ends (%(end)s) before it starts (%(start)s)."),
            field="period",
            start=f"{start:%Y-%m}",
            end=f"{end:%Y-%m}",
        )
    return start, end


def format_period(start: date | None, end: date | None) -> str:
    """A deduction's months as the advice writes them: "2026-03" or "2026-01~2026-03"."""
    if start is None:
        return ""
    if end is None or end == start:
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m}~{end:%Y-%m}"


def remittance_rest(*, cash: Decimal, deducted: Decimal, settled: Decimal) -> Decimal:
    """What a remittance pays beyond the invoice lines it names: cash + deductions − Σ lines. Refused when
    negative: the chain says it settles more than it paid and withheld."""
    rest = cash + deducted - settled
    if rest < 0:
        raise DomainError(
            "remittance.does_not_add_up",
            _(
                "It does not add up: cash %(cash)s plus deductions %(deducted)s is %(total)s, less than the "
                "%(settled)s the invoice lines settle (%(short)s short)."
            ),
            field="cash",
            cash=cash,
            deducted=deducted,
            total=cash + deducted,
            settled=settled,
            short=settled - cash - deducted,
        )
    return rest


def place_deductions(rooms: dict[Any, Decimal], deductions: Sequence[tuple[Any, Decimal, Any]]) -> dict[Any, Any]:
    """Put deductions on invoice lines: ``rooms`` is each line's room (its amount − the deductions named on it);
    ``deductions`` are (key, amount, named line or None). A named one goes on its line; the others
    first-fit-decreasing (largest first) onto the line with the most room left. Returns {deduction key: line}.
    Raises DomainError remittance.deduction_too_big (its ``key`` param names the deduction) for the first one
    larger than any line's room."""
    rooms = dict(rooms)
    placed: dict[Any, Any] = {key: line for key, _amount, line in deductions if line is not None}
    free = [(key, amount) for key, amount, line in deductions if line is None]
    for key, amount in sorted(free, key=lambda item: -item[1]):  # stable: equal amounts keep their order
        line = max(rooms, key=lambda candidate: rooms[candidate]) if rooms else None
        largest = rooms[line] if rooms else Decimal("0.00")
        if amount > largest:
            raise DomainError(
                "remittance.deduction_too_big",
                _(
                    "%(amount)s is larger than what any one invoice in this remittance settles (largest "
                    "%(largest)s left): name its invoice or split it."
                ),
                field="amount",
                amount=amount,
                largest=largest,
                key=key,
            )
        rooms[line] -= amount
        placed[key] = line
    return placed
