"""The admin and the daily task go through the same services: no rule is bypassed there."""

from decimal import Decimal

import pytest

from promotions.models import PromotionPlan
from promotions.services import ItemInput, promotion_save_draft, promotion_submit
from promotions.tasks import promotions_advance_by_date

from .conftest import plan_input

pytestmark = pytest.mark.django_db


def test_the_admin_cannot_add_or_edit_a_plan_by_hand(client, world, admin_user):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    client.force_login(admin_user)
    assert client.get("/admin/promotions/promotionplan/add/").status_code == 403
    page = client.post(f"/admin/promotions/promotionplan/{plan.pk}/change/", {"status": "approved"})
    assert page.status_code in (200, 403)
    assert PromotionPlan.objects.get(pk=plan.pk).status == "draft"


def test_the_admin_approve_action_applies_the_rules_and_the_budget(client, world, admin_user):
    broken = promotion_save_draft(user=world.manager, data=plan_input(world, days=29))
    PromotionPlan.objects.filter(pk=broken.pk).update(status="submitted")  # as if submitted before a rule changed
    chips = [ItemInput(world.chips, Decimal("5.80"), 100)]  # another product: no cool-down with the first
    good = promotion_submit(
        plan=promotion_save_draft(user=world.rep, data=plan_input(world, title="好", items=chips)), by=world.supervisor
    )
    client.force_login(admin_user)
    response = client.post(
        "/admin/promotions/promotionplan/",
        {"action": "approve_plans", "_selected_action": [broken.pk, good.pk]},
        follow=True,
    )
    assert "29" in response.content.decode()
    assert PromotionPlan.objects.get(pk=broken.pk).status == "submitted"
    assert PromotionPlan.objects.get(pk=good.pk).status == "approved"


def test_the_admin_budget_form_refuses_an_amount_below_what_is_consumed(client, world, admin_user):
    world.budget.consumed = Decimal("600.00")
    world.budget.save()
    client.force_login(admin_user)
    data = {"account": world.account.pk, "period_start": "2026-06-01", "period_end": "2026-08-31", "amount": "500"}
    page = client.post(f"/admin/promotions/budget/{world.budget.pk}/change/", data)
    assert page.status_code == 200 and "600.00" in page.content.decode()
    world.budget.refresh_from_db()
    assert world.budget.amount == Decimal("10000.00")


def test_the_daily_task_starts_an_approved_plan_on_its_start_date(world, time_machine):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from promotions.services import promotion_approve

    plan = promotion_approve(
        plan=promotion_submit(plan=promotion_save_draft(user=world.rep, data=plan_input(world)), by=world.supervisor),
        by=world.manager,
    )
    time_machine.move_to(datetime(2026, 6, 8, 0, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    assert promotions_advance_by_date.delay().get() == {"running": 1, "ended": 0, "evaluated": 0}
    plan.refresh_from_db()
    assert plan.status == "running"
