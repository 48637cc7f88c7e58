"""The admin's listing (and delivery) form (QA onboarding report, item 7): the store and the product are found by
code or name, not typed as database ids (HM006 was "Select a valid choice"), and a negative fee beside a bad store
reads the fee's own refusal, not the database constraint's name ("Constraint “listing_amounts_not_negative” is
violated")."""

import pytest

from stores.models import Listing
from tests.factories import ProductFactory, StoreFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["listing", "delivery"])
def test_the_store_and_product_are_searched_by_code_or_name(client, admin_user, model):
    StoreFactory(code="HM006", name="盒马鲜生 浦东金桥店")
    StoreFactory(code="WMT-001", name="沃尔玛五角场店")
    ProductFactory(code="P001", name="海川纯生啤酒 500ml")
    client.force_login(admin_user)

    form = client.get(f"/admin/stores/{model}/add/").content.decode()
    stores = client.get("/admin/autocomplete/", {"app_label": "stores", "model_name": model, "field_name": "store",
                                                 "term": "hm006"}).json()  # fmt: skip
    products = client.get("/admin/autocomplete/", {"app_label": "stores", "model_name": model,
                                                   "field_name": "product", "term": "纯生"}).json()  # fmt: skip

    assert 'name="store"' in form and "admin-autocomplete" in form and "vRawIdAdminField" not in form
    assert [result["text"] for result in stores["results"]] == ["HM006 盒马鲜生 浦东金桥店"]
    assert [result["text"] for result in products["results"]] == ["P001 海川纯生啤酒 500ml"]


def test_a_negative_fee_beside_an_unknown_store_reads_the_fees_refusal(client, admin_user):
    product = ProductFactory()
    client.force_login(admin_user)
    form = {"store": "999999", "product": product.pk, "listed_on": "", "listing_fee": "-5", "purchase_price": "1",
            "shelf_price": "2", "active": "on"}  # fmt: skip

    response = client.post("/admin/stores/listing/add/", form, HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Listing fee must not be negative; -5 is." in page
    assert "listing_amounts_not_negative" not in page and "Select a valid choice" in page
    assert not Listing.objects.exists()
