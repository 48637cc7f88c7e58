"""A TG fee is what the chain charges for the TG / end cap (堆头/端架, SPEC §5): a plan with one has the end cap
ticked (QA: a floor stack plan with a 2,000 TG fee made a display agreement of 0.00, and a TG deduction — which
claims end-cap agreements — never met that money). Refused at drafting (page, API), at submitting a draft saved
before the rule, and an approved plan's TG fee is carried by its end-cap agreement."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from evidence.agreements import agreements_generate
from evidence.models import DisplayAgreement
from ka_portal.errors import DomainError
from promotions.models import PromotionPlan
from promotions.services import promotion_approve, promotion_save_draft, promotion_submit
from tests.promotions.factories import PromotionPlanFactory

from .conftest import TODAY, plan_input

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
REFUSAL = "A TG fee (2,000.00) pays for the TG / end cap: tick TG / end cap, or leave the TG fee at 0."


def _api_body(world, **changes):
    start = TODAY + timedelta(days=7)
    body = {
        "title": "联华薯片店促", "account": world.account.code, "type": world.in_store.pk, "all_stores": False,
        "stores": [world.store.code], "start_on": start.isoformat(), "end_on": (start + timedelta(days=13)).isoformat(),
        "items": [{"product": world.beer.code, "promotion_price": "4.50", "forecast_volume": 100}],
        "floor_stack": True, "tg_fee": "2000.00",
    }  # fmt: skip
    return {**body, **changes}


def test_the_api_refuses_a_tg_fee_without_the_end_cap_and_keeps_nothing(api_client, world):
    api_client.force_authenticate(world.rep)

    refused = api_client.post("/api/v1/promotions/", _api_body(world), format="json", **EN)

    assert refused.status_code == 400
    assert (refused.json()["code"], refused.json()["field"]) == ("promotion.tg_fee_without_end_cap", "tg_fee")
    assert refused.json()["detail"] == REFUSAL
    assert not PromotionPlan.objects.exists()
    made = api_client.post("/api/v1/promotions/", _api_body(world, end_cap=True), format="json")
    assert made.status_code == 201 and PromotionPlan.objects.get().end_cap


def test_the_page_says_it_beside_the_costs_and_saves_nothing(client, world):
    client.force_login(world.rep)
    start = TODAY + timedelta(days=7)
    data = {
        "title": "联华薯片店促", "account": world.account.code, "type": world.in_store.pk, "stores": [world.store.code],
        "start_on": start.isoformat(), "end_on": (start + timedelta(days=13)).isoformat(), "floor_stack": "on",
        "dm_fee": "0", "tg_fee": "2000.00", "promoter_fee": "0", "gift_cost": "0", "form_token": "tg-1",
        "items-TOTAL_FORMS": 1, "items-INITIAL_FORMS": 0, "items-MIN_NUM_FORMS": 1, "items-MAX_NUM_FORMS": 4,
        "items-0-product": world.beer.code, "items-0-promotion_price": "4.50", "items-0-forecast_volume": 100,
    }  # fmt: skip

    page = client.post(reverse("promotions:plan-create"), data, **EN)

    assert page.status_code == 200 and REFUSAL in page.content.decode()
    assert not PromotionPlan.objects.exists()
    saved = client.post(reverse("promotions:plan-create"), {**data, "end_cap": "on", "form_token": "tg-2"}, **EN)
    assert saved.status_code == 302 and PromotionPlan.objects.get().tg_fee == Decimal("2000.00")


def test_a_draft_saved_before_the_rule_is_not_submitted_until_the_end_cap_is_ticked(world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world, floor_stack=True))
    PromotionPlan.objects.filter(pk=plan.pk).update(tg_fee=Decimal("2000.00"))  # as it was before the rule

    with pytest.raises(DomainError) as refused:
        promotion_submit(plan=plan, by=world.supervisor)

    assert refused.value.code == "promotion.tg_fee_without_end_cap"
    assert PromotionPlan.objects.get(pk=plan.pk).status == PromotionPlan.Status.DRAFT


def test_an_approved_plans_tg_fee_is_its_end_caps_agreement_fee(world):
    data = plan_input(world, end_cap=True, floor_stack=True, tg_fee=Decimal("2000.00"))
    draft = promotion_save_draft(user=world.rep, data=data)
    plan = promotion_approve(plan=promotion_submit(plan=draft, by=world.supervisor), by=world.manager)

    fees = dict(DisplayAgreement.objects.filter(plan=plan).values_list("kind", "fee"))

    assert fees == {"end_cap": Decimal("2000.00"), "floor_stack": Decimal("0.00")}


def test_a_plan_approved_with_a_tg_fee_before_the_rule_still_holds_it_to_an_end_caps_evidence(world):
    plan = PromotionPlanFactory(account=world.account, floor_stack=True, end_cap=False, tg_fee=Decimal("2000.00"),
                                all_stores=True, status=PromotionPlan.Status.APPROVED)  # fmt: skip

    agreements_generate()

    fees = dict(DisplayAgreement.objects.filter(plan=plan).values_list("kind", "fee"))
    assert fees == {"end_cap": Decimal("2000.00"), "floor_stack": Decimal("0.00")}


# --- one fee for the plan's end caps together ------------------------------------------------------------------------
# SPEC §5 lists the TG fee among the plan's costs, summed once into its total cost (and the budget it draws on): a
# plan has one TG fee for its end caps, never one per store. Its stores' end-cap agreements share it, so the fees
# the chain's TG deductions are matched to add up to the plan's fee, not to it times the stores.


def test_the_plan_form_says_the_tg_fee_is_for_all_its_end_caps(client, world):
    client.force_login(world.rep)

    html = client.get(reverse("promotions:plan-create"), **EN).content.decode()

    tg = html[html.index('for="id_tg_fee"') :].split("</div>\n</div>")[0]
    assert '<div class="form-text">For all the plan&#x27;s end caps together.</div>' in tg


def test_a_two_store_plans_tg_fee_is_shared_by_its_end_caps_and_counted_once(world):
    from tests.factories import ListingFactory, StoreFactory

    second = StoreFactory(account=world.account, rep=world.rep, name="沃尔玛江湾店")
    ListingFactory(store=second, product=world.beer, purchase_price=Decimal("4.00"), shelf_price=Decimal("5.00"))
    data = plan_input(world, stores=[world.store, second], end_cap=True, tg_fee=Decimal("2000.00"), dm_fee=Decimal(0))
    plan = promotion_save_draft(user=world.rep, data=data)
    plan = promotion_approve(plan=promotion_submit(plan=plan, by=world.supervisor), by=world.manager)
    world.budget.refresh_from_db()

    fees = sorted(DisplayAgreement.objects.filter(plan=plan, kind="end_cap").values_list("store__code", "fee"))

    assert fees == sorted([(world.store.code, Decimal("1000.00")), (second.code, Decimal("1000.00"))])
    assert plan.total_cost == Decimal("2000.00") + plan.price_support == world.budget.consumed
