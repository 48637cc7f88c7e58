"""Promotional supply price (促销供价, issue 12 item 3): the maker's special price to the chain during a promotion.

Rule 3's first floor is that price when one is agreed (the channel floors give way to it); the funding,
(normal − promotional supply price) × volume, is trade spend of the plan: in its total cost, in the budget it
consumes, and counted on the packs actually sold in when the plan is evaluated.

The world (conftest): beer with a store purchase price 4.00 at the rep's store, shelf 5.00, second-tier
wholesale 4.10, distributor 3.80; chips bought at 5.00, shelf 6.30."""

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from ka_portal.errors import DomainError
from promotions.models import Budget, PromotionPlan
from promotions.rules import ItemFacts, PlanFacts, TypeNorms, check_plan
from promotions.services import (
    ItemInput,
    evaluation_figures,
    promotion_approve,
    promotion_evaluate,
    promotion_save_draft,
    promotion_submit,
)
from tests.factories import DeliveryFactory, ProductFactory

from .conftest import TODAY, plan_input
from .factories import promotion_type

pytestmark = pytest.mark.django_db

CRAZY_START = TODAY + timedelta(days=7)


def crazy_plan(world, price="3.25", supply=None, volume=1000, **fields):
    """A two-day crazy price of beer at 65 % of its 5.00 shelf price, the company paying half of the cut."""
    data = plan_input(
        world,
        type=promotion_type("crazy_price"),
        days=2,
        items=[ItemInput(world.beer, Decimal(price), volume, None if supply is None else Decimal(supply))],
        company_share=Decimal("0.5000"),
        title="纯生疯狂价",
        **fields,
    )
    return promotion_save_draft(user=world.rep, data=data)


def refusal(step) -> SimpleNamespace:
    """The refusal a step meets: its code, field and English text."""
    with translation.override("en"), pytest.raises(DomainError) as caught:
        step()
        return None
    with translation.override("en"):
        return SimpleNamespace(code=caught.value.code, field=caught.value.field, detail=caught.value.detail)


# --- the floor ------------------------------------------------------------------------------------------------


def test_a_65_percent_crazy_price_is_refused_without_a_promotional_supply_price(world):
    plan = crazy_plan(world)
    error = refusal(lambda: promotion_submit(plan=plan, by=world.supervisor))
    assert error.code == "promotion.price_floor"
    assert "3.25" in error.detail and "second-tier wholesale price 4.10" in error.detail


def test_the_same_crazy_price_is_accepted_when_the_maker_sells_at_3_00(world):
    plan = crazy_plan(world, supply="3.00")
    assert promotion_submit(plan=plan, by=world.supervisor).status == PromotionPlan.Status.SUBMITTED


def test_a_price_below_the_promotional_supply_price_is_refused_naming_it(world):
    plan = crazy_plan(world, supply="3.40")
    error = refusal(lambda: promotion_submit(plan=plan, by=world.supervisor))
    assert error.code == "promotion.price_floor" and error.field == "item-0"
    assert "Rule 3" in error.detail and "3.25" in error.detail and "promotional supply price 3.40" in error.detail


def test_a_funded_item_is_checked_against_its_supply_price_only_and_others_against_every_layer():
    funded = ItemFacts(1, "P001 啤酒", Decimal("3.25"), Decimal("5.00"), Decimal("4.00"), Decimal("4.10"),
                       Decimal("3.80"), promo_supply_price=Decimal("3.25"))  # fmt: skip
    unfunded = ItemFacts(2, "P002 薯片", Decimal("4.20"), Decimal("6.30"), Decimal("5.00"), Decimal("4.60"),
                         Decimal("4.30"))  # fmt: skip
    facts = PlanFacts(TypeNorms("疯狂价", 3, 1), date(2026, 6, 8), date(2026, 6, 9), (funded, unfunded))
    with translation.override("en"):
        (violation,) = [v for v in check_plan(facts) if v.rule == 3]
        assert violation.slot == "item-1" and "store purchase price 5.00" in violation.detail


# --- the new rule: below the normal purchase price ---------------------------------------------------------------


@pytest.mark.parametrize("supply", ["4.00", "4.50"])
def test_a_promotional_supply_price_not_below_the_purchase_price_is_refused_while_drafting(world, supply):
    error = refusal(lambda: crazy_plan(world, price="4.50", supply=supply))
    assert error.code == "promotion.supply_price" and error.field == "item-0"
    assert f"promotional supply price {supply}" in error.detail and "purchase price 4.00" in error.detail
    assert not PromotionPlan.objects.exists()


def test_a_promotional_supply_price_needs_a_purchase_price_at_the_chosen_stores(world):
    unlisted = ProductFactory(code="P999", name="未进店新品")
    data = plan_input(world, items=[ItemInput(unlisted, Decimal("4.50"), 10, Decimal("3.00"))])
    error = refusal(lambda: promotion_save_draft(user=world.rep, data=data))
    assert error.code == "promotion.supply_price" and "no store purchase price" in error.detail


# --- the funding ------------------------------------------------------------------------------------------------


def test_funding_is_normal_minus_promotional_supply_price_times_forecast_volume_exactly(world):
    # beer (4.00 − 3.00) × 1000 = 1,000.00; chips (5.00 − 4.37) × 333 = 209.79; together 1,209.79
    items = [
        ItemInput(world.beer, Decimal("4.50"), 1000, Decimal("3.00")),
        ItemInput(world.chips, Decimal("5.80"), 333, Decimal("4.37")),
    ]
    plan = promotion_save_draft(user=world.rep, data=plan_input(world, items=items))
    assert plan.supply_funding == Decimal("1209.79")
    # price support at the in-store share 4 %: (0.50 × 1000 + 0.50 × 333) × 0.04 = 26.66; DM fee 500.00
    assert plan.price_support == Decimal("26.66")
    assert plan.total_cost == Decimal("500.00") + Decimal("26.66") + Decimal("1209.79")
    by_product = {i.product_id: i for i in plan.items.all()}
    assert by_product[world.chips.pk].normal_supply_price == Decimal("5.00")
    assert by_product[world.chips.pk].promo_supply_price == Decimal("4.37")


def test_an_unfunded_plan_has_no_funding(world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    assert plan.supply_funding == Decimal("0.00") and plan.total_cost == Decimal("520.00")


def test_approval_consumes_the_funding_from_the_budget(world):
    # 500.00 DM fee + (5.00 − 3.25) × 1000 × 0.5 = 875.00 support + (4.00 − 3.00) × 1000 = 1,000.00 funding
    plan = crazy_plan(world, supply="3.00")
    assert plan.total_cost == Decimal("2375.00")
    promotion_submit(plan=plan, by=world.supervisor)
    promotion_approve(plan=plan, by=world.manager)
    assert Budget.objects.get(pk=world.budget.pk).consumed == Decimal("2375.00")


def test_the_funding_can_exhaust_the_budget(world):
    # 8,000 packs funded at 1.00 each: 8,000.00 + 7,000.00 support + 500.00 > the budget of 10,000.00
    plan = crazy_plan(world, supply="3.00", volume=8000)
    promotion_submit(plan=plan, by=world.supervisor)
    error = refusal(lambda: promotion_approve(plan=plan, by=world.manager))
    assert error.code == "promotion.budget_exhausted" and "15,500.00" in error.detail
    assert Budget.objects.get(pk=world.budget.pk).consumed == Decimal("0.00")


def test_the_evaluation_counts_the_funding_on_the_packs_actually_sold_in(world):
    plan = crazy_plan(world, supply="3.00")
    forecast_cost = plan.total_cost
    PromotionPlan.objects.filter(pk=plan.pk).update(status=PromotionPlan.Status.ENDED)
    # 250 + 150 packs of beer in the two days, 999 the day after (not counted)
    for day, quantity in (
        (CRAZY_START, 250),
        (CRAZY_START + timedelta(days=1), 150),
        (CRAZY_START + timedelta(days=2), 999),
    ):
        DeliveryFactory(store=world.store, product=world.beer, date=day, quantity=quantity, unit_price=Decimal("3.00"))
    plan.refresh_from_db()
    evaluation = promotion_evaluate(plan=plan, by=world.manager)
    # actual funding 400 × 1.00 = 400.00 instead of the forecast 1,000.00
    assert evaluation.supply_funding == Decimal("400.00")
    assert evaluation.total_cost == forecast_cost - Decimal("1000.00") + Decimal("400.00")
    assert evaluation_figures(plan).supply_funding == Decimal("400.00")


# --- API ---------------------------------------------------------------------------------------------------------


def api_body(world, supply):
    start = CRAZY_START
    return {
        "title": "API 疯狂价",
        "account": world.account.code,
        "type": promotion_type("crazy_price").pk,
        "company_share": "0.5000",
        "all_stores": False,
        "stores": [world.store.code],
        "start_on": start.isoformat(),
        "end_on": (start + timedelta(days=1)).isoformat(),
        "items": [
            {"product": world.beer.code, "promotion_price": "3.25", "forecast_volume": 1000,
             "promo_supply_price": supply}
        ],
    }  # fmt: skip


def test_the_api_creates_and_updates_a_plan_with_a_promotional_supply_price(api_client, world):
    api_client.force_authenticate(world.rep)
    created = api_client.post("/api/v1/promotions/", api_body(world, "3.00"), format="json")
    assert created.status_code == 201, created.json()
    plan = created.json()
    assert plan["supply_funding"] == "1000.00" and plan["violations"] == []
    (item,) = plan["items"]
    assert (item["normal_supply_price"], item["promo_supply_price"]) == ("4.00", "3.00")

    updated = api_client.put(f"/api/v1/promotions/{plan['id']}/", api_body(world, "3.20"), format="json")
    assert updated.status_code == 200, updated.json()
    assert updated.json()["supply_funding"] == "800.00"
    assert updated.json()["items"][0]["promo_supply_price"] == "3.20"

    # without it the 65 % price breaks rule 3 again: the plan says so, and submitting is refused
    unfunded = api_client.put(f"/api/v1/promotions/{plan['id']}/", api_body(world, None), format="json")
    assert unfunded.json()["supply_funding"] == "0.00"
    assert [v["code"] for v in unfunded.json()["violations"]] == ["promotion.price_floor"]
    assert api_client.post(f"/api/v1/promotions/{plan['id']}/submit/").status_code == 400


def test_the_api_refuses_a_promotional_supply_price_at_the_purchase_price(api_client, world):
    api_client.force_authenticate(world.rep)
    response = api_client.post("/api/v1/promotions/", api_body(world, "4.00"), format="json")
    assert response.status_code == 400 and response.json()["code"] == "promotion.supply_price"
    assert not PromotionPlan.objects.exists()


# --- pages -------------------------------------------------------------------------------------------------------


def test_the_plan_form_takes_the_supply_price_and_the_plan_page_shows_both_prices_and_the_funding(client, world):
    client.force_login(world.rep)
    start = CRAZY_START
    form = {
        "title": "纯生疯狂价", "account": world.account.code, "type": promotion_type("crazy_price").pk,
        "start_on": start.isoformat(), "end_on": (start + timedelta(days=1)).isoformat(),
        "stores": [world.store.code], "dm_fee": "0", "tg_fee": "0", "promoter_fee": "0", "gift_cost": "0",
        "company_share": "50", "items-TOTAL_FORMS": "4", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1",
        "items-MAX_NUM_FORMS": "4", "items-0-product": world.beer.code, "items-0-promotion_price": "3.25",
        "items-0-forecast_volume": "1000", "items-0-promo_supply_price": "3.00", "form_token": "s-1",
    }  # fmt: skip
    check = client.post("/promotions/check/", form, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="rules-ok"' in check and "supply price funding" in check and "1,000.00" in check
    response = client.post("/promotions/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = PromotionPlan.objects.get()
    english = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for text in ("Normal supply price", "Promotional supply price", "Supply price funding", "4.00", "3.00"):
        assert text in english
    chinese = client.get(f"/promotions/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "正常供价" in chinese and "促销供价" in chinese and "供价支持" in chinese
    edit = client.get(f"/promotions/{plan.pk}/edit/").content.decode()
    assert 'name="items-0-promo_supply_price"' in edit and 'value="3.00"' in edit


def test_the_plan_form_shows_the_supply_price_refusal(client, world):
    client.force_login(world.rep)
    data = {
        "title": "纯生店促", "account": world.account.code, "type": world.in_store.pk,
        "start_on": CRAZY_START.isoformat(), "end_on": (CRAZY_START + timedelta(days=13)).isoformat(),
        "stores": [world.store.code], "dm_fee": "0", "tg_fee": "0", "promoter_fee": "0", "gift_cost": "0",
        "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1", "items-MAX_NUM_FORMS": "4",
        "items-0-product": world.beer.code, "items-0-promotion_price": "4.50", "items-0-forecast_volume": "10",
        "items-0-promo_supply_price": "4.20", "form_token": "s-2",
    }  # fmt: skip
    page = client.post("/promotions/new/", data, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "promotional supply price 4.20" in page and "purchase price 4.00" in page
    assert not PromotionPlan.objects.exists()
