"""The sell-out selectors (promoters/sellout_selectors.py): by store × product over days, by plan, by account and
month — values from the price seen else the shelf price, each in a fixed number of queries — and the sell-out
columns of the promotion-expense analysis."""

from datetime import date
from decimal import Decimal

import pytest

from promoters.models import SellOutLine
from promoters.sellout_selectors import plan_sell_out, sell_out_by_account_month, sell_out_by_store_product
from promotions.evaluation import StoreSellOut
from promotions.models import PromotionEvaluation, PromotionItem, PromotionPlan
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory
from tests.promotions.factories import PromotionPlanFactory

from .factories_numbers import sold, sold_daily

pytestmark = pytest.mark.django_db

JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)


@pytest.fixture
def world():
    a, b, c = (KeyAccountFactory(code=code) for code in ("A", "B", "C"))
    a1, b1, c1 = StoreFactory(account=a), StoreFactory(account=b), StoreFactory(account=c)
    beer, chips = ProductFactory(code="BEER"), ProductFactory(code="CHIPS")
    ListingFactory(store=a1, product=beer, shelf_price=Decimal("3.00"))
    sold(a1, beer, date(2025, 1, 2), 10, price=Decimal("2.00"), shelf_stock=40)  # 20.00
    sold(a1, beer, date(2025, 1, 31), 5, shelf_stock=30)  # shelf price: 15.00
    sold(a1, chips, date(2025, 1, 31), 4)  # no price, not listed: 0.00
    sold(a1, beer, date(2025, 2, 1), 5, shelf_stock=None)  # 15.00
    sold(b1, beer, date(2025, 1, 3), 7, price=Decimal("1.00"))
    sold(c1, beer, date(2025, 3, 3), 9, price=Decimal("1.00"))  # after February
    return a, b, c, a1, beer, chips


def test_by_store_and_product_over_days(world, django_assert_num_queries):
    a, _b, _c, a1, beer, chips = world
    with django_assert_num_queries(1):
        rows = sell_out_by_store_product(SellOutLine.objects.all(), start=JAN, end=date(2025, 1, 31), stores=[a1])
    assert [(r.product_code, r.units, r.value, r.days, r.shelf_stock, r.shelf_stock_on) for r in rows] == [
        ("BEER", 15, Decimal("35.00"), 2, 30, date(2025, 1, 31)),
        ("CHIPS", 4, Decimal("0.00"), 1, None, None),
    ]
    # the shelf stock last seen is the newest one reported: February's line has none, January's 30 stands
    rows = sell_out_by_store_product(SellOutLine.objects.all(), start=JAN, end=FEB, stores=[a1], products=[beer])
    assert [(r.units, r.shelf_stock) for r in rows] == [(20, 30)]


def test_by_account_and_month(world, django_assert_num_queries):
    a, b, c, *_ = world
    with django_assert_num_queries(1):
        rows = sell_out_by_account_month(
            SellOutLine.objects.all(), accounts=[a, b, c], month_from=JAN, month_to=date(2025, 2, 15)
        )
    assert [(r.account_id, r.month, r.units, r.value, r.stores) for r in rows] == [
        (a.pk, JAN, 19, Decimal("35.00"), 1),
        (a.pk, FEB, 5, Decimal("15.00"), 1),
        (b.pk, JAN, 7, Decimal("7.00"), 1),
    ]


def test_plan_sell_out_for_many_plans_in_five_queries(django_assert_num_queries):
    chain = KeyAccountFactory()
    beer = ProductFactory()
    plans = []
    for n in range(4):
        store = StoreFactory(account=chain)
        start = date(2025, 3, 1 + 5 * n)
        plan = PromotionPlanFactory(account=chain, all_stores=n % 2 == 0, start_on=start, end_on=start)
        if n % 2:
            plan.stores.set([store])
        PromotionItem.objects.create(plan=plan, product=beer, normal_price=5, promotion_price=4)
        sold(store, beer, start, 10 + n)
        sold(store, beer, date(2025, 2, 28) if n == 0 else date(2025, 3, 5 * n), 2)  # the day before
        plans.append(plan)
    with django_assert_num_queries(5):
        result = plan_sell_out(plans)
    # the whole chain's plan: only store 0 reported in its windows (1 March, and 28 February before it)
    assert result[plans[0].pk] == [StoreSellOut(10, Decimal("0.00"), 1, 2, 1)]
    # a plan of one chosen store: its own reports only (no price seen, not listed: valued 0)
    assert result[plans[1].pk] == [StoreSellOut(11, Decimal("0.00"), 1, 2, 1)]


# --- promotion expense ------------------------------------------------------------------------------------------


def test_promotion_expense_carries_the_sell_out(api_client, finance, manager):
    """March 2026. A running plan (cost: its 1,000 DM fee) sold 10 days × 30 beer at store S against 10 days × 10
    before; an evaluated one keeps 100 packs in 10 store-days against 50 in 10 and cost 500. Together: 400 packs
    in 20 store-days against 150 in 20 → uplift 400 ÷ 150 − 1 = 1.6667, 250 extra packs, 1,500 ÷ 250 = 6.00."""
    chain = KeyAccountFactory(owner=manager)
    store = StoreFactory(account=chain)
    beer = ProductFactory()
    running = PromotionPlanFactory(
        account=chain, status=PromotionPlan.Status.RUNNING, start_on=date(2026, 3, 1), end_on=date(2026, 3, 10),
        dm_fee=Decimal("1000.00"), total_cost=Decimal("1000.00"),
    )  # fmt: skip
    PromotionItem.objects.create(plan=running, product=beer, normal_price=5, promotion_price=4)
    sold_daily(store, beer, date(2026, 3, 1), 10, 30)
    sold_daily(store, beer, date(2026, 2, 19), 10, 10)
    evaluated = PromotionPlanFactory(
        account=chain, status=PromotionPlan.Status.EVALUATED, start_on=date(2026, 3, 20), end_on=date(2026, 3, 29)
    )
    PromotionEvaluation.objects.create(
        plan=evaluated, days=10, sales_units=0, sales_amount=0, baseline_units=0, baseline_amount=0,
        total_cost=Decimal("500.00"), sell_out_units=100, sell_out_amount=Decimal("500.00"), sell_out_store_days=10,
        sell_out_compared_units=100, sell_out_compared_days=10, sell_out_baseline_units=50,
        sell_out_baseline_days=10,
    )  # fmt: skip
    api_client.force_authenticate(finance)
    body = api_client.get("/api/v1/reports/promotion-expense-ratio/", {"from": "2026-03", "to": "2026-03"}).json()
    total = body["total"]
    assert total["cost"] == "1500.00"
    assert (total["sell_out_units"], total["sell_out_uplift"]) == (400, "1.6667")
    assert (total["sell_out_incremental_units"], total["sell_out_cost_per_incremental_unit"]) == (250, "6.00")
