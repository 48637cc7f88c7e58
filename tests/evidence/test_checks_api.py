"""The API: a visit's promotions and agreements, price and display checks (idempotent), a plan's execution."""

import pytest
from rest_framework.test import APIClient

from evidence.models import DisplayCheck, PromotionCheck

from . import checks_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the photos taken in these tests
    return checks_world.build()


def _as(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(user)
    return client


def test_the_visit_shows_its_promotions_and_agreements(w):
    body = _as(w.rep).get(f"/api/v1/visits/{w.visit.pk}/").json()
    [plan] = body["promotions"]
    assert plan["title"] == "端架特价" and [i["promotion_price"] for i in plan["items"]] == ["10.00", "5.00"]
    assert [d["kind"] for d in plan["displays"]] == ["end_cap"] and plan["execution"] is None
    assert [(a["kind"], a["facings"]) for a in body["agreements"]] == [("facings", 6)]


def test_a_price_and_a_display_with_a_photo_execute_the_plan(w):
    client = _as(w.rep)
    url = f"/api/v1/visits/{w.visit.pk}/"
    for item in (w.beer, w.chips):
        answer = client.post(url + "promotion-checks/", {"item": item.pk, "shelf_price": str(item.promotion_price)})
        assert answer.status_code == 200
    shown = client.post(
        url + "display-checks/",
        {"plan": w.plan.pk, "kind": "end_cap", "present": "true", "photo": checks_world.photo()},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    again = client.post(
        url + "display-checks/",
        {"plan": w.plan.pk, "kind": "end_cap", "present": "true", "photo": checks_world.photo()},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert shown.json()["promotions"][0]["execution"]["executed"] is True
    assert again.json() == shown.json() and DisplayCheck.objects.get().photo is not None
    assert client.get(url).json()["promotion_executed"] is True


def test_refusals_carry_their_code(w):
    client = _as(w.rep)
    url = f"/api/v1/visits/{w.visit.pk}/promotion-checks/"
    negative = client.post(url, {"item": w.beer.pk, "shelf_price": "-1.00"}, format="json")
    elsewhere = client.post(url, {"item": w.other_item.pk, "shelf_price": "1.00"}, format="json")
    assert (negative.status_code, negative.json()["code"]) == (400, "evidence.negative_price")
    assert (elsewhere.status_code, elsewhere.json()["code"]) == (400, "not_found")
    assert not PromotionCheck.objects.exists()


def test_a_rep_reaches_only_their_visits_and_plans(w):
    other = _as(w.other_rep)
    assert other.get(f"/api/v1/visits/{w.visit.pk}/").status_code == 404
    assert other.post(f"/api/v1/visits/{w.visit.pk}/promotion-checks/", {"item": w.beer.pk}).status_code == 404
    assert other.get(f"/api/v1/promotions/{w.other_plan.pk}/execution/").status_code == 200
    assert _as(w.rep).get(f"/api/v1/promotions/{w.other_plan.pk}/execution/").status_code == 404


def test_the_plans_execution_per_store(w):
    client = _as(w.rep)
    client.post(f"/api/v1/visits/{w.visit.pk}/promotion-checks/", {"item": w.beer.pk, "shelf_price": "11.00"})
    body = _as(w.manager).get(f"/api/v1/promotions/{w.plan.pk}/execution/").json()
    assert (body["checked"], body["executed"], body["not_executed"], body["not_visited"]) == (1, 0, 1, 1)
    row = next(row for row in body["stores"] if row["visit"])
    assert row["rep"] == "ck_rep" and row["reasons"][0]["code"] == "price_off"
