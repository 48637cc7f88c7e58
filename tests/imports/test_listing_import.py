"""Listing import: store × product resolved from codes, in scope, updated by the pair."""

from datetime import date
from decimal import Decimal

import pytest

from accounts.roles import Role
from imports.registry import KINDS
from imports.runner import ImportRejected, run_import
from stores.models import Listing
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

from .xlsx import errors_of, xlsx_upload

pytestmark = pytest.mark.django_db

EN = ["store code", "product code", "listed on", "listing fee", "purchase price", "shelf price"]
ZH = ["门店编码", "产品编码", "进场日期", "进场费", "终端进价", "终端零售价"]


@pytest.mark.parametrize("headers", [EN, ZH], ids=["english", "chinese"])
def test_good_file_lists_products_in_stores(admin_user, headers):
    StoreFactory(code="S1")
    ProductFactory(code="P1")
    ProductFactory(code="P2")
    rows = [["S1", "P1", date(2026, 1, 15), 2000, 4.5, 5], ["S1", "P2", None, None, "8.80", "9.90"]]

    result = run_import(kind=KINDS["listings"], source=xlsx_upload(headers, rows), user=admin_user)

    assert (result.created, result.updated) == (2, 0)
    first = Listing.objects.get(product__code="P1")
    assert (first.listed_on, first.listing_fee, first.purchase_price, first.shelf_price) == (
        date(2026, 1, 15),
        Decimal("2000.00"),
        Decimal("4.50"),
        Decimal("5.00"),
    )
    assert Listing.objects.get(product__code="P2").listing_fee == Decimal("0.00")


def test_reimport_updates_the_pair_and_never_duplicates(admin_user):
    listing = ListingFactory(store__code="S1", product__code="P1", shelf_price=Decimal("5.00"))
    ListingFactory(store=listing.store, product__code="P2")

    result = run_import(
        kind=KINDS["listings"],
        source=xlsx_upload(
            ["store code", "product code", "purchase price", "shelf price"], [["S1", "P1", "4.60", "5.20"]]
        ),
        user=admin_user,
    )

    assert (result.created, result.updated) == (0, 1)
    assert Listing.objects.count() == 2
    listing.refresh_from_db()
    assert (listing.purchase_price, listing.shelf_price) == (Decimal("4.60"), Decimal("5.20"))


def test_unknown_codes_duplicates_and_negative_prices_are_listed(admin_user):
    StoreFactory(code="S1")
    ProductFactory(code="P1")
    rows = [
        ["S1", "P1", None, None, "4.50", "5.00"],
        ["S404", "P1", None, None, "4.50", "5.00"],
        ["S1", "P404", None, None, "4.50", "5.00"],
        ["S1", "P1", None, None, "4.50", "5.00"],
        ["S1", "P1", None, -5, "4.50", "-1"],
    ]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["listings"], source=xlsx_upload(EN, rows), user=admin_user)

    assert errors_of(excinfo) == [
        (3, "store code", "No store with the code “S404” that you can reach."),
        (4, "product code", "No product with the code “P404”."),
        (5, "", "Same “store code” and “product code” as row 2 of this file: only one of the two rows can stay."),
        (6, "", "Same “store code” and “product code” as row 2 of this file: only one of the two rows can stay."),
        (6, "listing fee", "Listing fee must not be negative; -5.00 is."),
        (6, "shelf price", "Shelf price must not be negative; -1.00 is."),
    ]
    assert not Listing.objects.exists()


def test_a_manager_lists_only_in_stores_of_their_accounts(manager):
    StoreFactory(code="MINE", account=KeyAccountFactory(owner=manager))
    StoreFactory(code="THEIRS", account=KeyAccountFactory(owner=make_user(Role.MANAGER, username="mgr_b")))
    ProductFactory(code="P1")
    rows = [["MINE", "P1", None, None, "4.50", "5.00"], ["THEIRS", "P1", None, None, "4.50", "5.00"]]

    with pytest.raises(ImportRejected) as excinfo:
        run_import(kind=KINDS["listings"], source=xlsx_upload(EN, rows), user=manager)

    assert errors_of(excinfo) == [(3, "store code", "No store with the code “THEIRS” that you can reach.")]
    assert not Listing.objects.exists()
