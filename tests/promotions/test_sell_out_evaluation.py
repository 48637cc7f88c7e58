"""Sell-out in the promotion evaluation (issue 16): packs sold to shoppers at the plan's stores as promoters reported
them, compared per reported store-day with the same number of days before the start, on the stores that reported
in both windows — worked by hand — kept by the evaluation, shown on the plan page beside sell-in and in the API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from promotions.evaluation import NO_SELL_OUT, SellOutEvaluation, StoreSellOut
from promotions.models import PromotionEvaluation, PromotionItem, PromotionPlan
from promotions.services import evaluation_figures, promotion_evaluate
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory
from tests.promoters.factories_numbers import sold, sold_daily
from tests.promotions.factories import PromotionPlanFactory

pytestmark = pytest.mark.django_db

START, END = date(2026, 3, 1), date(2026, 3, 10)  # ten days; the baseline is 19–28 February
BEFORE = date(2026, 2, 19)


@pytest.fixture
def example(manager):
    """Three stores of the chain report sell-out of the plan's beer (the chips are not in the plan):

    | store | during: days × packs/day     | before: days × packs/day | value during                    |
    |-------|------------------------------|--------------------------|---------------------------------|
    | A     | 10 × 30 = 300                | 5 × 10 = 50 (24–28 Feb)  | 300 × 4.50 seen = 1,350         |
    | B     | 8 × 20 = 160 (1–8 Mar)       | 10 × 10 = 100            | 160 × 5.00 shelf price = 800    |
    | C     | 10 × 20 = 200 (new promoter) | none                     | 200 × 4.00 seen = 800           |

    A and B reported in both windows (compared): 460 packs in 18 store-days = 25.56 a day, against 150 packs in
    15 store-days = 10.00 a day. Uplift 460·15 ÷ (150·18) − 1 = 1.5556; the extra packs are 460 − 10 × 18 = 280;
    the plan cost 1,400.00, so 5.00 per extra pack sold to shoppers. (Totals alone — 660 against 150 — would
    have said +340 %: C's promoter came only for the promotion and A missed half the days before it.)
    """
    chain = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    a, b, c = (StoreFactory(account=chain, code=code) for code in ("A", "B", "C"))
    beer, chips = ProductFactory(code="BEER"), ProductFactory(code="CHIPS")
    for store in (a, b, c):
        ListingFactory(store=store, product=beer, shelf_price=Decimal("5.00"))
    plan = PromotionPlanFactory(
        account=chain, title="三月啤酒", status=PromotionPlan.Status.ENDED, start_on=START, end_on=END,
        total_cost=Decimal("1400.00"), owner=manager,
    )  # fmt: skip
    PromotionItem.objects.create(plan=plan, product=beer, normal_price=Decimal("5.00"), promotion_price="4.50")
    sold_daily(a, beer, START, 10, 30, price=Decimal("4.50"))
    sold(a, chips, START, 99, price=Decimal("6.00"))  # not the plan's product
    sold_daily(a, beer, date(2026, 2, 24), 5, 10)
    sold_daily(b, beer, START, 8, 20)
    sold_daily(b, beer, BEFORE, 10, 10)
    sold_daily(c, beer, START, 10, 20, price=Decimal("4.00"))
    other = StoreFactory(code="ELSEWHERE")  # another chain's store: not the plan's
    sold_daily(other, beer, START, 10, 500)
    sold(a, beer, END + timedelta(days=1), 700)  # after the end
    sold(b, beer, BEFORE - timedelta(days=1), 700)  # before the baseline
    return plan


def test_the_sell_out_uplift_worked_by_hand(example):
    figures = evaluation_figures(example).sell_out
    assert (figures.units, figures.amount, figures.store_days) == (660, Decimal("2950.00"), 28)
    assert (figures.compared_units, figures.compared_days) == (460, 18)
    assert (figures.baseline_units, figures.baseline_days) == (150, 15)
    assert (figures.daily_units, figures.baseline_daily_units) == (Decimal("25.56"), Decimal("10.00"))
    assert figures.uplift == Decimal("1.5556")
    assert figures.incremental_units == 280
    assert figures.cost_per_incremental_unit == Decimal("5.00")


def test_the_evaluation_keeps_the_sell_out_beside_the_sell_in(example, manager):
    evaluation = promotion_evaluate(plan=example, by=manager)
    kept = PromotionEvaluation.objects.get(pk=evaluation.pk)
    assert (kept.sell_out_units, kept.sell_out_amount, kept.sell_out_store_days) == (660, Decimal("2950.00"), 28)
    assert (kept.sell_out_uplift, kept.sell_out_incremental_units) == (Decimal("1.5556"), 280)
    assert kept.sell_out_cost_per_incremental_unit == Decimal("5.00")
    assert kept.sell_out.uplift == Decimal("1.5556")  # the kept figures read back as the pure evaluation reads them
    assert kept.sales_units == 0 and kept.uplift is None  # no deliveries: the sell-in side is unchanged


def test_a_day_reported_with_other_products_only_is_a_day_the_plan_sold_nothing(example):
    """Store B's promoter reported on 9 and 10 March, but only chips: two more store-days with no beer sold."""
    b = example.account.stores.get(code="B")
    chips = ProductFactory._meta.model.objects.get(code="CHIPS")
    sold_daily(b, chips, date(2026, 3, 9), 2, 5)
    figures = evaluation_figures(example).sell_out
    assert (figures.compared_units, figures.compared_days) == (460, 20)
    assert figures.incremental_units == 460 - 200


def test_a_plan_of_chosen_stores_reads_only_those(example, manager):
    example.all_stores = False
    example.save()
    example.stores.set(example.account.stores.filter(code="B"))
    figures = evaluation_figures(example).sell_out
    assert (figures.units, figures.compared_days, figures.baseline_units) == (160, 8, 100)
    assert figures.uplift == Decimal("1.0000")  # 20 a day against 10


def test_the_plan_page_shows_sell_out_beside_sell_in(client, example, manager):
    promotion_evaluate(plan=example, by=manager)
    client.force_login(manager)
    page = client.get(reverse("promotions:plan-detail", args=[example.pk])).content.decode()
    evaluation = page[page.index('data-testid="evaluation"') :]
    sell_out = evaluation[evaluation.index('data-testid="sell-out"') :]
    assert "2,950.00" in sell_out and "660" in sell_out
    assert "155.56 %" in sell_out and "280" in sell_out and "5.00" in sell_out
    assert "25.56" in sell_out and "10.00" in sell_out


def test_a_plan_without_sell_out_says_so(client, manager):
    plan = PromotionPlanFactory(
        account=KeyAccountFactory(owner=manager), status=PromotionPlan.Status.ENDED, start_on=START, end_on=END
    )
    client.force_login(manager)
    page = client.get(reverse("promotions:plan-detail", args=[plan.pk])).content.decode()
    assert 'data-testid="no-sell-out"' in page and "未报告销量" in page
    kept = promotion_evaluate(plan=plan, by=manager)
    assert (kept.sell_out_units, kept.sell_out_uplift, kept.sell_out_incremental_units) == (0, None, None)


def test_the_api_gives_the_evaluation_with_its_sell_out(client, example, manager):
    client.force_login(manager)
    preliminary = client.get(f"/api/v1/promotions/{example.pk}/").json()["evaluation"]
    assert preliminary["evaluated"] is False and preliminary["sell_out"]["uplift"] == "1.5556"
    promotion_evaluate(plan=example, by=manager)
    body = client.get(f"/api/v1/promotions/{example.pk}/").json()["evaluation"]
    assert body["evaluated"] is True and body["sales_units"] == 0
    assert body["sell_out"] == {
        "reported": True, "units": 660, "amount": "2950.00", "store_days": 28, "compared_units": 460,
        "compared_days": 18, "baseline_units": 150, "baseline_days": 15, "daily_units": "25.56",
        "baseline_daily_units": "10.00", "uplift": "1.5556", "incremental_units": 280,
        "cost_per_incremental_unit": "5.00",
    }  # fmt: skip


@pytest.mark.parametrize(
    "stores, uplift, extra, per_pack",
    [
        # no store reported before the start: nothing to compare
        ([StoreSellOut(100, Decimal("500"), 10, 0, 0)], None, None, None),
        # reported before but sold none of the plan's products: extra packs, no ratio
        ([StoreSellOut(100, Decimal("500"), 10, 0, 10)], None, 100, Decimal("10.00")),
        # fewer packs a day than before: a negative uplift, no cost per extra pack
        ([StoreSellOut(50, Decimal("250"), 10, 100, 10)], Decimal("-0.5000"), -50, None),
        # 3 packs a day over 4 days vs 2 a day over 3 days: 12 − 2 × 4 = 4 extra
        ([StoreSellOut(12, Decimal("60"), 4, 6, 3)], Decimal("0.5000"), 4, Decimal("250.00")),
    ],
)
def test_the_comparison_on_edges(stores, uplift, extra, per_pack):
    figures = SellOutEvaluation.of(stores, Decimal("1000.00"))
    assert (figures.uplift, figures.incremental_units, figures.cost_per_incremental_unit) == (uplift, extra, per_pack)


def test_several_plans_add_up_to_the_figures_of_their_sums():
    one = SellOutEvaluation.of([StoreSellOut(30, Decimal("150"), 3, 10, 5)], Decimal("100"))
    two = SellOutEvaluation.of([StoreSellOut(10, Decimal("50"), 2, 10, 2)], Decimal("50"))
    both = NO_SELL_OUT + one + two
    assert (both.compared_units, both.compared_days, both.baseline_units, both.baseline_days) == (40, 5, 20, 7)
    assert both.total_cost == Decimal("150") and both.incremental_units == 40 - round(Decimal(20) * 5 / 7)


def test_the_plan_page_reads_sell_out_in_a_fixed_number_of_queries(client, example, manager):
    client.force_login(manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("promotions:plan-detail", args=[example.pk])).status_code == 200
        return len(queries)

    before = count()  # preliminary: the figures are read as the page is drawn
    beer = ProductFactory._meta.model.objects.get(code="BEER")
    for n in range(4):  # four more stores reporting, before and during
        store = StoreFactory(account=example.account)
        sold_daily(store, beer, BEFORE, 20, 3 + n)
    assert count() == before
