"""Demo promotions: five types with SPEC norms, budgets for every account, plans in every state; idempotent."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from demo.company import seed_demo
from promotions.models import Budget, PromotionPlan, PromotionType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _on_seed_day(time_machine):
    """Seeded as of 2026-06-01, 09:00 in Shanghai, and read on that day: the plans' states depend on the clock."""
    time_machine.move_to(datetime(2026, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def test_demo_promotions_are_seeded_once_and_obey_the_budget():
    seed_demo(today=date(2026, 6, 1))
    assert PromotionType.objects.count() == 5
    assert PromotionType.objects.get(code="INSTORE").periods_allowed == 2
    assert set(PromotionPlan.objects.values_list("status", flat=True)) == {
        "draft", "submitted", "approved", "rejected", "running", "evaluated",
    }  # fmt: skip
    assert Budget.objects.values("account").distinct().count() == 11
    assert all(b.consumed <= b.amount for b in Budget.objects.all())
    evaluated = PromotionPlan.objects.get(status="evaluated")
    assert evaluated.evaluation.uplift > 0
    before = PromotionPlan.objects.count(), Budget.objects.count()
    assert seed_demo(today=date(2026, 6, 1)) == 0
    assert (PromotionPlan.objects.count(), Budget.objects.count()) == before
