"""The browser's Back after saving a new promotion plan (QA finding, as a KA manager): the form comes back with what
was sent — the products' promotion prices and forecast volumes too, boxes the browser does not fill in again — and
says which plan it saved, with a link; Save again goes to that plan and makes no second draft."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from promotions.models import PromotionPlan
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.promotions.factories import promotion_type

from .conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
WAIT = 15_000  # ms: the live server answers slowly on a busy CI machine


@pytest.fixture
def scene(db):
    supervisor = make_user(Role.SUPERVISOR, username="sup1", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", supervisor=supervisor, password="demo-pass-1")
    manager = make_user(Role.MANAGER, username="mgr1")
    account = KeyAccountFactory(code="WMT", name="沃尔玛", owner=manager)
    store = StoreFactory(account=account, rep=rep, name="沃尔玛五角场店", code="WMT-01")
    beer = ProductFactory(code="P001", name="海川纯生啤酒")
    ListingFactory(store=store, product=beer, purchase_price=Decimal("4.00"), shelf_price=Decimal("5.00"))
    promotion_type("in_store")
    return {"account": account, "store": store, "beer": beer, "start": timezone.localdate() + timedelta(days=7)}


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_back_after_saving_a_new_plan_shows_what_was_saved_and_makes_no_second_draft(screen, request, scene):
    page = request.getfixturevalue(screen)
    # given: a rep drafts a plan for a store they choose, with a product's price and forecast volume
    log_in(page, "rep1", "demo-pass-1")
    page.goto("/promotions/new/")
    page.fill("#id_title", "夏季啤酒店促")
    page.select_option("#id_account", scene["account"].code)
    page.select_option("#id_type", label="店促")
    page.fill("#id_start_on", scene["start"].isoformat())
    page.fill("#id_end_on", (scene["start"] + timedelta(days=13)).isoformat())
    page.locator("input[name=stores][value='WMT-01']").check()  # listed once the account is chosen
    page.select_option("#id_items-0-product", scene["beer"].code)
    page.fill("#id_items-0-promotion_price", "4.50")
    page.fill("#id_items-0-forecast_volume", "1000")
    with page.expect_navigation(url="**/promotions/*/"):
        page.get_by_role("button", name="保存草稿").click()
    plan = PromotionPlan.objects.get()
    saved_at = page.url

    # when: Back to the form
    page.go_back()

    # then: what was sent is there again, prices and volumes too, and the form says which plan it saved
    notice = page.get_by_test_id("saved-before")
    expect(notice).to_contain_text(f"{plan.pk}", timeout=WAIT)
    expect(notice.get_by_role("link")).to_have_attribute("href", f"/promotions/{plan.pk}/")
    expect(page.locator("#id_title")).to_have_value("夏季啤酒店促")
    expect(page.locator("#id_items-0-promotion_price")).to_have_value("4.50")
    expect(page.locator("#id_items-0-forecast_volume")).to_have_value("1000")
    expect(page.locator("input[name=stores][value='WMT-01']")).to_be_checked()
    page.screenshot(path=f"tests/e2e/artifacts/promotions-plan-back-{screen}.png", full_page=True)

    # and Save again goes to the plan it saved: no second draft
    with page.expect_navigation(url="**/promotions/*/"):
        page.get_by_role("button", name="保存草稿").click()
    assert page.url == saved_at
    assert PromotionPlan.objects.count() == 1
    assert plan.items.get().forecast_volume == 1000
