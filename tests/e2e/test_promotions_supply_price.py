"""A KA manager plans a crazy price at 65 % on a phone: refused by the price floor until the maker's promotional
supply price is entered; then the funding shows in the costs and on the plan page, which fits the phone."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.promotions.factories import BudgetFactory, promotion_type

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(db):
    manager = make_user(Role.MANAGER, username="mgr1", first_name="静", last_name="陈", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1")
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    store = StoreFactory(account=account, rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(code="P001", name="海川纯生啤酒", suggested_retail_price=Decimal("5.00"))
    ListingFactory(store=store, product=beer, purchase_price=Decimal("4.00"), shelf_price=Decimal("5.00"))
    today = timezone.localdate()
    BudgetFactory(account=account, period_start=today, period_end=today + timedelta(days=90), amount=Decimal("10000"))
    promotion_type("crazy_price")
    return {"account": account, "beer": beer, "today": today}


def _new_crazy_price_plan(phone, scene, price: str) -> None:
    """mgr1 fills a new crazy-price plan for next week: the beer at `price`, 1,000 packs forecast (not yet saved)."""
    start = scene["today"] + timedelta(days=7)
    log_in(phone, "mgr1", "demo-pass-1")
    phone.goto("/promotions/new/")
    phone.fill("#id_title", "纯生疯狂价")
    phone.select_option("#id_account", scene["account"].code)
    phone.select_option("#id_type", label="疯狂价")
    phone.fill("#id_start_on", start.isoformat())
    phone.fill("#id_end_on", (start + timedelta(days=1)).isoformat())
    phone.select_option("#id_items-0-product", scene["beer"].code)
    phone.fill("#id_items-0-promotion_price", price)
    phone.fill("#id_items-0-forecast_volume", "1000")


def test_a_crazy_price_passes_the_floor_once_the_maker_funds_it(phone, live_server, scene):
    _new_crazy_price_plan(phone, scene, "3.25")  # 65 % of 5.00, below the purchase price 4.00
    phone.fill("#id_company_share", "50")
    phone.locator("#id_company_share").blur()

    floor = phone.locator("#rules-item-0 [data-testid=rule-3]")
    expect(floor).to_contain_text("3.25")
    expect(floor).to_contain_text("4.10")  # the highest layer it breaks: the second-tier wholesale price

    phone.fill("#id_items-0-promo_supply_price", "3.00")
    phone.locator("#id_items-0-promo_supply_price").blur()
    expect(phone.get_by_test_id("rules-ok")).to_be_visible()
    expect(phone.get_by_test_id("supply-funding")).to_have_text("1,000.00")  # (4.00 − 3.00) × 1,000
    # 875.00 price support ((5.00 − 3.25) × 1,000 × 50 %) + 1,000.00 funding
    expect(phone.get_by_test_id("total-cost")).to_have_text("1,875.00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="tests/e2e/artifacts/promotions-supply-price-form.png", full_page=True)

    phone.locator("button[name=save]").click()
    expect(phone.get_by_test_id("supply-funding")).to_have_text("1,000.00")
    expect(phone.get_by_test_id("supply-prices-0")).to_be_visible()  # on a phone, under the product
    expect(phone.get_by_test_id("supply-prices-0")).to_contain_text("4.00")
    expect(phone.get_by_test_id("supply-prices-0")).to_contain_text("3.00")
    expect(phone.get_by_test_id("plan-total")).to_have_text("1,875.00")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.screenshot(path="tests/e2e/artifacts/promotions-supply-price-plan.png", full_page=True)


def test_a_save_refused_says_the_rule_once_and_forgets_it_once_fixed(phone, live_server, scene):
    # Given a plan whose promotional supply price is not below the purchase price (4.00): the save refuses it
    _new_crazy_price_plan(phone, scene, "4.50")
    phone.fill("#id_items-0-promo_supply_price", "4.20")
    phone.fill("#id_company_share", "50")
    # When the manager saves it
    with phone.expect_navigation():
        phone.locator("button[name=save]").click()
    # Then the page says the refusal once beside the product — not again over the form or under the field
    refusal = "促销供价 4.20"
    expect(phone.locator("#rules-item-0")).to_contain_text(refusal)
    above_panel = "#plan-form .card:not([aria-live])"
    expect(phone.locator(above_panel).filter(has_text=refusal)).to_have_count(1)
    expect(phone.locator(".alert-danger, .invalid-feedback")).to_have_count(0)
    phone.screenshot(path="tests/e2e/artifacts/promotions-refused-save-once.png", full_page=True)
    # and once the price is put right, the live check takes the message away: nothing stale stays behind
    phone.fill("#id_items-0-promo_supply_price", "3.00")
    phone.locator("#id_items-0-promo_supply_price").blur()
    expect(phone.get_by_test_id("rules-ok")).to_be_visible()
    expect(phone.locator("#plan-form").filter(has_text=refusal)).to_have_count(0)
