"""POST /api/v1/visits/ (a rep's phone checking in with what it found) runs a fixed number of queries however many
stock counts it carries, and still refuses a product it cannot name row by row."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from tests.factories import ListingFactory, ProductFactory, StoreFactory, make_user
from visits.models import StockCount, Visit

pytestmark = pytest.mark.django_db

ITEMS = ("together", "tidy", "price_tag", "promotion_display", "stock_level")


@pytest.fixture
def shop():
    """A rep's store listing 16 products (12 packs a case)."""
    rep = make_user(Role.REP, username="rep_create_q")
    store = StoreFactory(rep=rep)
    products = [ProductFactory(packs_per_case=12) for _ in range(16)]
    for product in products:
        ListingFactory(store=store, product=product)
    return rep, store, products


def _body(store, products) -> dict:
    return {
        "uuid": str(uuid.uuid4()),
        "store": store.code,
        "checklist": [{"item": item, "result": "pass"} for item in ITEMS],
        "stock_counts": [{"product": p.code, "quantity": f"{i % 5}/{i % 12}"} for i, p in enumerate(products)],
    }


def _post(client, body):
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY=body["uuid"])
    assert response.status_code == 201, response.content[:300]
    return response, len(queries)


def test_a_visit_with_16_stock_counts_costs_the_queries_of_one_with_2(api_client, shop):
    rep, store, products = shop
    api_client.force_authenticate(rep)
    _post(api_client, _body(store, products[:1]))  # the rep's first visit of the day: its own checks

    two, with_two = _post(api_client, _body(store, products[:2]))
    sixteen, with_sixteen = _post(api_client, _body(store, products))

    assert with_sixteen == with_two
    assert [row["product"] for row in sixteen.json()["stock_counts"]] == [p.code for p in products]
    assert sixteen.json()["stock_counts"][13] == {"product": products[13].code, "packs": 3 * 12 + 1, "quantity": "3/1"}
    assert StockCount.objects.filter(visit_id=sixteen.json()["id"]).count() == 16


def test_a_product_it_cannot_name_is_refused_in_its_row_and_nothing_is_kept(api_client, shop):
    rep, store, products = shop
    api_client.force_authenticate(rep)
    body = _body(store, products[:3])
    body["stock_counts"][1]["product"] = "NO-SUCH-CODE"

    response = api_client.post("/api/v1/visits/", body, format="json")

    assert response.status_code == 400
    errors = response.json()["errors"]["stock_counts"]
    assert list(errors) == ["1"]  # only the second row, and only its product
    assert list(errors["1"]) == ["product"]
    assert not Visit.objects.exists()


def test_the_same_body_sent_again_answers_the_first_visit_and_keeps_one(api_client, shop):
    rep, store, products = shop
    api_client.force_authenticate(rep)
    body = _body(store, products)

    first, _queries = _post(api_client, body)
    again = api_client.post("/api/v1/visits/", body, format="json", HTTP_IDEMPOTENCY_KEY=body["uuid"])

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Visit.objects.filter(uuid=body["uuid"]).count() == 1
    assert StockCount.objects.filter(visit__uuid=body["uuid"]).count() == 16
