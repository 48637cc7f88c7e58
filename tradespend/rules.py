"""Pure trade-spend rules (issue 12), no database: months, the mapping between term, plan, deduction and spend
kinds, and whether a month is still open. Each part's own arithmetic (schedules, tiers, matching tolerance,
states) is added here by the part that needs it, with its tests in tests/tradespend/test_rules.py."""

import re
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from contracts.rules import claimed_months
from ka_portal.bounds import check_text_length
from ka_portal.errors import DomainError
from ka_portal.money import ZERO

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
    """The gross-to-net step a line belongs to: rebates, promotion spend (anything a plan pays, and promoters'
    pay, as a plan's promoter fee always was), fixed fees."""
    if kind == "rebate":
        return "rebate"
    if source in ("plan", "promoter") or kind == "promotion":
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


def months_outside(month: date, first: date, last: date) -> int:
    """How many months ``month`` lies before ``first`` or after ``last`` (0 within them): how far a ledger line
    is from the months a deduction claims, to offer the nearest lines first."""
    index = month.year * 12 + month.month
    low, high = first.year * 12 + first.month, last.year * 12 + last.month
    return max(low - index, index - high, 0)


# What a manual match may be that finance should see on the sheet after it (kept possible, never refused: a chain
# sometimes deducts a month late, or under another name): a line outside the months claimed, a line of another kind.
MATCH_OUTSIDE_PERIOD = "outside_period"
MATCH_OTHER_KIND = "other_kind"


def match_notes(*, deduction_kind: str, first: date, last: date, line_kind: str, line_month: date) -> list[str]:
    """What is unusual about matching a deduction (its kind, the months it claims) to a line (its kind, month)."""
    notes = []
    if months_outside(line_month, first, last):
        notes.append(MATCH_OUTSIDE_PERIOD)
    if DEDUCTION_SPEND_KIND.get(deduction_kind, deduction_kind) != line_kind:
        notes.append(MATCH_OTHER_KIND)
    return notes


def check_month_open(day: date, closed_months: set[date] | frozenset[date], *, field: str = "date") -> None:
    """Refuse a record dated in a month finance has closed: its figures never change (item 4). Months close in order
    from the books' first (tradespend.closing), so a day before the last closed month is refused too, closed or not:
    a record back-dated before the first closed month would open a month that could never close, and every later
    close would wait for it. ``closed_months``: every closed month, or at least those from the day's month on."""
    month = month_start(day)
    if month in closed_months:
        raise DomainError(
            "month.closed",
            _("%(month)s is closed: nothing dated in it can be recorded or changed; record it in an open month."),
            field=field,
            month=f"{day:%Y-%m}",
        )
    last = max(closed_months, default=None)
    if last is not None and month < last:
        raise DomainError(
            "month.closed",
            _(
                "%(month)s is before %(last)s, a closed month: months close in order, so nothing dated before a "
                "closed month can be recorded; record it in an open month."
            ),
            field=field,
            month=f"{day:%Y-%m}",
            last=f"{last:%Y-%m}",
        )


# --- matching (issue 12 item 5): deduction states and the tolerance ----------------------------------------------


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
        return "duplicate", ZERO
    due = amount - recovered
    if matched_sum <= 0 or due <= 0:
        return "unsupported", ZERO
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


# --- accruals (费用计提), issue 12 item 4: schedules, tiers, plan costs, the true-up month ------------------------
# Whole months throughout: a term touching any day of a month accrues that whole month.


def validity_months(valid_from: date, valid_to: date, last_month: date) -> list[date]:
    """The months a term's validity overlaps (whole months), up to ``last_month`` (never a later one)."""
    return months_between(valid_from, min(month_start(valid_to), month_start(last_month)))


def term_accrues_until(valid_to: date, terminated_on: date | None) -> date:
    """The last day a contract term accrues: its own end, or its contract's termination date when that comes first
    (a terminated contract's terms accrue nothing after it; the month it falls in is accrued whole, as every month a
    term touches is)."""
    return valid_to if terminated_on is None else min(valid_to, terminated_on)


def term_accrues_through(valid_to: date, terminated_on: date | None) -> date:
    """The last day of the months a contract term pays for: its own end, or — its contract terminated before — the
    last day of the termination month (that month whole, as every month a term touches; nothing after it). What reads
    a term by the day (a listing's fee by its listing day, a display agreement's period) reads it up to this day, so
    it pays for the same months its accruals do (term_accrues_until)."""
    if terminated_on is None:
        return valid_to
    return min(valid_to, add_months(month_start(terminated_on), 1) - timedelta(days=1))


def fixed_fee_months(*, period: str, valid_from: date, valid_to: date, last_month: date) -> list[date]:
    """The months a fixed fee falls due, up to ``last_month``: every month of validity (period "month"); the
    first month of each calendar quarter overlapping validity, or validity's first month when the quarter began
    before it ("quarter"); validity's first month and every 12 months after ("year"); valid_from's month
    ("once")."""
    months = months_between(valid_from, valid_to)
    if period == "quarter":
        first = month_start(valid_from)
        months = [m for m in months if m == first or m.month in (1, 4, 7, 10)]
    elif period == "year":
        months = months[::12]
    elif period == "once":
        months = months[:1]
    return [m for m in months if m <= month_start(last_month)]


def achievement_percent(sell_in: Decimal, target: Decimal) -> Decimal | None:
    """Sell-in ÷ target × 100, two places cut down (never up: 49.995 % is 49.99 %, not the 50 % a tier asks for);
    None without a target (0 or none set)."""
    if not target:
        return None
    return (Decimal(sell_in) / Decimal(target) * 100).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)


def tier_rate(tiers: list[dict], achievement: Decimal | None) -> tuple[Decimal, Decimal | None]:
    """The rate of the tier an achievement reaches, and that tier's threshold (None: below every tier → rate 0).
    Without an achievement (no target) the lowest tier applies."""
    ordered = sorted(tiers or [], key=lambda t: Decimal(t["achievement"]))
    if not ordered:
        return Decimal(0), None
    if achievement is None:
        return Decimal(ordered[0]["rate"]), Decimal(ordered[0]["achievement"])
    reached = [t for t in ordered if Decimal(t["achievement"]) <= achievement]
    if not reached:
        return Decimal(0), None
    return Decimal(reached[-1]["rate"]), Decimal(reached[-1]["achievement"])


def percent_of(amount: Decimal, rate: Decimal) -> Decimal:
    """rate % of amount, in money (half up); never below 0 (a month whose credit notes outweigh its invoices
    accrues nothing)."""
    value = (Decimal(amount) * Decimal(rate) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return max(value, Decimal("0.00"))


def plan_spend(
    *, dm_fee, tg_fee, promoter_fee, gift_cost, price_support, supply_funding, evaluated_total=None
) -> dict[str, Decimal]:
    """A plan's spend by SpendKind (PLAN_SPEND_KIND). Forecast (no evaluation): the planned fees and costs.
    Actual (``evaluated_total`` given): the DM, TG and promoter fees as planned, and PROMOTION = the evaluation's
    total cost less those fees, never below 0. Zero amounts are left out."""
    fees = {"dm": Decimal(dm_fee or 0), "end_cap": Decimal(tg_fee or 0), "promoter": Decimal(promoter_fee or 0)}
    if evaluated_total is None:
        promotion = Decimal(gift_cost or 0) + Decimal(price_support or 0) + Decimal(supply_funding or 0)
    else:
        promotion = max(Decimal(evaluated_total) - sum(fees.values()), Decimal(0))
    spend = {**fees, "promotion": promotion}
    return {kind: amount.quantize(Decimal("0.01")) for kind, amount in spend.items() if amount}


def plan_cost(plan, evaluated_total: Decimal | None = None, promoter_pay: Decimal | None = None) -> Decimal:
    """What the ledger books for ``plan`` in all (plan_spend): with ``promoter_pay`` (the pay for its shifts,
    promoter_pay.plan_promoter_pay), that instead of the planned promoter fee, as tradespend/accruals.py books it.
    The plan page, its API detail and the promotion expense report read their totals here."""
    spend = plan_spend(
        dm_fee=plan.dm_fee,
        tg_fee=plan.tg_fee,
        promoter_fee=plan.promoter_fee,
        gift_cost=plan.gift_cost,
        price_support=plan.price_support,
        supply_funding=plan.supply_funding,
        evaluated_total=evaluated_total,
    )
    if promoter_pay is not None:
        spend["promoter"] = Decimal(promoter_pay)
    return sum(spend.values(), Decimal("0.00"))


def true_up_month(closed_months) -> date | None:
    """Where what closed months owe lands: the first month after the last closed month — as_of's month or an
    earlier one while it is open; the month after as_of's when as_of's month is itself closed. None when nothing
    is closed."""
    if not closed_months:
        return None
    return add_months(max(month_start(m) for m in closed_months), 1)


ADJUSTMENT_REASON_MAX_LENGTH = 200


def adjustment_reason(reason: str | None) -> str:
    """An adjustment says why (the ledger's only hand-typed lines): required, at most 200 characters."""
    reason = check_text_length(reason, limit=ADJUSTMENT_REASON_MAX_LENGTH, code="reason.too_long", field="reason")
    if not reason:
        raise DomainError("adjustment.needs_reason", _("Give the reason for the adjustment."), field="reason")
    return reason


def adjustment_amount(amount) -> Decimal:
    """An adjustment's amount in money (two places): above zero adds spend, below zero takes it back; never 0."""
    try:
        value = Decimal(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (TypeError, ArithmeticError, ValueError):
        value = None
    if value is None or not value.is_finite() or value == 0:
        raise DomainError(
            "adjustment.amount_zero",
            _("An adjustment needs an amount other than 0 (negative takes spend back)."),
            field="amount",
        )
    return value


# --- remittances (item 6, helper remit) -------------------------------------------------------------------------


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
    return claimed_months(start, start, end, field="period")


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
