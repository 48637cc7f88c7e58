"""Evaluation after the end, on a small known data set of deliveries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from promotions.models import PromotionPlan
from promotions.services import evaluation_figures, promotion_evaluate
from tests.factories import DeliveryFactory, StoreFactory

from .factories import PromotionItemFactory, PromotionPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ended_plan(world):
    # A 10-day promotion, 2026-05-11 – 05-20, of beer at the rep's store; total cost 300.00
    plan = PromotionPlanFactory(
        account=world.account, type=world.in_store, all_stores=False, owner=world.rep,
        start_on=date(2026, 5, 11), end_on=date(2026, 5, 20), status=PromotionPlan.Status.ENDED,
        total_cost=Decimal("300.00"),
    )  # fmt: skip
    plan.stores.set([world.store])
    PromotionItemFactory(plan=plan, product=world.beer)
    return plan


def deliver(world, day, quantity, unit_price=None, **extra):
    return DeliveryFactory(
        store=extra.get("store", world.store), product=extra.get("product", world.beer),
        date=day, quantity=quantity, unit_price=unit_price,
    )  # fmt: skip


def test_figures_on_a_known_data_set(world, ended_plan):
    # Given 100 packs in the 10 days before (2026-05-01 – 05-10) and 250 packs during, one valued at
    # the listing's purchase price (4.00) because it has no unit price
    deliver(world, date(2026, 5, 1), 60, Decimal("4.00"))
    deliver(world, date(2026, 5, 10), 40, Decimal("4.00"))
    deliver(world, date(2026, 5, 11), 150, Decimal("4.20"))
    deliver(world, date(2026, 5, 20), 100)
    # and deliveries that must not count: before the baseline, after the end, another store, another product
    deliver(world, date(2026, 4, 30), 999, Decimal("4.00"))
    deliver(world, date(2026, 5, 21), 999, Decimal("4.00"))
    deliver(world, date(2026, 5, 15), 999, Decimal("4.00"), store=StoreFactory(account=world.account))
    deliver(world, date(2026, 5, 15), 999, Decimal("4.00"), product=world.chips)

    # When the plan is evaluated
    evaluation = promotion_evaluate(plan=ended_plan, by=world.manager)

    # Then sales 250 packs = 150 × 4.20 + 100 × 4.00 = 1,030.00 against a baseline of 100 packs (10 a day)
    assert (evaluation.sales_units, evaluation.sales_amount) == (250, Decimal("1030.00"))
    assert (evaluation.baseline_units, evaluation.baseline_amount) == (100, Decimal("400.00"))
    assert evaluation_figures(ended_plan).baseline_daily_units == Decimal("10.00")
    # uplift (250 − 100) / 100 = 150 %; 300.00 / 150 extra packs = 2.00 a pack; 300 / 1,030 = 29.13 %
    assert evaluation.uplift == Decimal("1.5000")
    assert evaluation.cost_per_incremental_unit == Decimal("2.00")
    assert evaluation.expense_ratio == Decimal("0.2913")
    ended_plan.refresh_from_db()
    assert ended_plan.status == PromotionPlan.Status.EVALUATED


def test_no_baseline_and_no_extra_sales_leave_the_ratios_empty(world, ended_plan):
    deliver(world, ended_plan.start_on + timedelta(days=1), 10, Decimal("4.00"))
    figures = evaluation_figures(ended_plan)
    assert figures.uplift is None
    assert figures.cost_per_incremental_unit == Decimal("30.00")
    deliver(world, ended_plan.start_on - timedelta(days=1), 20, Decimal("4.00"))
    figures = evaluation_figures(ended_plan)
    assert figures.uplift == Decimal("-0.5000") and figures.cost_per_incremental_unit is None
