"""A KA manager opens a running plan on a phone and at a desk: beside the planned promoter fee, what the plan's
promoters' shifts have cost so far and how many shifts, and the plan's total cost as the ledger books it (the
shifts' pay instead of the planned fee) above the planned total; a plan without shifts says the planned fee counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from promotions.models import PromotionPlan
from tests.factories import KeyAccountFactory, ProductFactory, StoreFactory, make_user
from tests.promoters.factories_appraisal import promoter, shift
from tests.promotions.factories import PromotionItemFactory, PromotionPlanFactory

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def _plans():
    manager = make_user(Role.MANAGER, username="manager1", password="demo-pass-1")
    account = KeyAccountFactory(code="LHB", name="联华", owner=manager)
    store = StoreFactory(account=account, code="A", name="联华A店")
    today = timezone.localdate()
    running = {"account": account, "status": PromotionPlan.Status.RUNNING, "owner": manager, "all_stores": True,
               "start_on": today - timedelta(days=5), "end_on": today + timedelta(days=5)}  # fmt: skip
    with_shifts = PromotionPlanFactory(title="年货节店促", dm_fee=Decimal("500.00"), promoter_fee=Decimal("900.00"),
                                       total_cost=Decimal("1400.00"), **running)  # fmt: skip
    without = PromotionPlanFactory(title="元旦店促", promoter_fee=Decimal("300.00"), total_cost=Decimal("300.00"),
                                   **running)  # fmt: skip
    for plan in (with_shifts, without):
        PromotionItemFactory(plan=plan, product=ProductFactory())
    daily = promoter(supervisor=make_user(Role.SUPERVISOR), stores=[store], daily_fee="150.00",
                     started_on=today - timedelta(days=30))  # fmt: skip
    for back in (4, 3):
        shift(daily, store, today - timedelta(days=back), check_in="09:00", check_out="17:00", plan=with_shifts)
    shift(daily, store, today - timedelta(days=2), plan=with_shifts)  # missed
    shift(daily, store, today + timedelta(days=2), plan=with_shifts)
    return with_shifts, without


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_the_manager_sees_the_shifts_pay_beside_the_planned_fee(screen, request):
    page = request.getfixturevalue(screen)
    with_shifts, without = _plans()

    log_in(page, "manager1", "demo-pass-1")
    page.goto(f"/promotions/{with_shifts.pk}/")

    assert page.get_by_text("促销员费用（计划）").is_visible()
    assert page.get_by_test_id("promoter-planned").inner_text() == "900.00"
    assert page.get_by_test_id("promoter-actual").inner_text() == "300.00"  # 2 attended × 150.00
    assert page.get_by_test_id("promoter-shifts").inner_text().startswith("至今班次：3（出勤 2） · 待上班次：1")
    # the total the ledger books: DM 500.00 + the shifts' pay 300.00, not the planned fee 900.00
    assert page.get_by_test_id("plan-total").inner_text() == "800.00"
    # in the costs beside the planned total, named the whole plan's (the evaluation so far says its cost to date)
    assert page.get_by_test_id("plan-total-label").is_visible()
    assert page.get_by_test_id("plan-total-planned").inner_text() == "1,400.00"
    assert page.get_by_text("总费用（计划）").is_visible()
    page.get_by_test_id("plan-total").scroll_into_view_if_needed()
    page.screenshot(path=f"tests/e2e/artifacts/manager-plan-promoter-cost-{screen}.png", full_page=True)

    page.goto(f"/promotions/{without.pk}/")
    assert page.get_by_test_id("promoter-shifts").inner_text() == "尚无排班——按计划费用计"
    assert page.get_by_test_id("promoter-actual").count() == 0
    assert page.get_by_test_id("plan-total").inner_text() == "300.00"
    assert page.get_by_test_id("plan-total-planned").count() == 0
