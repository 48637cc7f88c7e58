"""Listings stored with a store purchase price above the shelf price before the rule `listing.purchase_above_shelf`
refused it (QA: nothing flagged them anywhere). A KA manager finds them: marked on the store's page and the listings,
a filter for them on the page and in the API (documented in the schema), their count on the manager's home; and a
save of one that leaves its prices as they were goes through saying the prices are still to be corrected."""

from decimal import Decimal

import pytest

from accounts.roles import Role
from tests.api_schema import api_schema
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("in_english")]

STILL_ABOVE = (
    "The store purchase price 9.00 of P004 海川黑啤 500ml at YH-002 永辉二店 is still above its shelf price 4.80, "
    "as it was stored before that was refused: correct its prices (export the listings, correct them and import the "
    "sheet back)."
)


@pytest.fixture
def world(db):
    manager = make_user(Role.MANAGER, username="mgr1")
    store = StoreFactory(account=KeyAccountFactory(code="YH", owner=manager), code="YH-002", name="永辉二店")
    above = ListingFactory(
        store=store,
        product=ProductFactory(code="P004", name="海川黑啤 500ml"),
        purchase_price=Decimal("9.00"),
        shelf_price=Decimal("4.80"),
    )
    within = ListingFactory(
        store=store,
        product=ProductFactory(code="P001", name="海川纯生啤酒 500ml"),
        purchase_price=Decimal("4.80"),
        shelf_price=Decimal("4.80"),
    )
    # another manager's store with such a listing: never counted nor listed for this one
    ListingFactory(
        store=StoreFactory(account=KeyAccountFactory(code="CRV"), code="CRV-001"),
        purchase_price=Decimal("20.00"),
        shelf_price=Decimal("10.00"),
    )
    return {"manager": manager, "store": store, "above": above, "within": within}


def _rows_marked(page: str) -> list[str]:
    """The product codes of the table rows that carry the mark."""
    rows = page.split("<tr")[1:]
    return [row.split('data-product="')[1].split('"')[0] for row in rows if 'data-testid="purchase-above-shelf"' in row]


def test_the_store_page_marks_the_listing_priced_above_its_shelf(client, world):
    client.force_login(world["manager"])

    page = client.get(f"/stores/{world['store'].pk}/").content.decode()

    assert _rows_marked(page) == ["P004"]
    assert ">purchase price above shelf price</span>" in page


def test_the_listings_filter_finds_them_and_marks_them(client, world):
    client.force_login(world["manager"])

    everything = client.get("/stores/listings/")
    flagged = client.get("/stores/listings/?purchase_above_shelf=true")
    others = client.get("/stores/listings/?purchase_above_shelf=false")

    assert [x.product.code for x in flagged.context["object_list"]] == ["P004"]
    assert [x.product.code for x in others.context["object_list"]] == ["P001"]
    # the whole list marks the one, beside the other
    listed = everything.content.decode()
    assert listed.count('data-testid="purchase-above-shelf"') == 2  # under the store on a phone, and its column
    assert "海川纯生啤酒" in listed
    # the filter is the list's own: a select on the page
    assert 'name="purchase_above_shelf"' in flagged.content.decode()
    assert "Purchase price above shelf" in flagged.content.decode()


def test_the_api_filters_and_says_it_and_the_schema_documents_it(api_client, world):
    api_client.force_authenticate(world["manager"])

    flagged = api_client.get("/api/v1/listings/?purchase_above_shelf=true")
    every = api_client.get("/api/v1/listings/")

    assert flagged.status_code == 200
    assert [(row["product"], row["purchase_above_shelf"]) for row in flagged.json()["results"]] == [("P004", True)]
    assert {row["product"]: row["purchase_above_shelf"] for row in every.json()["results"]} == {
        "P001": False,
        "P004": True,
    }
    wrong = api_client.get("/api/v1/listings/?purchase_above_shelf=maybe")
    assert wrong.status_code == 400
    schema = api_schema()
    operation = schema["paths"]["/api/v1/listings/"]["get"]
    parameter = next(p for p in operation["parameters"] if p["name"] == "purchase_above_shelf")
    assert parameter["schema"]["type"] == "boolean" and "above the shelf price" in parameter["description"]
    field = schema["components"]["schemas"]["Listing"]["properties"]["purchase_above_shelf"]
    assert field["type"] == "boolean" and field["readOnly"] is True


def test_the_managers_home_counts_them_and_leads_to_them(client, world):
    client.force_login(world["manager"])

    home = client.get("/").content.decode()

    said = home.split('data-testid="listings-above-shelf">')[1].split("</div>")[0]
    assert "1 listing</a> at your stores has a store purchase price above its shelf price" in said
    link = said.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert [x.product.code for x in client.get(link).context["object_list"]] == ["P004"]


def test_the_managers_home_says_nothing_once_the_prices_are_corrected(client, api_client, world):
    api_client.force_authenticate(world["manager"])
    corrected = api_client.patch(f"/api/v1/listings/{world['above'].pk}/", {"purchase_price": "4.00"}, format="json")
    client.force_login(world["manager"])

    assert corrected.status_code == 200 and corrected.json()["purchase_above_shelf"] is False
    assert 'data-testid="listings-above-shelf"' not in client.get("/").content.decode()
    assert 'data-testid="purchase-above-shelf"' not in client.get(f"/stores/{world['store'].pk}/").content.decode()


def test_delisting_it_on_the_store_page_goes_through_saying_to_correct_its_prices(client, world):
    client.force_login(world["manager"])

    answer = client.post(
        f"/stores/{world['store'].pk}/listings/{world['above'].pk}/active/", {"active": "0"}, follow=True
    )

    said = [str(m) for m in answer.context["messages"]]
    assert "P004 海川黑啤 500ml delisted at this store." in said and STILL_ABOVE in said
    world["above"].refresh_from_db()
    assert world["above"].active is False
    # the other listing says nothing of prices
    other = client.post(
        f"/stores/{world['store'].pk}/listings/{world['within'].pk}/active/", {"active": "0"}, follow=True
    )
    assert [str(m) for m in other.context["messages"]] == ["P001 海川纯生啤酒 500ml delisted at this store."]


def test_the_admin_saving_another_field_says_to_correct_its_prices(client, admin_user, world):
    listing = world["above"]
    client.force_login(admin_user)

    answer = client.post(
        f"/admin/stores/listing/{listing.pk}/change/",
        {
            "store": listing.store_id,
            "product": listing.product_id,
            "listing_fee": "300.00",
            "purchase_price": "9.00",
            "shelf_price": "4.80",
            "active": "on",
        },
        follow=True,
    )

    assert STILL_ABOVE in [str(m) for m in answer.context["messages"]]
    listing.refresh_from_db()
    assert listing.listing_fee == Decimal("300.00")
