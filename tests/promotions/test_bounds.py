"""Issue 10 §5–6: a plan's numbers stay inside their columns; a refused draft commits nothing and breaks no list."""

from datetime import timedelta

import pytest

from promotions.models import PromotionPlan
from stores.models import Listing

from .conftest import TODAY

pytestmark = pytest.mark.django_db

HUGE_FEE = "999999999999.99"  # the largest a money column holds: legal alone, four of them are not


def draft(world, **changes):
    start = TODAY + timedelta(days=7)
    body = {
        "title": "大促",
        "account": world.account.code,
        "type": world.in_store.pk,
        "all_stores": False,
        "stores": [world.store.code],
        "start_on": start.isoformat(),
        "end_on": (start + timedelta(days=13)).isoformat(),
        "items": [{"product": world.beer.code, "promotion_price": "4.50", "forecast_volume": 1000}],
    }
    return {**body, **changes}


def test_four_largest_fees_are_refused_naming_the_total_and_nothing_is_committed(api_client, client, world):
    api_client.force_authenticate(world.rep)
    fees = {**dict.fromkeys(("dm_fee", "tg_fee", "promoter_fee", "gift_cost"), HUGE_FEE), "end_cap": True}

    refused = api_client.post("/api/v1/promotions/", draft(world, **fees), format="json")

    assert refused.status_code == 400
    assert refused.json()["field"] == "total_cost" and refused.json()["code"] == "bounds.amount_too_large"
    assert not PromotionPlan.objects.exists()
    # Everyone's lists keep working.
    listed = api_client.get("/api/v1/promotions/")
    assert listed.status_code == 200 and listed.json()["count"] == 0
    client.force_login(world.manager)
    assert client.get("/promotions/").status_code == 200


def test_an_existing_draft_changed_to_overflow_keeps_its_old_figures(api_client, world):
    api_client.force_authenticate(world.rep)
    plan = api_client.post("/api/v1/promotions/", draft(world, dm_fee="500.00"), format="json").json()
    fees = {**dict.fromkeys(("dm_fee", "tg_fee", "promoter_fee", "gift_cost"), HUGE_FEE), "end_cap": True}

    refused = api_client.put(f"/api/v1/promotions/{plan['id']}/", draft(world, **fees), format="json")

    assert refused.status_code == 400 and refused.json()["field"] == "total_cost"
    kept = PromotionPlan.objects.get(pk=plan["id"])
    assert (str(kept.dm_fee), str(kept.tg_fee), str(kept.total_cost)) == ("500.00", "0.00", plan["total_cost"])


@pytest.mark.parametrize("volume", [2**31, 10_000_001])
def test_a_forecast_volume_beyond_the_business_maximum_is_refused(api_client, world, volume):
    api_client.force_authenticate(world.rep)
    items = [{"product": world.beer.code, "promotion_price": "4.50", "forecast_volume": volume}]

    refused = api_client.post("/api/v1/promotions/", draft(world, items=items), format="json")

    assert refused.status_code == 400
    assert refused.json()["errors"]["items"]["0"]["forecast_volume"]
    assert not PromotionPlan.objects.exists()


def test_a_price_support_beyond_a_money_column_is_refused_naming_it(api_client, world):
    # The normal price comes from the store's shelf price: the largest one, cut to zero on 1,000 packs.
    Listing.objects.filter(store=world.store, product=world.beer).update(shelf_price=HUGE_FEE)
    api_client.force_authenticate(world.rep)
    items = [{"product": world.beer.code, "promotion_price": "0.00", "forecast_volume": 1000}]

    refused = api_client.post("/api/v1/promotions/", draft(world, items=items, company_share="1"), format="json")

    assert refused.status_code == 400 and refused.json()["field"] == "price_support"
    assert not PromotionPlan.objects.exists()


def test_a_plan_that_ends_before_it_starts_is_refused_naming_the_end(api_client, world):
    api_client.force_authenticate(world.rep)
    start = TODAY + timedelta(days=20)

    refused = api_client.post(
        "/api/v1/promotions/",
        draft(world, start_on=start.isoformat(), end_on=(start - timedelta(days=5)).isoformat()),
        format="json",
    )

    assert refused.status_code == 400
    assert refused.json()["code"] == "promotion.dates_reversed" and refused.json()["field"] == "end_on"
    assert not PromotionPlan.objects.exists()
