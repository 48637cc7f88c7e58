"""The budget holds when several approvals land at the same moment (PostgreSQL: SQLite has no row locks)."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction

from ka_portal.errors import DomainConflict
from promotions.models import Budget, PromotionPlan
from promotions.services import promotion_approve, promotion_save_draft, promotion_submit
from tests.factories import ProductFactory

from .conftest import TODAY, plan_input

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_parallel_approvals_never_spend_more_than_the_budget(world, admin_user):
    # Given a budget of 1,200.00 and six submitted plans of 520.00 each: only two fit
    world.budget.amount = Decimal("1200.00")
    world.budget.save()
    plans = []
    for n in range(6):
        product = ProductFactory()
        world.store.listings.create(product=product, purchase_price=Decimal("4.00"), shelf_price=Decimal("5.00"))
        data = plan_input(world, start=TODAY + timedelta(days=1 + n), title=f"并发{n}")
        data.items[0].product = product
        plans.append(promotion_submit(plan=promotion_save_draft(user=world.rep, data=data), by=world.supervisor))
    approvers = [world.manager, admin_user] * 3
    start = threading.Barrier(len(plans))
    outcome: list[str] = []

    def approve(plan, by):
        try:
            start.wait()
            promotion_approve(plan=plan, by=by)
            outcome.append("approved")
        except DomainConflict as refusal:
            outcome.append(refusal.code)
        finally:
            connection.close()

    # When two people approve all six at the same moment, released together: the test holds the
    # budget row first, so every approval reaches the budget while its figures are the same for all
    threads = [threading.Thread(target=approve, args=pair) for pair in zip(plans, approvers, strict=True)]
    with transaction.atomic():
        Budget.objects.select_for_update().get(pk=world.budget.pk)
        for thread in threads:
            thread.start()
        time.sleep(1.5)
        assert outcome == []  # every approval is waiting for the budget row
    for thread in threads:
        thread.join()

    # Then exactly two are approved, the rest are refused as a conflict, and the budget is not overspent
    assert sorted(outcome) == ["approved"] * 2 + ["promotion.budget_exhausted"] * 4
    budget = Budget.objects.get(pk=world.budget.pk)
    assert budget.consumed == Decimal("1040.00") <= budget.amount
    approved = PromotionPlan.objects.filter(status=PromotionPlan.Status.APPROVED, budget=budget)
    assert sum(p.total_cost for p in approved) == budget.consumed
