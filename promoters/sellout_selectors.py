"""Reads of the sell-out promoters report (issue 16, "sell-out in the numbers"): packs sold to shoppers and their
value by store × product over days, by promotion plan (during it and in its baseline), by account and month, and a
chain's summary against sell-in. Set-based: each function runs a fixed number of grouped queries, whatever the
number of stores, products, days or plans.

A line's value is its packs × the price the promoter saw on the shelf, else the listing's shelf price, else 0.
Callers pass the lines to read: ``ka_portal.scope.sell_out_for(user)`` for a person's page, all lines for a company
figure (a promotion's evaluation, like its sell-in).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth

from ka_portal.money import CENT, MONEY_TOTAL, money_sum
from promotions.evaluation import StoreSellOut, days_through
from promotions.selectors import plan_reach
from stores.models import Delivery, Listing
from tradespend.rules import add_months

from .models import SellOutLine

# Packs × a price, and sums of them over many lines (as stores.selectors values sell-in).


def shelf_price_seen():
    """A line's price per pack: the price the promoter saw, else the listing's shelf price at that store."""
    listed = Listing.objects.filter(store_id=OuterRef("shift__store_id"), product_id=OuterRef("product_id")).values(
        "shelf_price"
    )[:1]
    return Coalesce(F("price_seen"), Subquery(listed), Decimal("0"), output_field=MONEY_TOTAL)


def sell_out_value():
    """packs × price per pack (``shelf_price_seen``), in CNY, as a database expression."""
    return ExpressionWrapper(F("units") * shelf_price_seen(), output_field=MONEY_TOTAL)


def lines_between(lines: QuerySet, start: date, end: date) -> QuerySet:
    """The lines of shifts on the days start…end (inclusive)."""
    return lines.filter(shift__day__gte=start, shift__day__lte=end)


@dataclass(frozen=True)
class StoreProductSellOut:
    store_id: int
    product_id: int
    product_code: str
    product_name: str
    packs_per_case: int
    units: int
    value: Decimal
    days: int  # days with a line of this product at this store
    shelf_stock: int | None  # the newest shelf stock at close reported in the range
    shelf_stock_on: date | None


def sell_out_by_store_product(
    lines: QuerySet, *, start: date, end: date, stores=None, products=None
) -> list[StoreProductSellOut]:
    """Sell-out per store × product over the days start…end (optionally of some stores and products), with the
    shelf stock last seen in the range. One query; rows by store, then product code."""
    lines = lines_between(lines, start, end)
    if stores is not None:
        lines = lines.filter(shift__store__in=stores)
    if products is not None:
        lines = lines.filter(product__in=products)
    newest = (
        lines.filter(
            shift__store_id=OuterRef("shift__store_id"), product_id=OuterRef("product_id"), shelf_stock__isnull=False
        )
        .order_by("-shift__day", "-reported_at", "-pk")
        .values("shelf_stock", "shift__day")[:1]
    )
    rows = (
        lines.values("shift__store_id", "product_id", "product__code", "product__name", "product__packs_per_case")
        .annotate(
            packs=Sum("units"),
            value=money_sum(sell_out_value()),
            days=Count("shift__day", distinct=True),
            shelf_stock=Subquery(newest.values("shelf_stock"), output_field=IntegerField()),
            shelf_stock_on=Subquery(newest.values("shift__day")),
        )
        .order_by("shift__store_id", "product__code")
    )
    return [
        StoreProductSellOut(
            store_id=row["shift__store_id"],
            product_id=row["product_id"],
            product_code=row["product__code"],
            product_name=row["product__name"],
            packs_per_case=row["product__packs_per_case"],
            units=row["packs"] or 0,
            value=(row["value"] or Decimal("0")).quantize(CENT),
            days=row["days"],
            shelf_stock=row["shelf_stock"],
            shelf_stock_on=row["shelf_stock_on"],
        )
        for row in rows
    ]


def plan_sell_out(plans, *, through: date | None = None, reach=None) -> dict[int, list[StoreSellOut]]:
    """Each plan's sell-out per store (promotions.evaluation.StoreSellOut): its products' packs and value sold at
    its stores during it and in its baseline (the same number of days just before the start), and at each store the
    days with a report (a line of any product: a promoter who reported that day). A store without any report in
    either window is left out. All lines (a company figure, like the evaluation's sell-in). With ``through``, a
    plan's days only through then (promotions.evaluation.days_through) against as many days before its start.

    Five queries whatever the number of plans: ``plan_reach``'s three (none with the plans' ``reach`` given), the
    plans' products grouped by store and day, and the reported store-days."""
    plans = list(plans)
    if not plans:
        return {}
    reach = plan_reach(plans) if reach is None else reach
    first = min(plan.start_on - timedelta(days=plan.days) for plan in plans)
    last = max(plan.end_on for plan in plans)
    covered = lines_between(SellOutLine.objects.filter(reach.covered("shift__store")), first, last)
    sold: dict[tuple[int, int], list[tuple[date, int, Decimal]]] = defaultdict(list)
    for store_id, product_id, day, units, value in (
        covered.filter(product__in=reach.all_products)
        .values("shift__store_id", "product_id", "shift__day")
        .annotate(packs=Sum("units"), value=money_sum(sell_out_value()))
        .order_by()
        .values_list("shift__store_id", "product_id", "shift__day", "packs", "value")
    ):
        sold[store_id, product_id].append((day, units or 0, value or Decimal("0")))
    reported: dict[int, set[date]] = defaultdict(set)
    for store_id, day in covered.values_list("shift__store_id", "shift__day").distinct().order_by():
        reported[store_id].add(day)
    result: dict[int, list[StoreSellOut]] = {}
    for plan in plans:
        length = plan.days if through is None else days_through(plan.start_on, plan.end_on, through)
        before, last_day = plan.start_on - timedelta(days=length), plan.start_on + timedelta(days=length - 1)
        stores = []
        # a store without any report is left out (below): only those with one are looked at (a whole chain's plan
        # covers its hundreds of stores, a few with promoters)
        for store_id in sorted(reach.stores[plan.pk] & reported.keys()):
            days = sum(1 for day in reported.get(store_id, ()) if plan.start_on <= day <= last_day)
            baseline_days = sum(1 for day in reported.get(store_id, ()) if before <= day < plan.start_on)
            if not days and not baseline_days:
                continue
            units = baseline_units = 0
            value = Decimal("0")
            for product_id in reach.products[plan.pk]:
                for day, packs, amount in sold.get((store_id, product_id), ()):
                    if plan.start_on <= day <= last_day:
                        units += packs
                        value += amount
                    elif before <= day < plan.start_on:
                        baseline_units += packs
            stores.append(StoreSellOut(units, value.quantize(CENT), days, baseline_units, baseline_days))
        result[plan.pk] = stores
    return result


@dataclass(frozen=True)
class AccountMonthSellOut:
    account_id: int
    month: date  # the month's first day
    units: int
    value: Decimal
    stores: int  # stores with a report in the month


def sell_out_by_account_month(
    lines: QuerySet, *, accounts, month_from: date, month_to: date
) -> list[AccountMonthSellOut]:
    """Sell-out per key account and month for the whole months month_from…month_to (first days). One query."""
    end = add_months(month_to.replace(day=1), 1) - timedelta(days=1)
    rows = (
        lines_between(lines, month_from.replace(day=1), end)
        .filter(shift__store__account__in=accounts)
        .annotate(month=TruncMonth("shift__day"))
        .values("shift__store__account_id", "month")
        .annotate(packs=Sum("units"), value=money_sum(sell_out_value()), stores=Count("shift__store_id", distinct=True))
        .order_by("shift__store__account_id", "month")
    )
    return [
        AccountMonthSellOut(
            account_id=row["shift__store__account_id"],
            month=row["month"].date() if hasattr(row["month"], "date") else row["month"],
            units=row["packs"] or 0,
            value=(row["value"] or Decimal("0")).quantize(CENT),
            stores=row["stores"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class SellOutSummary:
    """A chain's (or any set of stores') sell-out over a period, beside the sell-in of the same stores."""

    units: int = 0
    value: Decimal = Decimal("0.00")
    stores: int = 0  # stores with a report in the period
    last_day: date | None = None
    sell_in_units: int = 0  # packs delivered in the period to the reporting stores, of the products reported

    @property
    def reported(self) -> bool:
        return self.stores > 0

    @property
    def sell_through(self) -> Decimal | None:
        """Sell-out ÷ sell-in in packs at the reporting stores (1 = shoppers bought as much as was delivered); None
        without deliveries."""
        if self.sell_in_units <= 0:
            return None
        return (Decimal(self.units) / self.sell_in_units).quantize(Decimal("0.0001"))


def sell_out_summary(lines: QuerySet, *, stores, start: date, end: date) -> SellOutSummary:
    """Sell-out at ``stores`` over start…end: packs, value, stores reporting, the last day reported, and the packs
    delivered in the same days to the stores that reported, of the products they reported (for the sell-out ÷
    sell-in ratio). Two queries, whatever the number of stores."""
    lines = lines_between(lines, start, end).filter(shift__store__in=stores)
    totals = lines.aggregate(
        packs=Sum("units"),
        value=money_sum(sell_out_value()),
        stores=Count("shift__store_id", distinct=True),
        last_day=Max("shift__day"),
    )
    sell_in = Delivery.objects.filter(
        store_id__in=lines.values("shift__store_id"),
        product_id__in=lines.values("product_id"),
        date__gte=start,
        date__lte=end,
    ).aggregate(units=Sum("quantity"))
    return SellOutSummary(
        units=totals["packs"] or 0,
        value=(totals["value"] or Decimal("0")).quantize(CENT),
        stores=totals["stores"],
        last_day=totals["last_day"],
        sell_in_units=sell_in["units"] or 0,
    )


RECENT_DAYS = 14


@dataclass(frozen=True)
class RecentSellOut:
    """A product's recent sell-out at one store, for the promoter's form: packs sold over the days read (0 when its
    lines reported none sold) and the newest price seen, if any."""

    units: int = 0
    price_seen: Decimal | None = None


def recent_at_store(lines: QuerySet, *, store, before: date, days: int = RECENT_DAYS) -> dict[int, RecentSellOut]:
    """Per product, what ``lines`` hold at ``store`` over the ``days`` days before ``before`` (that day not
    included): the packs sold and the newest price seen. One query."""
    rows = (
        lines_between(lines.filter(shift__store=store), before - timedelta(days=days), before - timedelta(days=1))
        .order_by("shift__day", "reported_at", "pk")
        .values_list("product_id", "units", "price_seen")
    )
    units: dict[int, int] = defaultdict(int)
    prices: dict[int, Decimal] = {}
    for product_id, sold, price in rows:
        units[product_id] += sold
        if price is not None:
            prices[product_id] = price  # the rows run oldest first: the newest price stays
    return {pk: RecentSellOut(units=units[pk], price_seen=prices.get(pk)) for pk in units}
