"""The suggested-order formula of SPEC §4, pure: numbers in, the suggestion (or a flag) out.

One function for the visit page, the API and the nightly job, so every place suggests the same.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

NO_PREVIOUS_COUNT = "no_previous_count"
NEGATIVE_SALES = "negative_sales"

# How the packs short become whole cases (settings.KA.order_rounding).
CASE_ROUNDING = {"up": ROUND_CEILING, "nearest": ROUND_HALF_UP, "down": ROUND_FLOOR}


@dataclass(frozen=True)
class Suggestion:
    actual_sales: int | None  # packs sold between the two counts
    safety_stock: int | None  # packs, rounded up
    suggested_packs: int  # what the store is short of, in packs (0 when nothing is suggested)
    suggested_cases: int  # the order: whole cases, rounded up
    flag: str = ""  # "", NO_PREVIOUS_COUNT or NEGATIVE_SALES: nothing suggested, look at the data


def _ceiling(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


def suggested_order(
    previous: int | None,
    delivered: int,
    current: int,
    packs_per_case: int,
    factor: Decimal | str,
    rounding: str = "up",
) -> Suggestion:
    """actual sales = previous + delivered − current; safety stock = sales × factor;
    suggested = safety stock − current, never below 0, ordered in whole cases (rounded up unless
    `rounding` says "nearest" or "down"; packs are always rounded up).

    All quantities are packs. With no previous count there is no sales figure: nothing is
    suggested and the pair is flagged; negative sales (stock grew more than the deliveries
    explain) is a data problem, flagged likewise.
    """
    if previous is None:
        return Suggestion(None, None, 0, 0, NO_PREVIOUS_COUNT)
    sales = previous + delivered - current
    if sales < 0:
        return Suggestion(sales, None, 0, 0, NEGATIVE_SALES)
    safety = Decimal(sales) * Decimal(str(factor))
    short = max(safety - current, Decimal(0))
    per_case = short / max(int(packs_per_case), 1)
    cases = int(per_case.to_integral_value(rounding=CASE_ROUNDING[rounding]))
    return Suggestion(sales, _ceiling(safety), _ceiling(short), cases)


@dataclass(frozen=True)
class Count:
    """A stock count of one store × product: a visit's, or (KA.promoter_stock_as_count "yes") a promoter's shelf
    stock at the close of a shift, timed at the check-out (else at the report)."""

    day: date
    at: datetime
    packs: int
    at_close: bool = False


def counts_read(counts: Iterable[Count]) -> tuple[Count | None, Count | None]:
    """The current and the previous count a suggestion is computed from, newest first.

    Deliveries are dated by day, so on a day with a close only that day's newest count (a visit's or the close's)
    stands; days without a close keep every visit's count. The nightly statement (visits/replenishment_job.py)
    does the same in SQL."""
    by_day: dict[date, list[Count]] = {}
    for count in counts:
        by_day.setdefault(count.day, []).append(count)
    kept = []
    for day_counts in by_day.values():
        newest_first = sorted(day_counts, key=lambda c: (c.at, not c.at_close), reverse=True)
        kept.extend(newest_first[:1] if any(c.at_close for c in day_counts) else newest_first)
    kept.sort(key=lambda c: (c.day, c.at, not c.at_close), reverse=True)
    return (kept[0] if kept else None), (kept[1] if len(kept) > 1 else None)
