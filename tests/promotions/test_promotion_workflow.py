"""draft → submitted → approved / rejected → running → ended → evaluated, and who may move a plan."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from accounts.roles import Role
from ka_portal.errors import DomainConflict, DomainError
from promotions.models import PromotionPlan
from promotions.services import (
    ItemInput,
    promotion_approve,
    promotion_reject,
    promotion_save_draft,
    promotion_submit,
    promotions_advance_by_date,
)
from tests.factories import make_user

from .conftest import TODAY, plan_input

pytestmark = pytest.mark.django_db
Status = PromotionPlan.Status


def submitted(world, **fields):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world, **fields))
    return promotion_submit(plan=plan, by=world.supervisor)


def test_submit_then_approve_consumes_the_budget_and_logs_each_step(world):
    plan = submitted(world)
    plan = promotion_approve(plan=plan, by=world.manager, note="同意")
    world.budget.refresh_from_db()
    assert plan.status == Status.APPROVED and plan.budget == world.budget
    assert world.budget.consumed == Decimal("520.00") and world.budget.remaining == Decimal("9480.00")
    log = [(t.from_status, t.to_status, t.by, t.note) for t in plan.transitions.all()]
    assert log == [
        ("", "draft", world.rep, ""),
        ("draft", "submitted", world.supervisor, ""),
        ("submitted", "approved", world.manager, "同意"),
    ]


def test_a_broken_rule_refuses_the_submission_with_its_message(world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world, days=29))  # 10 % in-store, 29 days
    with pytest.raises(DomainError) as refused:
        promotion_submit(plan=plan, by=world.supervisor)
    assert refused.value.code == "promotion.period"
    assert "29" in refused.value.detail
    assert PromotionPlan.objects.get(pk=plan.pk).status == Status.DRAFT


def test_a_cooldown_from_an_approved_plan_refuses_the_next_one(world):
    first = promotion_approve(plan=submitted(world, start=TODAY + timedelta(days=1)), by=world.manager)
    second = promotion_save_draft(user=world.rep, data=plan_input(world, start=first.end_on + timedelta(days=29)))
    with pytest.raises(DomainError) as refused:
        promotion_submit(plan=second, by=world.supervisor)
    assert refused.value.code == "promotion.cooldown"
    assert refused.value.params["first"] == (first.end_on + timedelta(days=30)).isoformat()


def test_a_plan_whose_start_has_passed_cannot_be_submitted(world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world, start=TODAY - timedelta(days=1)))
    with pytest.raises(DomainError) as refused:
        promotion_submit(plan=plan, by=world.supervisor)
    assert refused.value.code == "promotion.start_passed"


@pytest.mark.parametrize("who", ["rep", "supervisor", "finance", "other_manager"])
def test_only_the_accounts_manager_or_an_admin_may_approve(world, who, finance):
    users = {
        "rep": world.rep,
        "supervisor": world.supervisor,
        "finance": finance,
        "other_manager": make_user(Role.MANAGER, username="mgr_other"),
    }
    plan = submitted(world)
    with pytest.raises(PermissionDenied):
        promotion_approve(plan=plan, by=users[who])
    with pytest.raises(PermissionDenied):
        promotion_reject(plan=plan, by=users[who], reason="不行")
    assert PromotionPlan.objects.get(pk=plan.pk).status == Status.SUBMITTED


def test_a_draft_cannot_be_approved_and_an_approved_plan_not_submitted_again(world):
    draft = promotion_save_draft(user=world.rep, data=plan_input(world))
    with pytest.raises(DomainError) as refused:
        promotion_approve(plan=draft, by=world.manager)
    assert refused.value.code == "promotion.wrong_status"
    approved = promotion_approve(plan=promotion_submit(plan=draft, by=world.supervisor), by=world.manager)
    with pytest.raises(DomainError):
        promotion_submit(plan=approved, by=world.supervisor)


def test_reject_needs_a_reason_and_a_rejected_plan_never_runs(world):
    plan = submitted(world)
    with pytest.raises(DomainError) as refused:
        promotion_reject(plan=plan, by=world.manager, reason="  ")
    assert refused.value.code == "promotion.reason_required"
    plan = promotion_reject(plan=plan, by=world.manager, reason="档期冲突")
    assert plan.rejection_reason == "档期冲突"
    promotions_advance_by_date(today=plan.end_on + timedelta(days=30))
    plan.refresh_from_db()
    assert plan.status == Status.REJECTED
    with pytest.raises(DomainError):
        promotion_approve(plan=plan, by=world.manager)


def test_an_exhausted_budget_answers_with_a_conflict_and_the_numbers(world):
    world.budget.amount = Decimal("519.99")
    world.budget.save()
    plan = submitted(world)
    with pytest.raises(DomainConflict) as refused:
        promotion_approve(plan=plan, by=world.manager)
    assert refused.value.code == "promotion.budget_exhausted"
    assert (refused.value.params["cost"], refused.value.params["left"]) == (Decimal("520.00"), Decimal("519.99"))
    assert PromotionPlan.objects.get(pk=plan.pk).status == Status.SUBMITTED


def test_no_budget_for_the_period_is_a_conflict(world):
    plan = submitted(world, start=date(2026, 9, 1))
    with pytest.raises(DomainConflict) as refused:
        promotion_approve(plan=plan, by=world.manager)
    assert refused.value.code == "promotion.no_budget"


def test_above_the_threshold_a_second_approval_by_an_admin(world, admin_user, settings):
    settings.KA = replace(settings.KA, promotion_second_approval_above=Decimal("500.00"))
    plan = submitted(world)  # costs 520.00
    plan = promotion_approve(plan=plan, by=world.manager)
    world.budget.refresh_from_db()
    assert plan.status == Status.SUBMITTED and plan.first_approved_by == world.manager
    assert world.budget.consumed == 0
    with pytest.raises(DomainError) as refused:
        promotion_approve(plan=plan, by=world.manager)
    assert refused.value.code == "promotion.second_approval"
    plan = promotion_approve(plan=plan, by=admin_user)
    world.budget.refresh_from_db()
    assert plan.status == Status.APPROVED and world.budget.consumed == Decimal("520.00")


def test_at_the_threshold_one_approval_is_enough(world, settings):
    settings.KA = replace(settings.KA, promotion_second_approval_above=Decimal("520.00"))
    assert promotion_approve(plan=submitted(world), by=world.manager).status == Status.APPROVED


def test_dates_move_an_approved_plan_to_running_then_ended_then_evaluated(world, settings):
    plan = promotion_approve(plan=submitted(world), by=world.manager)  # 2026-06-08 – 06-21
    assert promotions_advance_by_date(today=date(2026, 6, 7)) == {"running": 0, "ended": 0, "evaluated": 0}
    assert promotions_advance_by_date(today=date(2026, 6, 8))["running"] == 1
    assert promotions_advance_by_date(today=date(2026, 6, 21))["ended"] == 0
    assert promotions_advance_by_date(today=date(2026, 6, 22))["ended"] == 1
    wait = settings.KA.promotion_evaluate_after_days
    assert promotions_advance_by_date(today=date(2026, 6, 21 + wait))["evaluated"] == 0
    assert promotions_advance_by_date(today=date(2026, 6, 22 + wait))["evaluated"] == 1
    plan.refresh_from_db()
    assert plan.status == Status.EVALUATED
    assert [t.to_status for t in plan.transitions.all()][-3:] == ["running", "ended", "evaluated"]
    assert all(t.by is None for t in plan.transitions.all()[3:])


def test_the_supervisor_may_submit_the_reps_draft_but_not_another_teams(world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    stranger = make_user(Role.SUPERVISOR, username="sup_other")
    with pytest.raises(PermissionDenied):
        promotion_submit(plan=plan, by=stranger)
    assert promotion_submit(plan=plan, by=world.supervisor).status == Status.SUBMITTED


def test_a_clearance_below_the_floor_passes_with_the_managers_override(world):
    from .factories import promotion_type

    clearance = promotion_type("clearance")
    items = [ItemInput(world.beer, Decimal("3.00"), 100)]
    data = plan_input(world, type=clearance, items=items, company_share=Decimal("0.5"), days=7)
    plan = promotion_save_draft(user=world.rep, data=data)
    with pytest.raises(DomainError) as refused:
        promotion_submit(plan=plan, by=world.supervisor)
    assert refused.value.code == "promotion.price_floor"
    data.price_floor_override_reason = "下架清库存"
    plan = promotion_save_draft(user=world.manager, data=data, plan=plan)
    assert promotion_submit(plan=plan, by=world.manager).status == Status.SUBMITTED
