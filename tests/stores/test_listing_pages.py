"""A product is listed at a store, and delisted, from the store's page (onboarding report, item 2), through the listing
service the API and the admin save through: one listing a store and product, an active product, a store in reach."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import translation

from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Listing
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.imports.xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db

FORM = {"listed_on": "2026-11-02", "listing_fee": "2000.00", "purchase_price": "4.50", "shelf_price": "5.00"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def world(db):
    supervisor = make_user(Role.SUPERVISOR, username="sup1")
    rep = make_user(Role.REP, username="rep1", supervisor=supervisor)
    manager = make_user(Role.MANAGER, username="mgr1")
    store = StoreFactory(account=KeyAccountFactory(owner=manager), rep=rep, code="HM001", name="盒马一店")
    return {
        "supervisor": supervisor,
        "rep": rep,
        "manager": manager,
        "store": store,
        "beer": ProductFactory(code="P001", name="纯生啤酒"),
        "old": ProductFactory(code="P009", name="老款薯片", active=False),
    }


def test_a_manager_lists_a_product_from_the_stores_page(client, world):
    store = world["store"]
    client.force_login(world["manager"])

    page = client.get(f"/stores/{store.pk}/").content.decode()
    form = client.get(f"/stores/{store.pk}/listings/new/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post(f"/stores/{store.pk}/listings/new/", {**FORM, "product": "P001"})

    assert f'href="/stores/{store.pk}/listings/new/"' in page
    assert "P001 纯生啤酒</option>" in form and "P009" not in form  # an inactive product is not offered
    assert response.status_code == 302 and response["Location"] == f"/stores/{store.pk}/"
    listing = Listing.objects.get()
    assert (listing.store, listing.product, listing.listed_on, listing.listing_fee, listing.shelf_price) == (
        store, world["beer"], date(2026, 11, 2), Decimal("2000.00"), Decimal("5.00")
    )  # fmt: skip
    assert "纯生啤酒" in client.get(f"/stores/{store.pk}/").content.decode()


def test_a_product_listed_twice_is_refused_beside_it_keeping_what_was_typed(client, world):
    ListingFactory(store=world["store"], product=world["beer"], shelf_price=Decimal("5.20"))
    client.force_login(world["supervisor"])  # the rep's supervisor edits the store too

    response = client.post(
        f"/stores/{world['store'].pk}/listings/new/", {**FORM, "product": "P001"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "P001 纯生啤酒 is already listed at HM001 盒马一店: change that listing instead." in page
    assert 'value="2000.00"' in page and 'value="2026-11-02"' in page
    assert Listing.objects.get().shelf_price == Decimal("5.20")


def test_a_negative_price_is_refused_by_the_rules_words(client, world):
    client.force_login(world["manager"])

    response = client.post(
        f"/stores/{world['store'].pk}/listings/new/",
        {**FORM, "product": "P001", "shelf_price": "-1"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400 and "Shelf price must not be negative" in response.content.decode()
    assert not Listing.objects.exists()


def test_a_rep_may_not_list_and_a_store_out_of_reach_is_not_found(client, world):
    foreign = StoreFactory(account=KeyAccountFactory(owner=make_user(Role.MANAGER, username="mgr2")))
    client.force_login(world["rep"])
    rep_page = client.get(f"/stores/{world['store'].pk}/listings/new/")
    rep_store_page = client.get(f"/stores/{world['store'].pk}/").content.decode()
    client.force_login(world["manager"])
    foreign_page = client.post(f"/stores/{foreign.pk}/listings/new/", {**FORM, "product": "P001"})

    assert rep_page.status_code == 403
    assert 'data-testid="listing-add"' not in rep_store_page and 'data-testid="delist"' not in rep_store_page
    assert foreign_page.status_code == 404
    assert not Listing.objects.exists()


def test_a_listing_is_delisted_and_listed_again_from_the_stores_page(client, world):
    store = world["store"]
    listing = ListingFactory(store=store, product=world["beer"])
    client.force_login(world["manager"])
    url = f"/stores/{store.pk}/listings/{listing.pk}/active/"

    delisted = client.post(url, {"active": "0"})
    page = client.get(f"/stores/{store.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    listing.refresh_from_db()
    was_active = listing.active
    again = client.post(url, {"active": "1"})
    listing.refresh_from_db()

    assert delisted.status_code == 302 and not was_active
    assert 'data-testid="relist"' in page and "delisted" in page
    assert again.status_code == 302 and listing.active


def test_an_inactive_product_is_listed_again_at_no_door(client, api_client, world):
    store = world["store"]
    listing = ListingFactory(store=store, product=world["old"], active=False)
    client.force_login(world["manager"])
    api_client.force_authenticate(world["manager"])

    page = client.post(
        f"/stores/{store.pk}/listings/{listing.pk}/active/", {"active": "1"}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    api = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"active": True}, format="json")
    created = api_client.post(
        "/api/v1/listings/", {**FORM, "store": "HM001", "product": "P009", "listed_on": None}, format="json"
    )

    assert "P009 老款薯片 is inactive" in page.content.decode()
    assert api.status_code == 400 and api.json()["code"] == "listing.product_inactive"
    assert created.status_code == 409 and created.json()["code"] == "listing.duplicate"
    listing.refresh_from_db()
    assert not listing.active
    # and the store's page says why, offering no "List again" (QA: offered, then refused after the click)
    store_page = client.get(f"/stores/{store.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-testid="product-inactive"' in store_page and 'data-testid="relist"' not in store_page


def test_the_api_refuses_a_second_listing_in_the_services_words(api_client, world):
    ListingFactory(store=world["store"], product=world["beer"])
    api_client.force_authenticate(world["manager"])

    response = api_client.post("/api/v1/listings/", {**FORM, "store": "HM001", "product": "P001"}, format="json")

    assert response.status_code == 409 and response.json()["code"] == "listing.duplicate"
    assert Listing.objects.count() == 1


def test_the_import_refuses_listing_an_inactive_product_but_keeps_one_listed_before(world):
    ListingFactory(store=world["store"], product=world["old"], active=True)  # listed before it was made inactive
    other = StoreFactory(account=world["store"].account, code="HM002")
    headers = ["store code", "product code", "purchase price", "shelf price"]

    with pytest.raises(ImportRejected) as rejected:
        run_import(
            kind=KINDS["listings"], source=xlsx_upload(headers, [["HM002", "P009", 4, 5]]), user=world["manager"]
        )
    run_import(kind=KINDS["listings"], source=xlsx_upload(headers, [["HM001", "P009", 4, 6]]), user=world["manager"])

    assert [(row, column) for row, column, message in errors_of(rejected)] == [(2, "product code")]
    assert "P009 老款薯片 is inactive" in errors_of(rejected)[0][2]
    assert not Listing.objects.filter(store=other).exists()
    assert Listing.objects.get(store=world["store"], product=world["old"]).shelf_price == Decimal("6.00")
