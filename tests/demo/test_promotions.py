"""Demo promotions: five types with SPEC norms, budgets for every account, plans in every state; idempotent."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from demo.company import seed_demo
from promotions.models import Budget, PromotionPlan, PromotionType
from promotions.rules import blocking, budget_period_problem
from promotions.selectors import plan_violations
from tests.conftest import rolled_back_module

pytestmark = pytest.mark.django_db

SEED_DAY = date(2026, 6, 1)
SEED_MOMENT = datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(scope="module")
def seeded_in_june(django_db_setup, django_db_blocker):
    """The demo seeded once for the module as of 2026-06-01, 09:00 in Shanghai (the plans' states depend on the
    clock), rolled back after it."""
    with rolled_back_module(django_db_blocker), time_machine.travel(SEED_MOMENT, tick=False):
        seed_demo(today=SEED_DAY)
        yield


@pytest.fixture(autouse=True)
def _on_seed_day(seeded_in_june, time_machine):
    """Read on the seed day."""
    time_machine.move_to(SEED_MOMENT, tick=False)


def test_demo_promotions_are_seeded_once_and_obey_the_budget():
    assert PromotionType.objects.count() == 5
    assert PromotionType.objects.get(code="INSTORE").periods_allowed == 2
    assert set(PromotionPlan.objects.values_list("status", flat=True)) == {
        "draft", "submitted", "approved", "rejected", "running", "evaluated",
    }  # fmt: skip
    assert Budget.objects.values("account").distinct().count() == 11
    assert all(b.consumed <= b.amount for b in Budget.objects.all())
    # a month or a quarter each (SPEC §5), as the budget service would take them
    assert [b for b in Budget.objects.all() if budget_period_problem(b.period_start, b.period_end)] == []
    evaluated = PromotionPlan.objects.get(status="evaluated", title="沃尔玛啤酒夏季店促")
    assert evaluated.evaluation.uplift > 0
    before = PromotionPlan.objects.count(), Budget.objects.count()
    assert seed_demo(today=SEED_DAY) == 0
    assert (PromotionPlan.objects.count(), Budget.objects.count()) == before


# The rep's draft that still breaks rule 2 on purpose: it shows the plan form's messages.
BROKEN_ON_PURPOSE = "大润发纯生店促（草稿）"


def test_every_demo_plan_passes_the_rules_and_every_type_has_one_the_maker_funds():
    for plan in PromotionPlan.objects.exclude(title=BROKEN_ON_PURPOSE):
        assert blocking(plan_violations(plan)) == [], (plan.title, [v.detail for v in plan_violations(plan)])
    assert [v.code for v in plan_violations(PromotionPlan.objects.get(title=BROKEN_ON_PURPOSE))] == ["promotion.period"]
    funded = PromotionPlan.objects.filter(supply_funding__gt=0)
    assert set(funded.values_list("type__code", flat=True)) == {"INSTORE", "DM", "CRAZY", "CLEAR", "BUNDLE"}
    for plan in funded:
        for item in plan.items.all():
            # priced below the normal purchase price, at or above the promotional supply price below it
            assert item.promo_supply_price <= item.promotion_price < item.normal_supply_price, plan.title
        assert plan.total_cost >= plan.supply_funding
    # the crazy price at ~65 % of the shelf price, evaluated: its funding on the packs actually sold in
    crazy = funded.get(type__code="CRAZY")
    assert crazy.status == "evaluated" and crazy.evaluation.supply_funding > 0
    dm = funded.get(type__code="DM")
    assert dm.status == "approved" and dm.budget.consumed >= dm.total_cost
