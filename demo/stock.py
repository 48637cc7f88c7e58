"""The stock a demo rep counts, worked out from the store's deliveries, so that the suggested order (SPEC §4:
sales = previous count + delivered since − current count) finds sales the store could have made.

A store starts with a little stock it keeps back and sells each delivery over the days until the next one comes,
a little faster or slower than it came in: it may run out just before a delivery, or keep a few packs over. Sales
never go backwards and stock never below nothing, so two counts always give sales of zero or more. A few counts
are honestly wrong, as counts are: a rep counts a case twice (MISCOUNT_SHARE), and the suggested order flags it.
"""

import math
import random
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from stores.models import Delivery, Listing

MISCOUNT_SHARE = 0.03
KEEP_DAYS = {"A": (2.0, 4.0), "B": (3.0, 6.0), "C": (5.0, 9.0)}  # days of sales kept back, by store grade
RUNS_OUT_SHARE = 0.12  # products a store keeps no stock back for: they run out now and then before a delivery
# The demo's delivery notes (demo/deliveries.py). A promotion's extra stock (PROMO-…, demo/promotions.py, weeks
# before the first count) sold during the promotion: it is left out.
DELIVERY_PREFIX = "DN"


@dataclass(frozen=True)
class PairStock:
    """One product in one store: its deliveries (day, packs) since the model's start, oldest first."""

    deliveries: tuple[tuple[int, int], ...]  # (day ordinal, packs)
    keep: int  # packs on hand before the first delivery, which the store keeps back as it sells
    sell_through: tuple[float, ...]  # per delivery: how much of it sells by the next one (about 1)
    gap_days: float  # days from the last delivery to the next, expected

    def packs_at(self, moment: datetime) -> int:
        """The stock at a moment: every delivery dated that day or before is in (deliveries come before visits)."""
        local = timezone.localtime(moment)
        t = local.toordinal() + (local.hour + local.minute / 60) / 24
        stock = float(self.keep)
        for k, (start, packs) in enumerate(self.deliveries):
            if start > t:
                break
            last = k + 1 == len(self.deliveries)
            end = start + self.gap_days if last else self.deliveries[k + 1][0]
            stock += packs
            to_sell = packs * self.sell_through[k]
            if last or t < end:  # sells on at the same pace after the last delivery, until it runs out
                return max(0, math.floor(stock - to_sell * (t - start) / (end - start)))
            stock = max(0.0, stock - to_sell)
        return math.floor(stock)


def pair_stock(deliveries: list[tuple[date, int]], *, grade: str, seed: str) -> PairStock:
    """The stock model of one product in one store, the same every time for the same deliveries and seed. A store
    visited less often keeps more days of stock (KEEP_DAYS by grade)."""
    rng = random.Random(seed)
    days = [(day.toordinal(), packs) for day, packs in sorted(deliveries)]
    gaps = [b[0] - a[0] for a, b in zip(days, days[1:], strict=False)]
    gap = sorted(gaps)[len(gaps) // 2] if gaps else 14
    daily = sum(packs for _day, packs in days) / max(sum(gaps) + gap, 1) if days else 0
    if not days:  # nothing delivered lately, nothing sold: a few packs stay on the shelf
        keep = rng.randint(3, 20)
    elif rng.random() < RUNS_OUT_SHARE:
        keep = 0
    else:
        keep = math.floor(daily * rng.uniform(*KEEP_DAYS[grade]))
    return PairStock(
        deliveries=tuple(days),
        keep=keep,
        sell_through=tuple(rng.uniform(0.88, 1.12) for _ in days),
        gap_days=float(gap),
    )


def stock_models(store_ids, *, since: date) -> dict[tuple[int, int], PairStock]:
    """(store id, product id) → its stock model, from the demo deliveries dated `since` or later, for every listed
    product of the stores (one without deliveries keeps what is on the shelf)."""
    delivered: dict[tuple[int, int], list[tuple[date, int]]] = {}
    rows = Delivery.objects.filter(
        store_id__in=store_ids, date__gte=since, reference__startswith=DELIVERY_PREFIX
    ).values_list("store_id", "product_id", "date", "quantity")
    for store_id, product_id, day, packs in rows:
        delivered.setdefault((store_id, product_id), []).append((day, packs))
    listed = Listing.objects.filter(store_id__in=store_ids).values_list(
        "store_id", "product_id", "store__grade", "store__code", "product__code"
    )
    return {
        (store_id, product_id): pair_stock(
            delivered.get((store_id, product_id), []), grade=grade, seed=f"{store_code}-{product_code}"
        )
        for store_id, product_id, grade, store_code, product_code in listed
    }
