"""Store and product codes are one code whatever their case (QA: a products file with `p001` made a second product
beside `P001`; POST /products/ with `p002` answered 201; a listings file with `p002` was refused as unknown). A code
differing only by case is refused as taken at every door (store.code_taken / product.code_taken); the imports and
the API find `p002` as `P002`."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from ka_portal.errors import DomainError
from stores import services
from stores.models import Delivery, Listing, Product, Store
from tests.factories import KeyAccountFactory, ProductFactory, StoreFactory
from tests.imports.xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def beer(db):
    return ProductFactory(code="P001", name="啤酒 500ml", packs_per_case=12)


@pytest.fixture
def store(db):
    return StoreFactory(code="WMT-001", name="沃尔玛五角场店")


# --- the service (the API, the page and the admin save through it) ---


def test_the_service_refuses_a_product_code_differing_only_by_case(beer):
    with pytest.raises(DomainError) as refused:
        services.product_save(
            code="p001",
            name="另一个",
            packs_per_case=6,
            suggested_retail_price=1,
            distributor_price=1,
            wholesale_price=1,
        )
    assert (refused.value.code, refused.value.field) == ("product.code_taken", "code")
    assert "P001" in refused.value.detail and "without case" in refused.value.detail
    assert Product.objects.count() == 1


def test_the_service_refuses_renaming_a_store_to_another_stores_code_in_other_letters(store):
    other = StoreFactory(code="WMT-002", account=store.account)
    with pytest.raises(DomainError) as refused:
        services.store_save(store=other, code="wmt-001")
    assert refused.value.code == "store.code_taken"
    # its own code in other letters is still its own
    assert services.store_save(store=store, code="wmt-001").code == "wmt-001"


def test_the_database_refuses_it_whatever_writes_the_row(beer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Product.objects.create(
            code="p001", name="x", packs_per_case=1, suggested_retail_price=0, distributor_price=0, wholesale_price=0
        )


# --- the API ---


def test_the_api_refuses_a_product_or_store_code_differing_only_by_case(api_client, admin_user, beer, store):
    api_client.force_authenticate(admin_user)
    product = {"name": "x", "packs_per_case": 6, "suggested_retail_price": "1.00", "distributor_price": "1.00",
               "wholesale_price": "1.00"}  # fmt: skip
    for code in ("p001", "P001"):  # an exact repeat answers the same rule
        refused = api_client.post("/api/v1/products/", {**product, "code": code}, format="json")
        assert refused.status_code == 409, refused.content
        assert (refused.json()["code"], refused.json()["field"]) == ("product.code_taken", "code")
    body = {"account": store.account.code, "code": "wmt-001", "name": "又一个", "grade": "A"}
    refused = api_client.post("/api/v1/stores/", body, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "store.code_taken"
    other = StoreFactory(code="WMT-009", account=store.account)
    moved = api_client.patch(f"/api/v1/stores/{other.pk}/", {"code": "Wmt-001"}, format="json")
    assert moved.status_code == 409 and moved.json()["code"] == "store.code_taken"
    assert sorted(Store.objects.values_list("code", flat=True)) == ["WMT-001", "WMT-009"]


def test_the_api_finds_a_store_and_a_product_by_their_code_in_other_letters(api_client, admin_user, beer, store):
    api_client.force_authenticate(admin_user)
    body = {"store": "wmt-001", "product": "p001", "purchase_price": "4.50", "shelf_price": "5.00"}
    created = api_client.post("/api/v1/listings/", body, format="json")
    assert created.status_code == 201, created.content
    assert (created.json()["store"], created.json()["product"]) == ("WMT-001", "P001")


# --- the page and the admin ---


def test_the_store_page_refuses_a_code_differing_only_by_case_next_to_the_code(client, admin_user, store):
    client.force_login(admin_user)
    form = {"account": store.account.pk, "code": "wmt-001", "name": "新店", "grade": "B", "active": "on"}
    response = client.post("/stores/new/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.context["form"].errors["code"] == [
        "The code wmt-001 is already store WMT-001's (codes are compared without case)."
    ]
    assert Store.objects.count() == 1


def test_the_admin_refuses_a_product_code_differing_only_by_case(client, admin_user, beer):
    client.force_login(admin_user)
    form = {"code": "p001", "name": "x", "packs_per_case": 6, "suggested_retail_price": "1",
            "distributor_price": "1", "wholesale_price": "1", "active": "on"}  # fmt: skip
    response = client.post("/admin/stores/product/add/", form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200  # the form again, with its error
    assert response.context["adminform"].form.errors["code"] == [
        "The code p001 is already product P001's (codes are compared without case)."
    ]
    assert Product.objects.count() == 1


# --- the imports ---

PRODUCT_HEADERS = ["product code", "product name", "packs per case", "suggested retail price", "distributor price",
                   "wholesale price"]  # fmt: skip


def test_a_products_file_with_a_known_code_in_other_letters_updates_that_product(admin_user, beer):
    rows = [["p001", "啤酒 500ml 新包装", 12, 5.5, 3.8, 4.1]]
    result = run_import(kind=KINDS["products"], source=xlsx_upload(PRODUCT_HEADERS, rows), user=admin_user)
    assert (result.created, result.updated) == (0, 1)
    assert list(Product.objects.values_list("code", "name")) == [("P001", "啤酒 500ml 新包装")]


def test_a_products_file_giving_one_new_code_twice_in_other_letters_is_refused(admin_user, beer):
    rows = [["P009", "新品", 6, 1, 1, 1], ["p009", "新品", 6, 1, 1, 1]]
    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["products"], source=xlsx_upload(PRODUCT_HEADERS, rows), user=admin_user)
    [(row, _column, message)] = errors_of(rejected)
    assert row == 3 and "as row 2" in message
    assert Product.objects.count() == 1


def test_a_stores_file_with_a_known_code_in_other_letters_updates_that_store(admin_user, store):
    headers = ["key account code", "store code", "store name", "grade"]
    rows = [[store.account.code, "wmt-001", "沃尔玛五角场店（改）", "A"]]
    result = run_import(kind=KINDS["stores"], source=xlsx_upload(headers, rows), user=admin_user)
    assert (result.created, result.updated) == (0, 1)
    assert list(Store.objects.values_list("code", "name", "grade")) == [("WMT-001", "沃尔玛五角场店（改）", "A")]


def test_listings_and_deliveries_files_find_codes_in_other_letters(admin_user, beer, store):
    listings = [["wmt-001", "p001", 4.5, 5.0]]
    headers = ["store code", "product code", "purchase price", "shelf price"]
    run_import(kind=KINDS["listings"], source=xlsx_upload(headers, listings), user=admin_user)
    assert Listing.objects.get().product == beer
    deliveries = [
        ["Wmt-001", "p001", "2026-03-01", 24, None, "DN-1"],
        ["WMT-001", "P001", "2026-03-01", 24, None, "DN-1"],
    ]
    headers = ["store code", "product code", "date", "quantity (packs)", "unit price", "reference"]
    with pytest.raises(ImportRejected) as rejected:  # one delivery twice, in two spellings of its codes
        run_import(kind=KINDS["deliveries"], source=xlsx_upload(headers, deliveries), user=admin_user)
    assert [row for row, _c, _m in errors_of(rejected)] == [3]
    run_import(kind=KINDS["deliveries"], source=xlsx_upload(headers, deliveries[:1]), user=admin_user)
    assert list(Delivery.objects.values_list("store__code", "product__code", "date", "quantity")) == [
        ("WMT-001", "P001", date(2026, 3, 1), 24)
    ]


def test_a_promoters_file_finds_its_stores_in_other_letters(admin_user):
    """The promoters file's store list (promoters/roster_imports.py) reads codes without case too."""
    from promoters.models import Promoter
    from tests.factories import make_user

    account = KeyAccountFactory()
    supervisor = make_user("supervisor", username="sup_c")
    StoreFactory(code="S-A1", account=account, rep=make_user("rep", username="rep_c", supervisor=supervisor))
    headers = ["code", "name", "supervisor username", "stores", "daily fee", "started on"]
    rows = [["PN1", "赵小燕", "sup_c", "s-a1", 180, "2026-01-01"]]
    run_import(kind=KINDS["promoters"], source=xlsx_upload(headers, rows), user=admin_user)
    assert list(Promoter.objects.get(code="PN1").stores.values_list("code", flat=True)) == ["S-A1"]
    assert Decimal(Promoter.objects.get(code="PN1").daily_fee) == Decimal("180.00")


# --- the migration ---


def test_the_migration_names_codes_that_differ_only_by_case():
    from importlib import import_module

    migration = import_module("stores.migrations.0008_codes_unique_without_case")
    assert migration.codes_differing_by_case(["P001", "p001", "P002", "S-1", "s-1", "S-1x"]) == [
        ["P001", "p001"],
        ["S-1", "s-1"],
    ]
