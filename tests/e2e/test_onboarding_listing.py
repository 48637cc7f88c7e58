"""A KA manager lists a product at a store from the store's page and delists another (onboarding report, item 2); a
store an old import gave to a supervisor says so on its page, and its address is still edited (item 3)."""

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from stores.models import Listing
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_manager_lists_and_delists_products_at_a_store_whose_rep_is_a_supervisor(phone):
    manager = make_user(Role.MANAGER, username="mgr1", password="demo-pass-1")
    supervisor = make_user(Role.SUPERVISOR, username="sup1", first_name="强", last_name="王")
    store = StoreFactory(account=KeyAccountFactory(owner=manager), code="HM001", name="盒马一店", rep=supervisor)
    chips = ListingFactory(store=store, product=ProductFactory(code="P002", name="薯片"))
    ProductFactory(code="P001", name="纯生啤酒")
    log_in(phone, "mgr1", "demo-pass-1")

    phone.goto(f"/stores/{store.pk}/")
    expect(phone.get_by_test_id("store-rep-warning")).to_contain_text("王强 (sup1)")
    phone.get_by_test_id("listing-add").click()
    form = phone.get_by_test_id("listing-form")
    form.locator("[name=product]").select_option("P002")  # already listed here
    form.locator("[name=purchase_price]").fill("4.50")
    form.locator("[name=shelf_price]").fill("5.00")
    form.get_by_role("button").first.click()

    form = phone.get_by_test_id("listing-form")
    expect(form.locator(".invalid-feedback")).to_contain_text("P002 薯片")
    assert form.locator("[name=shelf_price]").input_value() == "5.00"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="/tmp/onboarding-listing-refused-375.png", full_page=True)
    form.locator("[name=product]").select_option("P001")
    form.get_by_role("button").first.click()

    listed = phone.locator("[data-testid=listings] tr[data-product=P001]")
    expect(listed).to_contain_text("纯生啤酒")
    phone.locator("[data-testid=listings] tr[data-product=P002]").get_by_test_id("delist").click()
    expect(phone.locator("[data-testid=listings] tr[data-product=P002]").get_by_test_id("relist")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="/tmp/onboarding-store-375.png", full_page=True)
    chips.refresh_from_db()
    assert not chips.active
    assert Listing.objects.get(product__code="P001").store == store
