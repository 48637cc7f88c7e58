"""A KA manager reads the accounts, an account's year, the products, the month's targets and the promoters' sell-out on
a phone: no table runs past the screen's edge (each table keeps to the columns a phone holds, the rest reads under a
cell, or a report reads as cards), and what left a column is still there — the KA manager under the account's name,
the achievement under the month's actual, the packs per case under the product's name, the day, promoter and store
under a sold product. In English too, whose words are longer (a column's name wraps at its words), and at a laptop's
width the targets report's ten columns fit."""

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts import services
from accounts.roles import Role
from promotions.models import PromotionPlan
from tests.contracts.factories import InvoiceFactory
from tests.factories import (
    DeliveryFactory,
    KeyAccountFactory,
    ListingFactory,
    ProductFactory,
    SalesTargetFactory,
    StoreFactory,
    make_user,
)
from tests.promoters.factories_numbers import NumbersPromoterFactory, sold
from tests.promotions.factories import BudgetFactory, PromotionPlanFactory
from tests.visits.factories import RoutePlanFactory, RouteStopFactory, SuggestedOrderFactory
from visits.models import SuggestedOrder

from .conftest import _close, in_view, log_in, tables_past_their_box

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_managers_lists_fit_a_phone(phone, browser, live_server):
    manager = make_user(Role.MANAGER, username="manager1", first_name="静", last_name="陈", password="demo-pass-1")
    account = KeyAccountFactory(code="AUCHAN", name="欧尚", name_en="Auchan", owner=manager)
    store = StoreFactory(account=account, code="AUCHAN-010", name="欧尚江湾店二期")
    today = timezone.localdate()
    KeyAccountFactory(code="TRUST", name="好又多", name_en="Trust-Mart", owner=manager)
    KeyAccountFactory(code="NGS", name="农工商", name_en="Nonggongshang", owner=manager)
    year = today.year
    for month in range(1, 13):
        SalesTargetFactory(account=account, year=year, month=month, amount=Decimal("1822720.00"))
    InvoiceFactory(account=account, date=today.replace(day=1), amount=Decimal("1060018.00"))  # a month in progress
    beer = ProductFactory(
        code="P001", name="海川纯生啤酒 500ml", packs_per_case=12, suggested_retail_price=Decimal("1288.00")
    )
    services.store_target_save(store=store, month=today.replace(day=1), amount=Decimal("1372199.00"))
    promoter = NumbersPromoterFactory(name="钱小红", supervisor=manager)
    sold(store, beer, today, 30, shelf_stock=5, price=Decimal("4.80"), promoter=promoter)
    ListingFactory(store=store, product=beer, purchase_price=Decimal("1100.00"), shelf_price=Decimal("1288.00"))
    DeliveryFactory(store=store, product=beer, quantity=1200)
    log_in(phone, "manager1", "demo-pass-1")

    phone.goto("/accounts/")
    assert tables_past_their_box(phone) == []
    assert phone.get_by_test_id("account-manager-phone").first.inner_text() == "KA经理 陈静"

    phone.goto(f"/accounts/{account.pk}/")
    assert tables_past_their_box(phone) == []
    assert phone.get_by_test_id("achievement-phone").first.inner_text().startswith("达成率")

    phone.goto("/stores/products/")
    assert tables_past_their_box(phone) == []
    assert phone.get_by_test_id("packs-per-case-phone").inner_text() == "箱规（包/箱） 12"
    assert "1,288.00" in phone.get_by_test_id("product-table").inner_text()

    phone.goto("/analysis/targets/")
    assert tables_past_their_box(phone) == []
    phone.goto("/analysis/targets/AUCHAN/")
    assert tables_past_their_box(phone) == []

    phone.goto("/promoters/sell-out/")
    assert tables_past_their_box(phone) == []
    assert phone.get_by_test_id("sell-out-line-phone").inner_text() == f"{today:%Y-%m-%d} · 钱小红 · 欧尚江湾店二期"

    # the narrowest phones (320 px): the week's two days one under the other rather than an arrow off the screen,
    # the store's sell-out with the day of its last shelf count short
    phone.set_viewport_size({"width": 320, "height": 640})
    for path in (f"/stores/{store.pk}/", "/visits/reports/compliance/"):
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 320, path
        assert tables_past_their_box(phone) == [], path
    in_view(phone.get_by_test_id("week-next"), 320)

    # in English, whose words are longer: a laptop's targets report, a phone's accounts and store page
    context = browser.new_context(locale="en-US", timezone_id="Asia/Shanghai", base_url=live_server.url)
    try:
        page = context.new_page()
        log_in(page, "manager1", "demo-pass-1")
        for width, path, words in [
            (1280, "/analysis/targets/", "Stores with a target"),
            (375, "/accounts/", "Nonggongshang"),
            (375, f"/accounts/{account.pk}/", "1,822,720.00"),
            (375, f"/stores/{store.pk}/", "Shelf stock last seen"),
        ]:
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(path)
            assert page.get_by_text(words).first.is_visible()
            assert tables_past_their_box(page) == [], path
    finally:
        _close(context)


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_competitor_summary_fits_a_phone(browser, live_server, locale):
    """A brand seen twice with a tasting and a price cut: its dates, its promotions' badges and both depths keep to a
    375 px screen in English too (four columns ran 61 px past it), the average depth under the deepest."""
    from datetime import datetime

    from tests.evidence.competitors_world import SHANGHAI, build_world, closed_visit, sighting

    w = build_world()
    w.manager.set_password("demo-pass-1")
    w.manager.save()
    first = closed_visit(w.rep, w.store, datetime(2026, 11, 12, 10, tzinfo=SHANGHAI))
    last = closed_visit(w.rep2, w.store2, datetime(2026, 12, 2, 10, tzinfo=SHANGHAI))
    sighting(first, brand="燕京", product="燕京U8 500ml", shelf_price="4.10", regular_price="4.80", mechanics="tasting")
    sighting(
        last, brand="燕京", product="燕京U8 500ml", shelf_price="4.10", regular_price="4.80", mechanics="price_cut"
    )
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale=locale, timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    try:
        page = context.new_page()
        log_in(page, "cw_manager", "demo-pass-1")
        page.goto("/evidence/competitors/summary/?date_from=2026-11-01&date_to=2026-12-31")
        assert tables_past_their_box(page) == []
        average = page.get_by_test_id("average-depth-phone").first
        assert average.is_visible() and average.inner_text().endswith("15 %")  # 4.10 against 4.80 both times
    finally:
        _close(context)


def test_a_managers_lists_fit_the_narrowest_phone_in_english(browser, live_server):
    """On the narrowest phones (320 px) in English, whose words are longer, the lists a manager reads most keep inside
    the screen (they ran 3 to 41 px past it: a chain called "Nonggongshang", a store's code "AUCHAN-010", a plan's two
    dates): each keeps the columns a phone needs, and what left a column reads under a cell — a chain's code under its
    name, a store's grade under its code, a product's code under its name, the listed product under its store, a
    plan's dates under its name, a suggested order's stock under its product, a route plan's rep under its week; a
    budget's whole still under what is left of it (and the chain's name whole beside it), and an account's year of
    seven-digit targets in three columns."""
    manager = make_user(Role.MANAGER, username="manager1", first_name="静", last_name="陈", password="demo-pass-1")
    rep = make_user(Role.REP, username="rep1", first_name="伟", last_name="张")
    auchan = KeyAccountFactory(code="AUCHAN", name="欧尚", name_en="Auchan", tier="GKA", owner=manager)
    chain = KeyAccountFactory(code="NGS", name="农工商", name_en="Nonggongshang", tier="LKA", owner=manager)
    StoreFactory(account=auchan, code="AUCHAN-010", name="欧尚江湾店2", rep=rep, grade="B")
    store = StoreFactory(account=chain, code="NGS-012", name="农工商控江路店3", rep=rep, grade="A")
    beer = ProductFactory(code="P001", name="海川纯生啤酒 500ml", barcode="6910192058881", category="啤酒")
    ListingFactory(store=store, product=beer, purchase_price=Decimal("4.00"), shelf_price=Decimal("4.80"))
    PromotionPlanFactory(
        account=chain, owner=manager, title="农工商啤酒DM（促销供价）", start_on=date(2026, 12, 26),
        end_on=date(2027, 1, 23), status=PromotionPlan.Status.SUBMITTED, total_cost=Decimal("3081.32"),
    )  # fmt: skip
    BudgetFactory(account=chain, period_start=date(2027, 1, 1), period_end=date(2027, 3, 31), amount=Decimal("18000"))
    SuggestedOrderFactory(
        store=store, product=beer, current_packs=51, actual_sales_packs=-4, suggested_cases=0,
        flag=SuggestedOrder.Flag.NEGATIVE_SALES,
    )  # fmt: skip
    RouteStopFactory(plan=RoutePlanFactory(rep=rep, week_start=date(2026, 11, 30)), store=store, day=0)
    today = timezone.localdate()
    for month in range(1, 13):
        SalesTargetFactory(account=chain, year=today.year, month=month, amount=Decimal("1822720.00"))
    InvoiceFactory(account=chain, date=today.replace(day=1), amount=Decimal("1060018.00"))

    context = browser.new_context(
        viewport={"width": 320, "height": 640}, locale="en-US", timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    try:
        page = context.new_page()
        log_in(page, "manager1", "demo-pass-1")
        for path, under_a_cell, words in [
            ("/accounts/", "account-code-phone", "NGS"),
            ("/stores/", "grade-phone", "A"),
            ("/stores/products/", "code-phone", "P001 ·"),
            ("/stores/listings/", "listing-product-phone", "海川纯生啤酒 500ml P001"),
            ("/promotions/", "plan-dates-phone", "2026-12-26 – 2027-01-23"),
            ("/promotions/budgets/", "budget-whole-phone", "of 18,000.00"),
            ("/visits/suggested-orders/", "stock-phone", "Stock 4/3"),
            ("/visits/routes/", "plan-rep-phone", "张伟"),
            (f"/accounts/{chain.pk}/", "achievement-phone", "Achievement"),  # a year of seven-digit targets
        ]:
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
            assert tables_past_their_box(page) == [], path
            moved = page.get_by_test_id(under_a_cell).last
            assert moved.is_visible(), path
            text = " ".join(moved.inner_text().split())  # its lines as one
            assert text.startswith(words), (path, text)
        # the budgets keep a chain's name whole beside its period and what is left ("Nonggongsha / ng" before)
        page.goto("/promotions/budgets/")
        name = page.get_by_role("link", name="Nonggongshang", exact=True)
        assert name.evaluate("link => link.getClientRects().length") == 1
    finally:
        _close(context)
