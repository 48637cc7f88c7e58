"""The master-data API: scoped like the pages, codes for related records, writes per role."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.models import ContactLog
from stores.models import Store
from tests.factories import (
    ContactFactory,
    DeliveryFactory,
    KeyAccountFactory,
    ListingFactory,
    StoreFactory,
    make_user,
)

pytestmark = pytest.mark.django_db


def test_rep_gets_404_for_another_reps_store(api_client, rep):
    theirs = StoreFactory(rep=make_user("rep", username="rep_b"))
    mine = StoreFactory(rep=rep)
    api_client.force_authenticate(rep)

    assert api_client.get(f"/api/v1/stores/{theirs.pk}/").status_code == 404
    body = api_client.get("/api/v1/stores/").json()
    assert [s["code"] for s in body["results"]] == [mine.code]
    assert body["results"][0]["visits_per_week"] == 2  # grade B


def test_store_list_filters_like_the_page(api_client, admin_user, django_assert_max_num_queries):
    StoreFactory.create_batch(4, grade="A")
    StoreFactory(grade="A", account=KeyAccountFactory(code="X1"))
    StoreFactory.create_batch(3, grade="C")
    api_client.force_authenticate(admin_user)
    with django_assert_max_num_queries(6):
        body = api_client.get("/api/v1/stores/", {"grade": "A"}).json()
    assert body["count"] == 5 and {s["grade"] for s in body["results"]} == {"A"}
    assert api_client.get("/api/v1/stores/", {"account": "X1"}).json()["count"] == 1


def test_manager_creates_a_store_in_own_account_not_in_another(api_client, manager):
    KeyAccountFactory(code="MINE", owner=manager)
    KeyAccountFactory(code="THEIRS")
    api_client.force_authenticate(manager)

    ok = api_client.post("/api/v1/stores/", {"account": "MINE", "code": "M-1", "name": "新店", "grade": "A"})
    refused = api_client.post("/api/v1/stores/", {"account": "THEIRS", "code": "T-1", "name": "别店", "grade": "A"})

    assert ok.status_code == 201 and ok.json()["visits_per_week"] == 3
    assert refused.status_code == 400 and "account" in refused.json()["errors"]
    assert list(Store.objects.values_list("code", flat=True)) == ["M-1"]


def test_bad_grade_and_negative_price_are_named(api_client, manager):
    KeyAccountFactory(code="MINE", owner=manager)
    api_client.force_authenticate(manager)
    bad_grade = api_client.post("/api/v1/stores/", {"account": "MINE", "code": "M-2", "name": "店", "grade": "D"})
    assert bad_grade.status_code == 400 and "grade" in bad_grade.json()["errors"]
    product = {"code": "P1", "name": "茶", "packs_per_case": 12, "suggested_retail_price": "-1",
               "distributor_price": "3", "wholesale_price": "3.5"}  # fmt: skip
    response = api_client.post("/api/v1/products/", product)
    assert response.status_code == 400
    assert response.json()["code"] == "amount.negative" and response.json()["field"] == "suggested_retail_price"


def test_rep_cannot_write_stores(api_client, rep):
    store = StoreFactory(rep=rep)
    api_client.force_authenticate(rep)
    assert api_client.patch(f"/api/v1/stores/{store.pk}/", {"name": "改名"}).status_code == 403


def test_deliveries_carry_price_and_amount(api_client, admin_user):
    listing = ListingFactory(purchase_price=Decimal("4.50"))
    DeliveryFactory(store=listing.store, product=listing.product, quantity=10, unit_price=None, date=date(2026, 2, 1))
    api_client.force_authenticate(admin_user)
    row = api_client.get("/api/v1/deliveries/").json()["results"][0]
    assert row["price"] == "4.50" and row["amount"] == "45.00" and row["store"] == listing.store.code


def test_contact_log_via_api_is_written_by_the_caller_once(api_client, manager):
    account = KeyAccountFactory(owner=manager, code="MINE")
    contact = ContactFactory(account=account)
    api_client.force_authenticate(manager)
    entry = {"account": "MINE", "contact": contact.pk, "date": "2026-11-20", "channel": "phone", "summary": "电话"}
    first = api_client.post("/api/v1/contact-logs/", entry)
    again = api_client.post("/api/v1/contact-logs/", entry)
    assert first.status_code == 201 and first.json()["author"] == manager.username
    assert again.json()["id"] == first.json()["id"]
    assert ContactLog.objects.count() == 1


def test_contact_of_another_account_is_refused(api_client, manager):
    KeyAccountFactory(owner=manager, code="MINE")
    elsewhere = ContactFactory(account=KeyAccountFactory(owner=manager, code="ALSO"))
    api_client.force_authenticate(manager)
    response = api_client.post(
        "/api/v1/contact-logs/", {"account": "MINE", "contact": elsewhere.pk, "date": "2026-11-20", "summary": "x"}
    )
    assert response.status_code == 400 and "contact" in response.json()["errors"]


def test_targets_are_unique_per_account_month(api_client, manager):
    KeyAccountFactory(owner=manager, code="MINE")
    api_client.force_authenticate(manager)
    target = {"account": "MINE", "year": 2026, "month": 3, "amount": "100000.00"}
    assert api_client.post("/api/v1/targets/", target).status_code == 201
    assert api_client.post("/api/v1/targets/", target).status_code == 400
    assert api_client.post("/api/v1/targets/", {**target, "month": 13}).status_code == 400


@pytest.mark.parametrize(
    "url", ["/api/v1/accounts/", "/api/v1/contacts/", "/api/v1/contact-logs/", "/api/v1/targets/", "/api/v1/stores/",
            "/api/v1/products/", "/api/v1/listings/", "/api/v1/deliveries/"],
)  # fmt: skip
def test_list_endpoints_run_a_fixed_number_of_queries(api_client, manager, url, django_assert_max_num_queries):
    from tests.factories import ContactLogFactory, SalesTargetFactory

    for _ in range(6):
        account = KeyAccountFactory(owner=manager)
        listing = ListingFactory(store=StoreFactory(account=account, rep=manager))
        DeliveryFactory(store=listing.store, product=listing.product)
        ContactLogFactory(account=account, contact=ContactFactory(account=account), author=manager)
        SalesTargetFactory(account=account)
    api_client.force_authenticate(manager)
    with django_assert_max_num_queries(7):
        body = api_client.get(url).json()
    assert body["count"] >= 6
