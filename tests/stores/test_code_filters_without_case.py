"""A list's and the API's filter by store or product code finds the record whatever the case it is typed in
(?store=wmt-001 finds WMT-001), as the codes themselves are one code whatever their case (the API's fields, the
imports); before, it answered "Select a valid choice" (400 in the API)."""

from datetime import date

import pytest

from tests.factories import DeliveryFactory, ListingFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def listings(db):
    store = StoreFactory(code="WMT-001", name="沃尔玛五角场店")
    return ListingFactory(store=store, product__code="P001"), ListingFactory(product__code="P002")


@pytest.mark.parametrize("query", [{"store": "wmt-001"}, {"product": "p001"}])
def test_the_api_filters_listings_by_a_code_in_any_case(api_client, admin_user, listings, query):
    api_client.force_authenticate(admin_user)

    response = api_client.get("/api/v1/listings/", query)

    assert response.status_code == 200
    assert [row["store"] for row in response.json()["results"]] == ["WMT-001"]


def test_the_api_filters_deliveries_by_a_store_code_in_any_case(api_client, admin_user):
    DeliveryFactory(store=StoreFactory(code="WMT-001"), date=date(2026, 3, 1))
    DeliveryFactory(date=date(2026, 3, 1))
    api_client.force_authenticate(admin_user)

    response = api_client.get("/api/v1/deliveries/", {"store": "Wmt-001"})

    assert response.status_code == 200 and [row["store"] for row in response.json()["results"]] == ["WMT-001"]


def test_the_listings_page_filters_by_a_store_code_in_any_case(client, admin_user, listings):
    client.force_login(admin_user)

    response = client.get("/stores/listings/", {"store": "wmt-001"}, HTTP_ACCEPT_LANGUAGE="en")

    table = response.content.decode().split('data-testid="listing-table"')[1].split("</table>")[0]
    assert response.status_code == 200
    assert table.count("<tr") == 2  # the header and WMT-001's listing, not the other store's
    assert "WMT-001" in table


def test_a_code_out_of_scope_is_still_not_found_whatever_its_case(api_client, rep, listings):
    api_client.force_authenticate(rep)

    response = api_client.get("/api/v1/listings/", {"store": "wmt-001"})

    assert response.status_code == 400
