"""Drafting a plan: prices taken from listings or suggested retail, costs computed, scope enforced."""

from decimal import Decimal

import pytest

from ka_portal.errors import DomainError
from promotions.models import PromotionPlan
from promotions.services import ItemInput, promotion_save_draft
from tests.factories import StoreFactory

from .conftest import plan_input

pytestmark = pytest.mark.django_db


def test_price_support_is_normal_minus_promotion_price_times_volume_times_company_share(world):
    # Given a 10 % in-store promotion at the rep's store: shelf 5.00, promotion 4.50, 1000 packs, share 4 %
    # When the rep saves the draft
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    # Then price support = (5.00 − 4.50) × 1000 × 0.04 = 20.00, and the total adds the DM fee
    assert plan.items.get().normal_price == Decimal("5.00")
    assert plan.price_support == Decimal("20.00")
    assert plan.total_cost == Decimal("520.00")
    assert plan.status == PromotionPlan.Status.DRAFT
    assert [(t.from_status, t.to_status, t.by) for t in plan.transitions.all()] == [("", "draft", world.rep)]


def test_a_whole_account_is_measured_from_suggested_retail_and_the_plan_share_wins(world):
    data = plan_input(world, all_stores=True, stores=[], company_share=Decimal("0.10"))
    plan = promotion_save_draft(user=world.manager, data=data)
    # (5.50 − 4.50) × 1000 × 0.10
    assert plan.items.get().normal_price == Decimal("5.50")
    assert plan.price_support == Decimal("100.00")


def test_an_agreed_share_type_without_a_share_costs_no_price_support_until_given(world):
    from .factories import promotion_type

    plan = promotion_save_draft(user=world.rep, data=plan_input(world, type=promotion_type("bundle")))
    assert plan.price_support == Decimal("0.00")


def test_editing_replaces_products_and_recomputes(world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    data = plan_input(world, items=[ItemInput(world.chips, Decimal("5.90"), 500)], dm_fee=Decimal("0"))
    plan = promotion_save_draft(user=world.rep, data=data, plan=plan)
    # (6.30 − 5.90) × 500 × 0.04 = 8.00
    assert [i.product for i in plan.items.all()] == [world.chips]
    assert plan.total_cost == Decimal("8.00")


def test_a_rep_cannot_draft_for_another_reps_store(world):
    other = StoreFactory(account=world.account)
    with pytest.raises(DomainError) as refused:
        promotion_save_draft(user=world.rep, data=plan_input(world, stores=[other]))
    # refused as not found, naming neither the store nor its code
    assert refused.value.code == "not_found" and refused.value.field == "stores"
    assert other.name not in refused.value.detail and other.code not in refused.value.detail


def test_a_rep_cannot_take_all_stores_of_an_account_they_only_partly_cover(world):
    StoreFactory(account=world.account)
    with pytest.raises(DomainError) as refused:
        promotion_save_draft(user=world.rep, data=plan_input(world, all_stores=True, stores=[]))
    assert refused.value.code == "promotion.stores_out_of_scope"


def test_finance_cannot_draft(world, finance):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        promotion_save_draft(user=finance, data=plan_input(world))


def test_only_the_manager_may_record_a_price_floor_override(world):
    with pytest.raises(DomainError) as refused:
        promotion_save_draft(user=world.rep, data=plan_input(world, price_floor_override_reason="清场"))
    assert refused.value.code == "promotion.override_not_allowed"
    plan = promotion_save_draft(user=world.manager, data=plan_input(world, price_floor_override_reason="清场"))
    assert plan.price_floor_override_by == world.manager


def test_the_same_product_twice_is_refused(world):
    items = [ItemInput(world.beer, Decimal("4.50"), 1), ItemInput(world.beer, Decimal("4.40"), 1)]
    with pytest.raises(DomainError) as refused:
        promotion_save_draft(user=world.rep, data=plan_input(world, items=items))
    assert refused.value.code == "promotion.duplicate_product"
