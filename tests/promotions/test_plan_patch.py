"""PATCH on a promotion plan is a partial update (QA: `{"mechanics": "x"}` answered "This field is required." for
title, account, type, dates and items): what is not sent stays as the plan has it, its items and stores too; items
sent are the plan's whole list, each item read whole. The schema offers PATCH."""

import pytest

from promotions.models import PromotionPlan
from promotions.services import promotion_save_draft, promotion_submit

from .conftest import plan_input

pytestmark = pytest.mark.django_db


def _items(plan):
    return [(i.product.code, str(i.promotion_price), i.forecast_volume) for i in plan.items.order_by("pk")]


def test_a_patch_changes_only_what_it_sends(api_client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    before = PromotionPlan.objects.get(pk=plan.pk)
    items, stores = _items(before), sorted(before.stores.values_list("code", flat=True))
    api_client.force_authenticate(world.rep)

    response = api_client.patch(f"/api/v1/promotions/{plan.pk}/", {"mechanics": "买二送一"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["mechanics"] == "买二送一" and response.json()["title"] == before.title
    after = PromotionPlan.objects.get(pk=plan.pk)
    assert (after.title, after.account_id, after.type_id, after.start_on, after.end_on, after.dm_fee) == (
        before.title, before.account_id, before.type_id, before.start_on, before.end_on, before.dm_fee
    )  # fmt: skip
    assert _items(after) == items and sorted(after.stores.values_list("code", flat=True)) == stores


def test_items_sent_in_a_patch_replace_the_list_and_are_read_whole(api_client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    api_client.force_authenticate(world.rep)
    url = f"/api/v1/promotions/{plan.pk}/"

    incomplete = api_client.patch(url, {"items": [{"product": world.beer.code}]}, format="json")
    assert incomplete.status_code == 400
    assert list(incomplete.json()["errors"]["items"]["0"]) == ["promotion_price"]  # the item's line, as sent

    changed = api_client.patch(url, {"items": [{"product": world.beer.code, "promotion_price": "4.20"}]}, format="json")
    assert changed.status_code == 200, changed.json()
    assert _items(PromotionPlan.objects.get(pk=plan.pk)) == [(world.beer.code, "4.20", 0)]  # the default volume


def test_a_patch_keeps_the_rules_of_a_put(api_client, world):
    plan = promotion_save_draft(user=world.rep, data=plan_input(world))
    api_client.force_authenticate(world.rep)
    url = f"/api/v1/promotions/{plan.pk}/"
    reversed_ = api_client.patch(url, {"end_on": (plan.start_on.replace(day=1)).isoformat()}, format="json")
    if plan.start_on.day != 1:
        assert reversed_.status_code == 400 and reversed_.json()["field"] == "end_on"
    submitted = promotion_submit(plan=plan, by=world.supervisor)
    api_client.force_authenticate(world.supervisor)
    refused = api_client.patch(f"/api/v1/promotions/{submitted.pk}/", {"mechanics": "x"}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "promotion.not_editable"


def test_the_schema_offers_patch(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    patch = schema["paths"]["/api/v1/promotions/{id}/"]["patch"]
    assert "stays as the plan has it" in patch["description"]
    body = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert not schema["components"]["schemas"][body].get("required")
