"""A supervisor drafts a plan on a phone, sees a rule message, fixes it and submits; the manager approves it
from the queue and sees the account's budget left go down."""

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
    supervisor = make_user(Role.SUPERVISOR, username="sup1", first_name="强", last_name="王", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", supervisor=supervisor)
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    store = StoreFactory(account=account, rep=rep, name="沃尔玛五角场店")
    beer = ProductFactory(code="P001", name="海川纯生啤酒")
    ListingFactory(store=store, product=beer, purchase_price=Decimal("4.00"), shelf_price=Decimal("5.00"))
    today = timezone.localdate()
    BudgetFactory(account=account, period_start=today, period_end=today + timedelta(days=90), amount=Decimal("10000"))
    promotion_type("in_store")
    return {"account": account, "store": store, "beer": beer, "today": today}


def test_supervisor_drafts_fixes_submits_and_manager_approves(phone, browser, live_server, scene):
    start = scene["today"] + timedelta(days=7)
    log_in(phone, "sup1", "demo-pass-1")
    phone.goto("/promotions/new/")
    phone.fill("#id_title", "夏季啤酒店促")
    phone.select_option("#id_account", scene["account"].code)
    phone.select_option("#id_type", label="店促")
    phone.fill("#id_start_on", start.isoformat())
    phone.fill("#id_end_on", (start + timedelta(days=28)).isoformat())  # 29 days
    phone.check("#id_stores_0")
    phone.select_option("#id_items-0-product", scene["beer"].code)
    phone.fill("#id_items-0-promotion_price", "4.50")  # a 10 % cut: two 14-day periods, 28 days at most
    phone.fill("#id_items-0-forecast_volume", "1000")
    phone.fill("#id_dm_fee", "500")
    phone.locator("#id_dm_fee").blur()

    # The rule message appears next to the dates, naming the numbers
    message = phone.locator("#rules-dates [data-testid=rule-2]")
    expect(message).to_contain_text("29")
    expect(message).to_contain_text("28")
    phone.screenshot(path="tests/e2e/artifacts/promotions-form-rule.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    # Fixing the end date clears it, and the cost is shown
    phone.fill("#id_end_on", (start + timedelta(days=27)).isoformat())
    phone.locator("#id_end_on").blur()
    expect(phone.get_by_test_id("rules-ok")).to_be_visible()
    expect(phone.locator("#rules-dates")).to_be_empty()
    expect(phone.get_by_test_id("total-cost")).to_have_text("520.00")
    phone.locator("button[name=submit]").click()
    expect(phone.get_by_test_id("status")).to_have_text("已提交")

    # The manager works the queue on a desktop
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", base_url=live_server.url)
    desk = context.new_page()
    log_in(desk, "mgr1", "demo-pass-1")
    desk.goto("/promotions/queue/")
    expect(desk.get_by_test_id("budget-left")).to_have_text("10,000.00")
    expect(desk.get_by_test_id("queue-plan")).to_contain_text("夏季啤酒店促")
    desk.screenshot(path="tests/e2e/artifacts/promotions-queue.png", full_page=True)
    desk.get_by_test_id("queue-plan").locator("button.btn-success").click()
    expect(desk.get_by_test_id("budget-left")).to_have_text("9,480.00")
    expect(desk.get_by_test_id("queue-plan")).to_have_count(0)
    desk.screenshot(path="tests/e2e/artifacts/promotions-queue-after.png", full_page=True)
    context.close()
