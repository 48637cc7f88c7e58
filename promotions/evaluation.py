"""Promotion evaluation (SPEC §5): the figures from sell-in during and before the promotion, and (issue 16) from
the sell-out promoters report at its stores. Pure."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ka_portal.money import CENT

RATIO = Decimal("0.0001")


def days_through(start_on: date, end_on: date, through: date) -> int:
    """The days of a promotion from its start through ``through`` (inclusive), capped at its end: 0 before it
    starts. A running plan's figures "so far" are of these days against as many days just before its start."""
    return max(0, min((end_on - start_on).days + 1, (through - start_on).days + 1))


def plan_cost_so_far(plan, *, days: int, funding: Decimal, promoter_pay: Decimal | None = None) -> Decimal:
    """A plan's cost spent over its first ``days``, what its figures so far weigh against its sales so far. The costs
    no record dates (fees, gifts, price support, a planned promoter fee: a plan holds them as totals) are spread
    evenly over the plan's days: the share of its days so far (cost × days so far ÷ plan days, to the cent). What is
    dated counts to date as it is: ``funding``, the supply price funding on the packs sold in so far, and with
    ``promoter_pay`` (its shifts' pay so far, as the ledger books it) that instead of the planned promoter fee. On
    its last day and after: the whole cost. The plan page, the API and the promotion expense report read a running
    plan's cost here."""
    undated = plan.total_cost - plan.supply_funding
    dated = Decimal(funding)
    if promoter_pay is not None:
        undated -= plan.promoter_fee
        dated += Decimal(promoter_pay)
    if days < plan.days:
        undated = (undated * days / plan.days).quantize(CENT, rounding=ROUND_HALF_UP)
    return undated + dated


@dataclass(frozen=True)
class Evaluation:
    days: int
    sales_units: int
    sales_amount: Decimal
    baseline_units: int  # sold in the same number of days just before the start
    baseline_amount: Decimal
    total_cost: Decimal
    supply_funding: Decimal = Decimal("0.00")  # on the packs actually sold in; part of total_cost
    sell_out: "SellOutEvaluation | None" = None  # what shoppers bought, where promoters reported (issue 16)
    # the cost of what has begun, that payback weighs: None, all of total_cost; a plan yet to start, 0
    begun_cost: Decimal | None = None
    # the last day counted when the figures are a running plan's so far (preliminary); None: the whole period
    through: date | None = None

    @property
    def baseline_daily_units(self) -> Decimal:
        return (Decimal(self.baseline_units) / self.days).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def incremental_units(self) -> int:
        return self.sales_units - self.baseline_units

    @property
    def uplift(self) -> Decimal | None:
        """Extra packs over the baseline, as a share of the baseline; None without a baseline."""
        if self.baseline_units <= 0:
            return None
        return (Decimal(self.incremental_units) / self.baseline_units).quantize(RATIO, rounding=ROUND_HALF_UP)

    @property
    def begun(self) -> Decimal:
        """The cost the ratios weigh against the sales: all of it, or of a sum of plans (a report's group) only that
        of the plans begun — one yet to start has sold nothing yet to set its cost against."""
        return self.total_cost if self.begun_cost is None else self.begun_cost

    @property
    def cost_per_incremental_unit(self) -> Decimal | None:
        """None when the promotion sold no extra pack: the cost bought nothing to divide by."""
        if self.incremental_units <= 0:
            return None
        return (self.begun / self.incremental_units).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def expense_ratio(self) -> Decimal | None:
        """费用率 = promotion cost ÷ sales in the period."""
        if self.sales_amount <= 0:
            return None
        return (self.begun / self.sales_amount).quantize(RATIO, rounding=ROUND_HALF_UP)

    @property
    def incremental_amount(self) -> Decimal:
        """Sell-in over the baseline's: what the extra packs brought in."""
        return self.sales_amount - self.baseline_amount

    @property
    def payback(self) -> Decimal | None:
        """Incremental sell-in ÷ the cost of what has begun (1 pays the cost back); None when that cost nothing,
        as for a plan yet to start: no figure, not a payback of 0."""
        cost = self.begun
        if cost <= 0:
            return None
        return (self.incremental_amount / cost).quantize(RATIO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class StoreSellOut:
    """One store's sell-out of a plan's products as promoters reported it: during the plan, and in the baseline
    (the same number of days just before its start). ``days`` are the store-days with a report (any product)."""

    units: int
    amount: Decimal
    days: int
    baseline_units: int
    baseline_days: int


@dataclass(frozen=True)
class SellOutEvaluation:
    """The plan's sell-out (packs sold to shoppers) beside its sell-in.

    Promoters do not report every day at every store, so totals of the two windows would compare different
    numbers of reports: a store whose promoter came only for the promotion, or a week without reports before it,
    would fake an uplift. The comparison is therefore of **average daily sell-out per reported store-day**, on the
    stores that reported both during the plan and in its baseline (the *compared* stores):

    - daily = compared_units ÷ compared_days; baseline daily = baseline_units ÷ baseline_days;
    - uplift = daily ÷ baseline daily − 1;
    - incremental packs = compared_units − baseline daily × compared_days (the extra packs over what the same
      reported store-days sell at the baseline's rate), rounded half up;
    - cost per incremental pack sold to shoppers = the plan's total cost ÷ incremental packs. The cost is the whole
      plan's while the extra packs are only those seen where promoters reported: where not every store reports, it
      is an upper bound.

    ``units`` and ``amount`` are everything reported during the plan at its stores (compared or not).
    """

    units: int
    amount: Decimal
    store_days: int  # store-days reported during the plan, every store
    compared_units: int  # of the compared stores, during the plan
    compared_days: int
    baseline_units: int  # of the compared stores, in the baseline
    baseline_days: int
    total_cost: Decimal

    @classmethod
    def of(cls, stores: Iterable[StoreSellOut], total_cost: Decimal) -> "SellOutEvaluation":
        units = days = compared_units = compared_days = baseline_units = baseline_days = 0
        amount = Decimal("0.00")
        for store in stores:
            units += store.units
            amount += store.amount
            days += store.days
            if store.days > 0 and store.baseline_days > 0:
                compared_units += store.units
                compared_days += store.days
                baseline_units += store.baseline_units
                baseline_days += store.baseline_days
        return cls(
            units, amount, days, compared_units, compared_days, baseline_units, baseline_days, Decimal(total_cost)
        )

    @property
    def reported(self) -> bool:
        """Any sell-out reported at the plan's stores during it."""
        return self.store_days > 0

    @property
    def compared(self) -> bool:
        """Some store reported both during the plan and before it: there is something to compare."""
        return self.compared_days > 0 and self.baseline_days > 0

    @property
    def daily_units(self) -> Decimal | None:
        """Packs sold per reported store-day during the plan (compared stores)."""
        if not self.compared:
            return None
        return (Decimal(self.compared_units) / self.compared_days).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def baseline_daily_units(self) -> Decimal | None:
        if not self.compared:
            return None
        return (Decimal(self.baseline_units) / self.baseline_days).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def incremental_units(self) -> int | None:
        """Extra packs sold to shoppers over the baseline's daily rate; None with nothing to compare."""
        if not self.compared:
            return None
        expected = Decimal(self.baseline_units) * self.compared_days / self.baseline_days
        return int((self.compared_units - expected).quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def uplift(self) -> Decimal | None:
        """Daily sell-out during ÷ before − 1; None with nothing to compare or nothing sold before."""
        if not self.compared or self.baseline_units <= 0:
            return None
        ratio = Decimal(self.compared_units * self.baseline_days) / (self.baseline_units * self.compared_days)
        return (ratio - 1).quantize(RATIO, rounding=ROUND_HALF_UP)

    @property
    def cost_per_incremental_unit(self) -> Decimal | None:
        """None when shoppers bought no extra pack (or nothing could be compared)."""
        extra = self.incremental_units
        if extra is None or extra <= 0:
            return None
        return (self.total_cost / extra).quantize(CENT, rounding=ROUND_HALF_UP)

    def __add__(self, other: "SellOutEvaluation") -> "SellOutEvaluation":
        """Several plans together: the sums, so the ratios are of the sums (not an average of ratios)."""
        return SellOutEvaluation(
            self.units + other.units,
            self.amount + other.amount,
            self.store_days + other.store_days,
            self.compared_units + other.compared_units,
            self.compared_days + other.compared_days,
            self.baseline_units + other.baseline_units,
            self.baseline_days + other.baseline_days,
            self.total_cost + other.total_cost,
        )


NO_SELL_OUT = SellOutEvaluation(0, Decimal("0.00"), 0, 0, 0, 0, 0, Decimal("0.00"))
