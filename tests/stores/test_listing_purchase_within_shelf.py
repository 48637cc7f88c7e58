"""A listing's store purchase price (终端进价) is not above its shelf price (终端零售价) (QA: an import row YH-002 /
P004, purchase 9.00, shelf 4.80, went through without a word): the promotion price floor reads the purchase price,
so one above the shelf puts every promotion price below its floor. Refused at every door in the same words, naming
both prices, the product and the store; a listing stored so before the rule keeps being delisted, given a fee and
imported back as it was, until its prices are corrected."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from demo.company import PRODUCTS
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from ka_portal.errors import DomainError
from stores import rules
from stores.models import Listing
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.imports.xlsx import errors_of, xlsx_upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

HEADERS = ["store code", "product code", "purchase price", "shelf price"]
REFUSED = (
    "The store purchase price 9.00 of P004 海川黑啤 500ml at YH-002 永辉二店 is above its shelf price 4.80: a store "
    "buys a product for no more than it sells it at."
)


@pytest.fixture
def world(db):
    manager = make_user(Role.MANAGER, username="mgr1")
    store = StoreFactory(account=KeyAccountFactory(code="YH", owner=manager), code="YH-002", name="永辉二店")
    return {"manager": manager, "store": store, "product": ProductFactory(code="P004", name="海川黑啤 500ml")}


@pytest.mark.parametrize(
    ("purchase", "shelf", "refused"),
    [("4.80", "4.80", False), ("4.79", "4.80", False), ("4.81", "4.80", True), ("9", "4.8", True)],
)
def test_the_rule_refuses_a_purchase_price_above_the_shelf_price_and_takes_an_equal_one(purchase, shelf, refused):
    check = lambda: rules.check_purchase_within_shelf(  # noqa: E731
        Decimal(purchase), Decimal(shelf), store="YH-002 永辉二店", product="P004 海川黑啤 500ml"
    )

    if not refused:
        check()
        return
    with pytest.raises(DomainError) as error:
        check()
    assert (error.value.code, error.value.field) == ("listing.purchase_above_shelf", "purchase_price")
    # both prices written with their cents, whichever way they were typed
    assert f"price {Decimal(purchase):.2f} of P004 海川黑啤 500ml at YH-002 永辉二店" in error.value.detail
    assert f"shelf price {Decimal(shelf):.2f}:" in error.value.detail


def test_the_qa_import_row_is_refused_in_its_row_and_column_naming_both_prices(world):
    rows = [["YH-002", "P004", Decimal("9.00"), Decimal("4.80")]]

    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["listings"], source=xlsx_upload(HEADERS, rows), user=world["manager"])

    assert errors_of(rejected) == [(2, "purchase price", REFUSED)]
    assert not Listing.objects.exists()


def test_every_door_refuses_in_the_same_words(client, api_client, admin_user, world):
    store, product = world["store"], world["product"]
    client.force_login(world["manager"])
    api_client.force_authenticate(world["manager"])
    prices = {"purchase_price": "9.00", "shelf_price": "4.80"}

    page = client.post(f"/stores/{store.pk}/listings/new/", {"product": "P004", "listing_fee": "0", **prices})
    created = api_client.post("/api/v1/listings/", {"store": "YH-002", "product": "P004", **prices}, format="json")
    listing = ListingFactory(store=store, product=product, purchase_price=Decimal("4.00"), shelf_price=Decimal("4.80"))
    updated = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"purchase_price": "9.00"}, format="json")
    client.force_login(admin_user)
    admin = client.post(
        f"/admin/stores/listing/{listing.pk}/change/",
        {"store": store.pk, "product": product.pk, "listing_fee": "0", "active": "on", **prices},
    )

    assert page.status_code == 400 and REFUSED in page.content.decode()
    for answer in (created, updated):
        assert answer.status_code == 400
        assert (answer.json()["code"], answer.json()["field"], answer.json()["detail"]) == (
            "listing.purchase_above_shelf", "purchase_price", REFUSED
        )  # fmt: skip
        assert answer.json()["params"]["purchase_price"] == "9.00"
    assert admin.status_code == 200 and REFUSED in admin.content.decode()
    listing.refresh_from_db()
    assert (listing.purchase_price, listing.shelf_price) == (Decimal("4.00"), Decimal("4.80"))
    assert Listing.objects.count() == 1


def test_the_page_says_it_beside_the_purchase_price_keeping_what_was_typed(client, world):
    client.force_login(world["manager"])

    response = client.post(
        f"/stores/{world['store'].pk}/listings/new/",
        {"product": "P004", "listing_fee": "0", "purchase_price": "9.00", "shelf_price": "4.80"},
    )

    assert response.context["form"].errors == {"purchase_price": [REFUSED]}
    page = response.content.decode()
    assert 'value="9.00"' in page and 'value="4.80"' in page


def test_a_listing_stored_above_its_shelf_before_the_rule_is_still_delisted_given_a_fee_and_imported_back(
    client, api_client, world
):
    # given a listing stored before the rule, its purchase price above its shelf price
    listing = ListingFactory(
        store=world["store"], product=world["product"], purchase_price=Decimal("9.00"), shelf_price=Decimal("4.80")
    )
    client.force_login(world["manager"])
    api_client.force_authenticate(world["manager"])

    # when it is delisted from the store's page, given another fee through the API and its row imported back
    delisted = client.post(f"/stores/{world['store'].pk}/listings/{listing.pk}/active/", {"active": "0"})
    fee = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"listing_fee": "300.00"}, format="json")
    job = run_import(
        kind=KINDS["listings"],
        source=xlsx_upload(HEADERS, [["YH-002", "P004", Decimal("9.00"), Decimal("4.80")]]),
        user=world["manager"],
    )

    # then each goes through; its prices stay as they were until someone corrects them
    assert delisted.status_code == 302 and fee.status_code == 200
    assert job.unchanged == 1
    listing.refresh_from_db()
    assert (listing.active, listing.listing_fee, listing.purchase_price) == (False, Decimal("300.00"), Decimal("9.00"))


def test_a_price_of_such_a_listing_changed_but_still_above_the_shelf_is_refused(api_client, world):
    listing = ListingFactory(
        store=world["store"], product=world["product"], purchase_price=Decimal("9.00"), shelf_price=Decimal("4.80")
    )
    api_client.force_authenticate(world["manager"])

    raised = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"shelf_price": "5.00"}, format="json")
    corrected = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"purchase_price": "4.00"}, format="json")

    assert raised.status_code == 400 and raised.json()["code"] == "listing.purchase_above_shelf"
    assert "above its shelf price 5.00" in raised.json()["detail"]
    assert corrected.status_code == 200
    listing.refresh_from_db()
    assert (listing.purchase_price, listing.shelf_price) == (Decimal("4.00"), Decimal("4.80"))


def test_an_import_row_changing_such_a_listing_is_refused_and_the_file_writes_nothing(world):
    other = ProductFactory(code="P005", name="海川原浆啤酒 1L")
    ListingFactory(
        store=world["store"], product=world["product"], purchase_price=Decimal("9.00"), shelf_price=Decimal("4.80")
    )
    rows = [["YH-002", "P005", Decimal("18.00"), Decimal("24.00")], ["YH-002", "P004", Decimal("9.00"), Decimal("5")]]

    with pytest.raises(ImportRejected) as rejected:
        run_import(kind=KINDS["listings"], source=xlsx_upload(HEADERS, rows), user=world["manager"])

    assert [(row, column) for row, column, _message in errors_of(rejected)] == [(3, "purchase price")]
    assert "above its shelf price 5.00" in errors_of(rejected)[0][2]
    assert not Listing.objects.filter(product=other).exists()


def test_the_demo_company_and_the_factories_list_below_the_shelf():
    # SPEC §8's demo company: every product's store purchase price is at most its shelf price (demo/company.py)
    above = [code for code, *_rest, purchase, shelf, _srp in PRODUCTS if Decimal(purchase) > Decimal(shelf)]
    listing = ListingFactory.build()

    assert above == []
    assert listing.purchase_price <= listing.shelf_price
