"""Promotion evaluation (SPEC §5): the figures from sell-in during and before the promotion. Pure."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")


@dataclass(frozen=True)
class Evaluation:
    days: int
    sales_units: int
    sales_amount: Decimal
    baseline_units: int  # sold in the same number of days just before the start
    baseline_amount: Decimal
    total_cost: Decimal
    supply_funding: Decimal = Decimal("0.00")  # on the packs actually sold in; part of total_cost

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
    def cost_per_incremental_unit(self) -> Decimal | None:
        """None when the promotion sold no extra pack: the cost bought nothing to divide by."""
        if self.incremental_units <= 0:
            return None
        return (self.total_cost / self.incremental_units).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def expense_ratio(self) -> Decimal | None:
        """费用率 = promotion cost ÷ sales in the period."""
        if self.sales_amount <= 0:
            return None
        return (self.total_cost / self.sales_amount).quantize(RATIO, rounding=ROUND_HALF_UP)

    @property
    def incremental_amount(self) -> Decimal:
        """Sell-in over the baseline's: what the extra packs brought in."""
        return self.sales_amount - self.baseline_amount

    @property
    def payback(self) -> Decimal | None:
        """Incremental sell-in ÷ promotion cost (1 pays the cost back); None when the promotion cost nothing."""
        if self.total_cost <= 0:
            return None
        return (self.incremental_amount / self.total_cost).quantize(RATIO, rounding=ROUND_HALF_UP)
