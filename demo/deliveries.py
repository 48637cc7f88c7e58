"""Demo deliveries sized to what a store sells: each listed product of each store sells at its own pace (cases a
day, by the store's grade and how well the product moves), and the distributor delivers it in whole cases.

An account's month of sell-in (SPEC §8's figure for January–May, a plausible one elsewhere) is shared out over
its stores' products by that pace. From a week before the demo's first week of visits up to yesterday, every
product comes on its store's delivery day, weekly, or every other week where a week's sales make less than
FINE_CASES: a few cases each time, what it sells until the next one. Older months keep to fewer rows (seeding
stays quick): about COARSE_CASES a delivery, a fast seller several times a month, a slow one every few months.
Whole cases leave a remainder of the month's amount; it comes as loose packs of the beers every store lists, so
each month still adds up to the cent.

demo/stock.py turns the recent deliveries into the stock the reps count.
"""

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db import connection

from stores.models import Delivery, Listing, Store

# Cases a day of one listed product, relative: an A store (a big hypermarket) sells five times what a C store sells.
GRADE_PACE = {"A": 1.0, "B": 0.5, "C": 0.2}
# How well each product moves, in cases a day relative to the others: the core beers and water move,
# gift boxes and the 1 L bottle don't. Products not named here: 0.6.
PRODUCT_PACE = {
    "P001": 1.2, "P002": 1.1, "P003": 1.0, "P004": 0.6, "P005": 0.4, "P006": 0.4, "P007": 0.25, "P008": 0.6,
    "P101": 0.8, "P102": 0.7, "P103": 0.6, "P104": 0.5, "P106": 0.2, "P107": 0.4, "P108": 0.35,
    "P201": 1.1, "P202": 1.0, "P203": 0.5, "P204": 0.9,
}  # fmt: skip
DEFAULT_PACE = 0.6
# Weeks of recent (weekly) deliveries before the first week of visits: most products have had one before the
# first count (demo/stock.py: before its first delivery a product keeps what is on the shelf).
LEAD_WEEKS = 1
FINE_CASES = 3  # a recent delivery is at least about this many cases: slower products come every other week
FINE_EVERY_WEEKS = 2
COARSE_CASES = 40  # an older delivery is a month's sales, or this many cases for a product that sells less
COARSE_EVERY_MONTHS = 4
REMAINDER_CODES = ("P001", "P002", "P003", "P004")  # listed in every demo store (demo/company.py _listings)
QUARTER = Decimal("0.25")  # every demo purchase price is a multiple of 0.25 CNY


def fine_window_start(first_visit_week: date) -> date:
    """The first day of weekly deliveries: LEAD_WEEKS before the Monday of the demo's first week of visits."""
    return first_visit_week - timedelta(weeks=LEAD_WEEKS)


@dataclass
class Pair:
    """One listed product of one store: how fast it sells and when it is delivered."""

    store: Store
    listing: Listing
    pace: float  # cases a day, relative to the account's other pairs
    case_value: Decimal  # one case at the store's purchase price
    weekday: int  # the store's delivery day
    every_weeks: int = 1  # recent deliveries: every this many weeks…
    week_phase: int = 0  # …counted from the window's start
    every_months: int = 1  # older deliveries: every this many months…
    month_phase: int = 0
    per_month: int = 1  # …or this many a month

    @property
    def packs_per_case(self) -> int:
        return self.listing.product.packs_per_case


@dataclass
class Slot:
    """A delivery to be: a pair on a day, its share of the month, then its whole cases."""

    pair: Pair
    day: date
    weight: float = 0.0  # an older delivery's share of its part of the month, by pace
    ideal: float = 0.0  # cases, before rounding
    cases: int = 0
    frac: float = 0.0
    extra_packs: dict = field(default_factory=dict)


class Row(NamedTuple):
    """A delivery to write: Delivery's columns."""

    store_id: int
    product_id: int
    date: date
    quantity: int
    unit_price: Decimal
    reference: str


class LoosePacks:
    """Packs of the beers every store lists that add up to an amount exactly, fewest packs first (coin change)."""

    LIMIT = 2000  # quarters of a yuan worked out exactly; above that, whole packs of the dearest beer come first

    def __init__(self, prices: dict[str, Decimal]) -> None:
        self.units = {code: int(price / QUARTER) for code, price in prices.items()}
        if any(QUARTER * n != prices[code] for code, n in self.units.items()):
            raise ValueError(f"loose packs need prices in multiples of {QUARTER} CNY: {prices}")
        self.best: list[tuple[int, str] | None] = [(0, "")] + [None] * self.LIMIT
        for total in range(1, self.LIMIT + 1):
            options = [
                (self.best[total - n][0] + 1, code)
                for code, n in self.units.items()
                if n <= total and self.best[total - n] is not None
            ]
            self.best[total] = min(options) if options else None
        self.dearest = max(self.units, key=self.units.get)

    def reachable(self, amount: Decimal) -> bool:
        units = int(amount / QUARTER)
        return units * QUARTER == amount and (units > self.LIMIT or self.best[units] is not None)

    def __call__(self, amount: Decimal) -> dict[str, int] | None:
        units = int(amount / QUARTER)
        if amount < 0 or units * QUARTER != amount:
            return None
        packs: dict[str, int] = {}
        if units > self.LIMIT:  # every amount this large is reachable: the dearest beer takes it down
            above = (units - self.LIMIT) // self.units[self.dearest] + 1
            packs[self.dearest] = above
            units -= above * self.units[self.dearest]
        if self.best[units] is None:
            return None
        while units:
            code = self.best[units][1]
            packs[code] = packs.get(code, 0) + 1
            units -= self.units[code]
        return packs


def account_pairs(
    stores: list[Store], listings: dict[int, list[Listing]], monthly_amount: Decimal, rng: random.Random
) -> list[Pair]:
    """Every listed product of the account's stores, with its pace and delivery rhythm for a month of
    `monthly_amount` (CNY): recently weekly where a week's sales make a delivery of FINE_CASES, else every other
    week; in older months about COARSE_CASES a delivery. Turns are spread so each week or month has its share."""
    pairs = []
    for store in stores:
        weekday = _number(store) % 6  # Monday to Saturday
        for listing in listings[store.id]:
            product = listing.product
            pace = GRADE_PACE[store.grade] * PRODUCT_PACE.get(product.code, DEFAULT_PACE) * rng.uniform(0.75, 1.25)
            case_value = listing.purchase_price * product.packs_per_case
            pairs.append(Pair(store=store, listing=listing, pace=pace, case_value=case_value, weekday=weekday))
    money_per_day = sum(float(p.case_value) * p.pace for p in pairs) or 1.0
    cases_per_pace_day = float(monthly_amount) / 30.4 / money_per_day
    for pair in sorted(pairs, key=lambda p: -p.pace):
        weekly = pair.pace * cases_per_pace_day * 7
        pair.every_weeks = min(FINE_EVERY_WEEKS, math.ceil(FINE_CASES / weekly)) if weekly > 0 else FINE_EVERY_WEEKS
        monthly = weekly * 30.4 / 7
        if monthly >= COARSE_CASES:
            pair.per_month = min(4, round(monthly / COARSE_CASES))
        else:
            pair.every_months = min(COARSE_EVERY_MONTHS, round(COARSE_CASES / monthly)) if monthly else 4
    turns: dict[tuple[str, int], int] = {}
    for pair in sorted(pairs, key=lambda p: -p.pace):  # in turn, fastest first: every week and month gets its share
        pair.week_phase = turns.setdefault(("week", pair.every_weeks), 0) % pair.every_weeks
        turns["week", pair.every_weeks] += 1
        pair.month_phase = turns.setdefault(("month", pair.every_months), 0) % pair.every_months
        turns["month", pair.every_months] += 1
    return pairs


def month_deliveries(
    pairs: list[Pair],
    year: int,
    month: int,
    amount: Decimal,
    *,
    window: date,
    last_day: date,
    rng: random.Random,
    loose: LoosePacks,
    listed: dict[tuple[int, str], Listing],
) -> list[Row]:
    """The account's deliveries of one month worth `amount` (a multiple of 100 CNY) to the cent; a month that
    `last_day` cuts short (this month, so far), what its days delivered at the same pace.

    Recent deliveries (from `window` on) each bring what the product sells until its next one; older ones share
    the rest of the month by pace. `listed`: each store's listings by product code, for the loose packs."""
    first = date(year, month, 1)
    month_end = date(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)
    end = min(month_end, last_day)
    if amount <= 0 or end < first:
        return []
    days = (month_end - first).days + 1
    older_end = min(end, window - timedelta(days=1))
    older = _older_slots(pairs, year, month, first, older_end, rng) if older_end >= first else []
    recent = _recent_slots(pairs, max(first, window), end, window) if end >= window else []
    money_per_day = sum(float(p.case_value) * p.pace for p in pairs) or 1.0
    per_pace_day = float(amount) / days / money_per_day  # cases a day for a pace of 1
    for slot in recent:
        slot.ideal = slot.pair.pace * slot.pair.every_weeks * 7 * per_pace_day
    recent_value = sum(slot.ideal * float(slot.pair.case_value) for slot in recent)
    older_days = max(0, (older_end - first).days + 1)
    if end < month_end:  # cut short: what its days delivered
        if not older and not recent:
            return []  # no delivery day yet (this month began on a Sunday, say)
        older_value = float(amount) * older_days / days
        amount = max(Decimal(100), Decimal(round((older_value + recent_value) / 100) * 100))
    elif older:
        older_value = max(float(amount) - recent_value, 0.0)
    else:  # the whole month recent: its amount over its deliveries
        older_value = 0.0
        for slot in recent:
            slot.ideal *= float(amount) / recent_value
    weights = sum(slot.weight * float(slot.pair.case_value) for slot in older)
    for slot in older:
        slot.ideal = older_value * slot.weight / weights
    slots = older + recent
    if not slots:  # no pair's turn this month: the whole month as loose packs at the first store
        slots = [Slot(pair=pairs[0], day=max(first, min(window, end)))]
    for slot in slots:
        slot.cases, slot.frac = int(slot.ideal), slot.ideal - int(slot.ideal)
    _round_to_amount(slots, amount, loose)
    return _rows(slots, listed)


def _older_slots(pairs, year, month, first, last, rng) -> list[Slot]:
    """A pair's deliveries in an older month: `per_month` of them spread over it, or one every `every_months`
    months (months counted from year 0), each on a day of the part."""
    index = year * 12 + month
    span = (last - first).days + 1
    slots = []
    for pair in pairs:
        if (index + pair.month_phase) % pair.every_months:
            continue
        start = rng.randrange(span)
        for n in range(pair.per_month):
            day = first + timedelta(days=(start + n * span // pair.per_month) % span)
            slots.append(Slot(pair=pair, day=day, weight=pair.pace * pair.every_months / pair.per_month))
    return slots


def _recent_slots(pairs, first, last, window) -> list[Slot]:
    """Each pair on its store's delivery day of every `every_weeks`-th week since the window's start."""
    slots = []
    for pair in pairs:
        day = first + timedelta(days=(pair.weekday - first.weekday()) % 7)
        while day <= last:
            if ((day - window).days // 7) % pair.every_weeks == pair.week_phase:
                slots.append(Slot(pair=pair, day=day))
            day += timedelta(days=7)
    return slots


def _round_to_amount(slots: list[Slot], amount: Decimal, loose: LoosePacks) -> None:
    """Whole cases (rounded down), topped up by a case where the fraction is largest while what is left can still
    be paid in loose packs; then what is left as loose packs, on the month's first delivery of a listed beer."""
    left = amount - sum(s.pair.case_value * s.cases for s in slots)
    for ordered in (sorted(slots, key=lambda s: -s.frac), sorted(slots, key=lambda s: s.pair.case_value)):
        for slot in ordered:
            rest = left - slot.pair.case_value
            if rest >= 0 and loose.reachable(rest):
                slot.cases += 1
                left = rest
    packs = loose(left)
    if packs is None:  # the loop above leaves only amounts that loose packs reach
        raise ValueError(f"{left} CNY cannot be delivered in loose packs")
    if packs:
        beers = [s for s in slots if s.pair.listing.product.code in loose.units] or slots
        min(beers, key=lambda s: s.day).extra_packs = packs


def _rows(slots: Iterable[Slot], listed: dict[tuple[int, str], Listing]) -> list[Row]:
    """One row per store, product and day (a delivery note per store and day)."""
    packs: dict[tuple[int, Listing, date], int] = {}
    for slot in slots:
        store = slot.pair.store
        wanted = [(slot.pair.listing, slot.cases * slot.pair.packs_per_case)]
        wanted += [(listed[store.pk, code], n) for code, n in slot.extra_packs.items()]
        for listing, n in wanted:
            if n > 0:
                key = (_number(store), listing, slot.day)
                packs[key] = packs.get(key, 0) + n
    return [
        Row(listing.store_id, listing.product_id, day, n, listing.purchase_price, f"DN{day:%Y%m%d}{number:04d}")
        for (number, listing, day), n in packs.items()
    ]


def insert(rows: list[Row], batch: int = 500) -> None:
    """Write the deliveries: a plain multi-row INSERT, a quarter of bulk_create's time for the demo's ~14,000 rows
    (they need none of its per-object work: no defaults, no signals, no ids back)."""
    ops = connection.ops
    columns = ", ".join(ops.quote_name(Delivery._meta.get_field(name).column) for name in Row._fields)
    price = Delivery._meta.get_field("unit_price")
    one = "(" + ", ".join(["%s"] * len(Row._fields)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            part = rows[start : start + batch]
            params = [
                value
                for row in part
                for value in (
                    row.store_id,
                    row.product_id,
                    ops.adapt_datefield_value(row.date),
                    row.quantity,
                    ops.adapt_decimalfield_value(row.unit_price, price.max_digits, price.decimal_places),
                    row.reference,
                )
            ]
            table = ops.quote_name(Delivery._meta.db_table)
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(part))}", params)  # noqa: S608


def _number(store: Store) -> int:
    """The store's number in the demo (ACC-042 → 42): the same in every database."""
    return int(store.code.rsplit("-", 1)[-1])
