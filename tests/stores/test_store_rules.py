"""One rule, every door: a store's frequency (1–7 or the grade's) and position (both coordinates or none), a
listing's prices, refused alike by the page, the API (create and update), the Excel import and the admin,
and backed by the database."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from stores.models import Delivery, Listing, Product, Store
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory
from tests.imports.xlsx import api_import, xlsx_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

VISITS_REFUSED = "Visits per week must be between 1 and 7, or empty to follow the grade; 50 is not."
POSITION_REFUSED = "Give both latitude and longitude, or neither."


@pytest.fixture
def account(manager):
    return KeyAccountFactory(code="MINE", owner=manager)


def _new_store(**extra):
    return {"account": "MINE", "code": "M-1", "name": "新店", "grade": "A", **extra}


# --- the API: create and update -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "code", "field"),
    [
        ({"visits_per_week_override": 50}, "store.visits_per_week_out_of_range", "visits_per_week_override"),
        ({"visits_per_week_override": 0}, "store.visits_per_week_out_of_range", "visits_per_week_override"),
        ({"latitude": "31.230000"}, "store.coordinates_incomplete", "longitude"),
        ({"longitude": "121.470000"}, "store.coordinates_incomplete", "latitude"),
    ],
)
def test_the_api_refuses_a_store_the_rules_refuse(api_client, manager, account, extra, code, field):
    api_client.force_authenticate(manager)

    response = api_client.post("/api/v1/stores/", _new_store(**extra), format="json")

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not Store.objects.exists()


def test_an_update_is_refused_like_a_create(api_client, manager, account):
    store = StoreFactory(account=account, code="M-1", visits_per_week_override=2)
    api_client.force_authenticate(manager)

    too_often = api_client.patch(f"/api/v1/stores/{store.pk}/", {"visits_per_week_override": 50}, format="json")
    half_a_position = api_client.patch(f"/api/v1/stores/{store.pk}/", {"latitude": "31.2"}, format="json")

    assert too_often.status_code == 400 and too_often.json()["detail"] == VISITS_REFUSED
    assert half_a_position.status_code == 400 and half_a_position.json()["code"] == "store.coordinates_incomplete"
    store.refresh_from_db()
    assert (store.visits_per_week_override, store.latitude) == (2, None)


def test_a_good_store_is_saved_and_an_empty_override_follows_the_grade(api_client, manager, account):
    api_client.force_authenticate(manager)
    body = _new_store(visits_per_week_override=None, latitude="31.230000", longitude="121.470000")

    response = api_client.post("/api/v1/stores/", body, format="json")

    assert response.status_code == 201 and response.json()["visits_per_week"] == 3  # grade A
    assert Store.objects.get(code="M-1").latitude == Decimal("31.230000")


# --- the page and the admin -------------------------------------------------------------------------


def test_the_page_refuses_with_the_same_words(client, manager, account):
    client.force_login(manager)
    form = {"account": account.pk, "code": "M-1", "name": "新店", "grade": "A", "visits_per_week_override": 50,
            "latitude": "31.2", "active": "on"}  # fmt: skip

    response = client.post("/stores/new/", form)

    page = response.content.decode()
    assert response.status_code == 400
    assert VISITS_REFUSED in page and POSITION_REFUSED in page
    assert not Store.objects.exists()


def _admin_form(account, **extra):
    return {"account": account.pk, "code": "M-1", "name": "新店", "grade": "A", "address": "", "city": "",
            "region": "", "latitude": "", "longitude": "", "visits_per_week_override": "", "rep": "",
            "opened_on": "", "active": "on", **extra}  # fmt: skip


def test_the_admin_refuses_with_the_same_words(client, admin_user, account):
    client.force_login(admin_user)

    response = client.post("/admin/stores/store/add/", _admin_form(account, visits_per_week_override=50))
    half = client.post("/admin/stores/store/add/", _admin_form(account, longitude="121.47"))

    assert response.status_code == 200 and VISITS_REFUSED in response.content.decode()
    assert half.status_code == 200 and POSITION_REFUSED in half.content.decode()
    assert not Store.objects.exists()
    saved = client.post("/admin/stores/store/add/", _admin_form(account, visits_per_week_override=4))
    assert saved.status_code == 302 and Store.objects.get(code="M-1").visits_per_week == 4


def test_the_admin_refuses_a_negative_listing_price(client, admin_user):
    store, product = StoreFactory(), ProductFactory()
    client.force_login(admin_user)
    form = {"store": store.pk, "product": product.pk, "listed_on": "", "listing_fee": "0", "purchase_price": "-1",
            "shelf_price": "5", "active": "on"}  # fmt: skip

    response = client.post("/admin/stores/listing/add/", form)

    assert response.status_code == 200
    assert "Store purchase price must not be negative; -1 is." in response.content.decode()
    assert not Listing.objects.exists()


# --- the import ---------------------------------------------------------------------------------------

STORE_HEADERS = ["account code", "store code", "store name", "grade", "visits per week", "latitude", "longitude"]


def test_the_import_refuses_with_the_same_words(api_client, manager, account, django_capture_on_commit_callbacks):
    api_client.force_authenticate(manager)
    rows = [
        ["MINE", "M-1", "一店", "A", 50, None, None],
        ["MINE", "M-2", "二店", "A", 0, None, None],
        ["MINE", "M-3", "三店", "A", None, 31.2, None],
        ["MINE", "M-4", "四店", "A", 7, 31.2, 121.4],
    ]

    job = api_import(api_client, "stores", xlsx_upload(STORE_HEADERS, rows), commit=django_capture_on_commit_callbacks)

    assert job["status"] == "refused" and job["code"] == "import.invalid_rows"
    assert [(e["row"], e["field"], e["message"]) for e in job["errors"]] == [
        (2, "visits_per_week_override", VISITS_REFUSED),
        (3, "visits_per_week_override", VISITS_REFUSED.replace("50", "0")),
        (4, "longitude", POSITION_REFUSED),
    ]
    assert not Store.objects.exists()


@pytest.mark.parametrize(
    ("latitude", "position"),
    [("-", (None, None)), (None, (Decimal("31.2"), Decimal("121.4")))],
    ids=["dash-clears-the-pair", "blank-keeps-it"],
)
def test_an_import_without_a_longitude_column_clears_the_position_whole_or_keeps_it(
    admin_user, account, latitude, position
):
    """A dash in the latitude cell empties the position whole, its longitude too (no half position is stored); a
    blank cell on a row updating the store keeps it (imports: a blank cell never erases)."""
    from imports.registry import kind_named
    from imports.runner import run_import

    StoreFactory(account=account, code="M-1", latitude=Decimal("31.2"), longitude=Decimal("121.4"))
    upload = xlsx_upload(
        ["account code", "store code", "store name", "grade", "latitude"], [["MINE", "M-1", "店", "A", latitude]]
    )

    run_import(kind=kind_named("stores"), source=upload, user=admin_user)

    assert Store.objects.values_list("latitude", "longitude").get() == position


# --- the database -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model_factory", "fields"),
    [
        (StoreFactory, {"visits_per_week_override": 50}),
        (StoreFactory, {"visits_per_week_override": 0}),
        (StoreFactory, {"latitude": Decimal("31.2"), "longitude": None}),
        (ProductFactory, {"wholesale_price": Decimal("-0.01")}),
        (ListingFactory, {"shelf_price": Decimal("-1")}),
    ],
)
def test_the_database_refuses_what_no_door_may_write(model_factory, fields):
    record = model_factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(record).objects.filter(pk=record.pk).update(**fields)


def test_the_database_refuses_a_negative_delivery_price():
    listing = ListingFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(store=listing.store, product=listing.product, date="2026-11-20", quantity=1,
                                unit_price=Decimal("-1"))  # fmt: skip


# --- references by code, within scope; idempotent creates ----------------------------------------------


def test_a_listing_names_its_store_and_product_by_code_and_a_foreign_store_is_not_found(api_client, manager, account):
    StoreFactory(account=account, code="M-1")
    StoreFactory(code="ELSEWHERE")
    ProductFactory(code="P-1")
    api_client.force_authenticate(manager)
    listing = {"store": "M-1", "product": "P-1", "purchase_price": "4.50", "shelf_price": "5.00"}

    made = api_client.post("/api/v1/listings/", listing, format="json")
    foreign = api_client.post("/api/v1/listings/", {**listing, "store": "ELSEWHERE"}, format="json")
    by_id = api_client.post("/api/v1/listings/", {**listing, "store": Store.objects.get(code="M-1").pk}, format="json")

    assert made.status_code == 201 and (made.json()["store"], made.json()["product"]) == ("M-1", "P-1")
    assert foreign.status_code == 400 and foreign.json()["errors"] == {"store": ["Not found."]}
    assert by_id.status_code == 400 and by_id.json()["errors"] == {"store": ["Not found."]}
    assert api_client.get("/api/v1/listings/", {"store": "M-1", "product": "P-1"}).json()["count"] == 1
    assert api_client.get("/api/v1/deliveries/", {"account": "MINE"}).status_code == 200


def test_a_listing_price_below_zero_is_refused_by_the_rule(api_client, manager, account):
    StoreFactory(account=account, code="M-1")
    ProductFactory(code="P-1")
    api_client.force_authenticate(manager)

    response = api_client.post(
        "/api/v1/listings/",
        {"store": "M-1", "product": "P-1", "purchase_price": "-4.50", "shelf_price": "5.00"},
        format="json",
    )

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("amount.negative", "purchase_price")
    assert not Listing.objects.exists()


def test_a_store_create_replayed_with_its_key_is_made_once(api_client, manager, account):
    api_client.force_authenticate(manager)
    key = {"HTTP_IDEMPOTENCY_KEY": "3f1c7c1e-7a51-4c38-9f57-000000000001"}

    first = api_client.post("/api/v1/stores/", _new_store(), format="json", **key)
    again = api_client.post("/api/v1/stores/", _new_store(), format="json", **key)
    changed = api_client.post("/api/v1/stores/", _new_store(name="别的名字"), format="json", **key)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert changed.status_code == 422 and changed.json()["differs"] == ["name"]
    assert Store.objects.count() == 1


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/v1/products/", {"code": "P-9", "name": "茶", "packs_per_case": 12, "suggested_retail_price": "5",
                               "distributor_price": "3", "wholesale_price": "4"}),
        ("/api/v1/deliveries/", {"store": "M-1", "product": "P-1", "date": "2026-11-20", "quantity": 24}),
    ],
)  # fmt: skip
def test_every_create_takes_an_idempotency_key(api_client, admin_user, url, body):
    StoreFactory(code="M-1")
    ProductFactory(code="P-1")
    api_client.force_authenticate(admin_user)
    key = {"HTTP_IDEMPOTENCY_KEY": "replay-me"}
    before = Product.objects.count() + Delivery.objects.count()

    first = api_client.post(url, body, format="json", **key)
    again = api_client.post(url, body, format="json", **key)

    assert first.status_code == again.status_code == 201 and again.json() == first.json()
    assert Product.objects.count() + Delivery.objects.count() == before + 1


def test_a_negative_listing_price_is_refused_in_the_same_words_at_every_door(api_client, client, admin_user):
    from imports.registry import kind_named
    from imports.runner import ImportRejected, run_import

    store, product = StoreFactory(code="S-1"), ProductFactory(code="P-1")
    api_client.force_authenticate(admin_user)
    client.force_login(admin_user)
    refused = "Shelf price must not be negative; -1.00 is."

    by_api = api_client.post(
        "/api/v1/listings/", {"store": "S-1", "product": "P-1", "purchase_price": "4", "shelf_price": "-1.00"}
    )
    by_admin = client.post(
        "/admin/stores/listing/add/",
        {"store": store.pk, "product": product.pk, "listing_fee": "0", "purchase_price": "4", "shelf_price": "-1.00"},
    )
    with pytest.raises(ImportRejected) as by_import:
        run_import(
            kind=kind_named("listings"),
            source=xlsx_upload(
                ["store code", "product code", "purchase price", "shelf price"], [["S-1", "P-1", 4, -1]]
            ),
            user=admin_user,
        )

    assert by_api.status_code == 400 and (by_api.json()["code"], by_api.json()["detail"]) == (
        "amount.negative",
        refused,
    )
    assert refused in by_admin.content.decode()
    assert [error.message for error in by_import.value.errors] == [refused]
    assert not Listing.objects.exists()


def test_a_delivery_entered_twice_is_refused_by_its_natural_key(api_client, manager, account):
    store, product = StoreFactory(account=account, code="M-9"), ProductFactory(code="P-9")
    api_client.force_authenticate(manager)
    body = {"store": store.code, "product": product.code, "date": "2026-05-21", "quantity": 24, "reference": "DN-1"}

    first = api_client.post("/api/v1/deliveries/", body, format="json")
    again = api_client.post("/api/v1/deliveries/", {**body, "quantity": 12}, format="json")
    other_note = api_client.post("/api/v1/deliveries/", {**body, "reference": "DN-2"}, format="json")

    assert first.status_code == 201 and other_note.status_code == 201
    assert again.status_code == 409
    assert (again.json()["code"], again.json()["field"]) == ("delivery.duplicate", "reference")
    assert "DN-1" in again.json()["detail"]
    assert sorted(Delivery.objects.values_list("reference", "quantity")) == [("DN-1", 24), ("DN-2", 24)]
