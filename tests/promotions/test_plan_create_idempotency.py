"""The plan create takes the Idempotency-Key header: a repeated draft is one plan, a changed one is 422."""

import uuid

import pytest

from promotions.models import PromotionPlan

from .test_api import body

pytestmark = pytest.mark.django_db


def test_a_repeated_plan_create_is_one_draft_and_a_changed_one_is_422(api_client, world):
    api_client.force_authenticate(world.rep)
    key = {"Idempotency-Key": str(uuid.uuid4())}

    first = api_client.post("/api/v1/promotions/", body(world), format="json", headers=key)
    again = api_client.post("/api/v1/promotions/", body(world), format="json", headers=key)
    changed = api_client.post("/api/v1/promotions/", body(world, days=10, price="4.40"), format="json", headers=key)

    assert (first.status_code, again.status_code) == (201, 201)
    assert first.content == again.content
    assert changed.status_code == 422
    assert changed.json()["differs"] == ["end_on", "items"]
    assert PromotionPlan.objects.count() == 1
