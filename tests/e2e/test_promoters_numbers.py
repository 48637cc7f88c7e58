"""Sell-out in the numbers (issue 16) in a browser at 375 px: the plan page's sell-out beside sell-in, the store
page's last four weeks and the chain page's summary fit a phone's width and read in Chinese."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from promotions.models import PromotionItem, PromotionPlan
from promotions.services import promotion_evaluate
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.promoters.factories_numbers import sold, sold_daily
from tests.promotions.factories import PromotionPlanFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(db):
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    chain = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    a, b = StoreFactory(account=chain, code="WA", name="沃尔玛五角场店"), StoreFactory(account=chain, code="WB")
    beer = ProductFactory(code="BEER", name="纯生啤酒 500ml", packs_per_case=12)
    for store in (a, b):
        ListingFactory(store=store, product=beer, shelf_price=Decimal("5.00"))
    start = timezone.localdate().replace(day=1) - timedelta(days=40)
    plan = PromotionPlanFactory(
        account=chain, title="啤酒店促", status=PromotionPlan.Status.ENDED, start_on=start,
        end_on=start + timedelta(days=9), total_cost=Decimal("1400.00"), owner=manager,
    )  # fmt: skip
    PromotionItem.objects.create(plan=plan, product=beer, normal_price=Decimal("5.00"), promotion_price="4.50")
    sold_daily(a, beer, start, 10, 30, price=Decimal("4.50"), shelf_stock=60)
    sold_daily(a, beer, start - timedelta(days=10), 10, 10)
    sold_daily(b, beer, start, 10, 20)
    promotion_evaluate(plan=plan, by=manager)
    sold(a, beer, timezone.localdate() - timedelta(days=1), 25, shelf_stock=43, price=Decimal("4.80"))
    return plan, a


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_sell_out_figures_on_a_phone(phone, world, tmp_path):
    plan, store = world
    log_in(phone, "mgr1", "demo-pass-1")
    phone.goto(f"/promotions/{plan.pk}/")
    sell_out = phone.get_by_test_id("sell-out")
    assert "终端销量" in sell_out.inner_text() and "200.00 %" in sell_out.inner_text()  # 30 a day against 10
    _fits(phone)
    sell_out.screenshot(path=tmp_path / "plan.png")
    phone.goto(f"/stores/{store.pk}/")
    section = phone.get_by_test_id("store-sell-out")
    assert "纯生啤酒" in section.inner_text() and "3/7" in section.inner_text()  # 43 packs on the shelf
    _fits(phone)
    section.screenshot(path=tmp_path / "store.png")
    month = timezone.localdate().replace(day=1) - timedelta(days=60)
    phone.goto(f"/analysis/chains/WMT/?month_from={month:%Y-%m}&month_to={timezone.localdate():%Y-%m}")
    summary = phone.get_by_test_id("sell-out")
    assert "2家门店报告" in summary.inner_text()
    _fits(phone)
    summary.screenshot(path=tmp_path / "chain.png")
