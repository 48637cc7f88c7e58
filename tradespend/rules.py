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


# --- matching (issue 12 item 5): deduction states and the tolerance ----------------------------------------------

from decimal import Decimal  # noqa: E402  (this part's section is appended; the merger may move it up)

ZERO_MONEY = Decimal("0.00")


def within_tolerance(*, difference: Decimal, deduction_amount: Decimal, tolerance: Decimal) -> bool:
    """Whether two amounts differ by at most ``tolerance`` (a share, e.g. 0.005) of the deduction's amount."""
    return abs(difference) <= (tolerance * deduction_amount)


def deduction_state(
    *, amount: Decimal, recovered: Decimal, matched_sum: Decimal, tolerance: Decimal, duplicate: bool
) -> tuple[str, Decimal]:
    """A deduction's state and ``matched_amount`` from its numbers (contracts.Deduction.State values).

    ``due`` = amount − recovered is what the ledger must support. A duplicate has nothing matched; no matches is
    UNSUPPORTED; matches short of ``due`` by at most the tolerance (of the amount) count as MATCHED with
    matched_amount = due (the difference, matched_amount − Σ matches, is shown on the validation sheet as the
    tolerance difference); anything less is PARTLY_MATCHED with matched_amount = Σ matches."""
    if duplicate:
        return "duplicate", ZERO_MONEY
    due = amount - recovered
    if matched_sum <= 0 or due <= 0:
        return "unsupported", ZERO_MONEY
    if matched_sum >= due or within_tolerance(
        difference=due - matched_sum, deduction_amount=amount, tolerance=tolerance
    ):
        return "matched", due
    return "partly_matched", matched_sum


def fill_lines(
    unmatched: Decimal, candidates: list[tuple[int, Decimal]], *, amount: Decimal, tolerance: Decimal
) -> list[tuple[int, Decimal]]:
    """How an unmatched part is spread over candidate lines ``(line id, remaining)`` given oldest month first:
    one line whose remaining equals the unmatched part within the tolerance first (the closest, then the oldest),
    else across lines oldest first. Returns ``(line id, amount)`` pairs, each > 0."""
    usable = [(line, remaining) for line, remaining in candidates if remaining > 0]
    if unmatched <= 0 or not usable:
        return []
    exact = [
        (abs(remaining - unmatched), index, line, remaining)
        for index, (line, remaining) in enumerate(usable)
        if within_tolerance(difference=remaining - unmatched, deduction_amount=amount, tolerance=tolerance)
    ]
    if exact:
        _diff, _index, line, remaining = min(exact)
        return [(line, min(remaining, unmatched))]
    taken, left = [], unmatched
    for line, remaining in usable:
        if left <= 0:
            break
        take = min(remaining, left)
        taken.append((line, take))
        left -= take
    return taken
