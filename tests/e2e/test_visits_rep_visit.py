"""A rep on a phone, in Chinese, does a whole visit from Today: check in (with position), display checklist,
a refused and then a good stock count in cases and packs, the suggested order, a task, check out; the daily report
then lists the visit."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.roles import Role
from evidence.models import DisplayAgreement, DisplayKind
from tests.factories import DeliveryFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.visits.factories import RoutePlanFactory, RouteStopFactory, StockCountFactory, TaskFactory, VisitFactory
from visits.models import Visit

from .conftest import in_view, lines_spanned, log_in, text_lines

pytestmark = pytest.mark.django_db(transaction=True)
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
LONG_ADDRESS = "上海市杨浦区五角场街道淞沪路77号万达广场地下一层东侧入口旁（近五角场地铁站10号口）"


@pytest.fixture
def rep_day():
    rep = make_user(Role.REP, username="rep1", first_name="伟", last_name="张", password="demo-pass-1")
    store = StoreFactory(
        rep=rep,
        name="沃尔玛五角场店",
        grade="A",
        latitude=Decimal("31.299000"),
        longitude=Decimal("121.514000"),
        address=LONG_ADDRESS,
    )
    later = StoreFactory(rep=rep, name="大润发江湾店", grade="B")
    beer = ProductFactory(name="海川纯生啤酒 500ml", packs_per_case=12)
    ListingFactory(store=store, product=beer)
    ListingFactory(store=store, product=ProductFactory(name="乐滋薯片 70g", code="P-CHIPS", packs_per_case=20))
    # a week ago the rep counted 10 cases; 4 cases were delivered since
    last_week = WEDNESDAY - timedelta(days=7)
    StockCountFactory(
        visit=VisitFactory(
            rep=rep, store=store, checked_in_at=last_week, checked_out_at=last_week + timedelta(minutes=30)
        ),
        product=beer,
        packs=120,
    )
    DeliveryFactory(store=store, product=beer, date=date(2026, 11, 21), quantity=48)
    plan = RoutePlanFactory(rep=rep, week_start=date(2026, 11, 23))
    RouteStopFactory(plan=plan, store=store, day=2, position=0)
    RouteStopFactory(plan=plan, store=later, day=2, position=1)
    TaskFactory(store=store, title="补齐端架价签", due_on=date(2026, 11, 26))
    DisplayAgreement.objects.create(
        account=store.account, store=store, kind=DisplayKind.END_CAP, start_on=date(2026, 11, 1),
        end_on=date(2026, 11, 30), fee=Decimal("800.00"),
    )  # fmt: skip
    return rep, store, beer


def test_rep_does_a_whole_visit_on_a_phone(phone, live_server, rep_day):
    rep, store, beer = rep_day
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 31.2991, "longitude": 121.5141})
    # the phone's clock reads the server's day: its check-in time is taken, and a time ahead of the server refused
    phone.clock.install(time=WEDNESDAY)
    with time_machine.travel(WEDNESDAY, tick=True) as clock:
        log_in(phone, "rep1", "demo-pass-1")

        # Today: the two stops in order, the task shown at the first
        phone.goto("/visits/today/")
        stops = phone.get_by_test_id("stop")
        assert stops.count() == 2
        assert "沃尔玛五角场店" in stops.nth(0).inner_text()
        assert "补齐端架价签" in stops.nth(0).inner_text()
        # a long address: the chain and the address at most two lines, ending in "…" (the visit page has it whole)
        store_line = stops.nth(0).get_by_test_id("stop-store-line")
        lines, clipped = store_line.evaluate(
            "el => [el.clientHeight / parseFloat(getComputedStyle(el).lineHeight), el.scrollHeight > el.clientHeight]"
        )
        assert lines <= 2.1 and clipped
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.screenshot(path="tests/e2e/artifacts/visits-today-phone.png", full_page=True)

        # check in: the browser's position is sent, a few metres from the store
        stops.nth(0).get_by_role("button", name="签到").click()
        phone.wait_for_url(re.compile(r"/visits/\d+/$"))  # "**/visits/*/" also matched /visits/today/ itself
        assert "沃尔玛五角场店" in phone.get_by_role("heading", level=1).inner_text()
        assert "距门店" in phone.get_by_test_id("visit-times").inner_text()
        assert phone.get_by_test_id("visit-address").inner_text() == LONG_ADDRESS
        assert phone.get_by_test_id("far-flag").count() == 0

        # display checklist: one tap on "all OK", then the exception (the tidiness)
        visit_url = phone.url
        phone.get_by_test_id("all-ok").click()
        assert phone.url == visit_url  # answered in the page, nothing sent yet
        for item in ["together", "tidy", "price_tag", "promotion_display", "stock_level"]:
            assert phone.get_by_test_id(f"choice-check_{item}").locator("input[value=pass]").is_checked()
        phone.get_by_test_id("choice-check_tidy").get_by_text("不合格", exact=True).click()
        phone.get_by_test_id("choice-price_check_ok").get_by_text("是", exact=True).click()

        # a count beyond what a count may hold is refused next to the field; what was typed stays
        phone.locator(f"#id_stock_{beer.pk}_cases").fill("999999")
        phone.get_by_label("发现的问题").fill("端架有破损包装")
        phone.get_by_role("button", name="保存", exact=True).click()
        beer_row = phone.get_by_test_id("stock-row").filter(has_text="海川纯生啤酒 500ml")
        expect(beer_row.get_by_test_id("stock-error")).to_contain_text("超过一次盘点的上限")
        assert phone.locator(f"#id_stock_{beer.pk}_cases").input_value() == "999999"
        assert phone.get_by_label("发现的问题").input_value() == "端架有破损包装"
        assert phone.get_by_test_id("choice-check_tidy").locator("input[value=fail]").is_checked()

        # six cases now, first typed as 5 cases and 12 loose packs: a case of loose packs is an input error (SPEC
        # §4), marked as it is typed with the product's case size, not sent, the packs kept as typed
        phone.locator(f"#id_stock_{beer.pk}_cases").fill("5")
        phone.locator(f"#id_stock_{beer.pk}_packs").fill("12")
        expect(beer_row.get_by_test_id("stock-error")).to_have_text("散包须少于 12 包：满一箱请计入箱数。")
        phone.get_by_role("button", name="保存", exact=True).click()
        expect(phone.get_by_test_id("fix-count")).to_have_text("1处需要修改")
        assert phone.evaluate("document.activeElement.id") == f"id_stock_{beer.pk}_packs"
        assert phone.locator(f"#id_stock_{beer.pk}_packs").input_value() == "12"
        # written as six cases: the suggested order is six cases (10 before + 4 delivered − 6 = 8 sold; 12 − 6 = 6)
        phone.locator(f"#id_stock_{beer.pk}_cases").fill("6")
        phone.locator(f"#id_stock_{beer.pk}_packs").fill("0")
        phone.get_by_role("button", name="保存", exact=True).click()
        order = phone.get_by_test_id("suggested-order")  # saved in the page: the order comes back with the answer
        expect(order).to_contain_text("海川纯生啤酒 500ml")
        assert phone.url == visit_url
        assert Visit.objects.get(pk=int(visit_url.rstrip("/").rsplit("/", 1)[1])).stock_counts.get().packs == 72
        assert order.locator("tbody td").nth(2).inner_text().strip() == "6"
        # the visit is rated at its check-out: while it is open no colour is shown (SPEC §4, QA: green before
        # anything was checked)
        assert phone.get_by_test_id("rating").locator("[data-rating]").count() == 0
        phone.screenshot(path="tests/e2e/artifacts/visits-visit-phone.png", full_page=True)

        # the task, then check out: refused while the chips are neither counted nor marked, with what is missing;
        # what was typed stays
        assert phone.get_by_test_id("task-done").bounding_box()["height"] >= 44  # a thumb's target, label and box
        phone.get_by_test_id("task").get_by_label("已完成").check()
        phone.get_by_test_id("task").get_by_placeholder("备注").fill("价签已补")
        phone.get_by_role("button", name="保存并签退").click()
        expect(phone.get_by_test_id("checkout-error")).to_contain_text("1个产品既未盘点也未标记为未盘点")
        assert phone.get_by_test_id("task").get_by_placeholder("备注").input_value() == "价签已补"
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        phone.screenshot(path="tests/e2e/artifacts/visits-check-out-refused-phone.png", full_page=True)

        # "not counted" for the chips: the visit is done; back on Today, the stop is done
        # tapped at the right of its row, away from the box and its word: the whole row is the target
        chips_row = phone.get_by_test_id("stock-row").filter(has_text="乐滋薯片 70g")
        not_counted = chips_row.get_by_test_id("not-counted")
        box = not_counted.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 0.9 * chips_row.bounding_box()["width"]
        not_counted.click(position={"x": box["width"] - 8, "y": box["height"] / 2})
        assert chips_row.get_by_label("未盘点").is_checked()
        clock.shift(timedelta(minutes=25))  # a real visit's length: not flagged short
        phone.clock.fast_forward("25:00")
        phone.get_by_role("button", name="保存并签退").click()
        expect(phone.get_by_test_id("checked-out")).to_contain_text("已签退，拜访已保存。")
        # checked out, the page is read-only: no display to save, no competitor to add, no photo to take
        expect(phone.get_by_test_id("agreement-form").get_by_role("button", name="保存此陈列")).to_be_hidden()
        expect(phone.get_by_text("记录本店竞品动态")).to_be_hidden()
        expect(phone.locator("[data-photo-input]")).to_be_disabled()
        expect(phone.get_by_test_id("same-as-last").first).to_be_disabled()
        expect(phone.get_by_label("按现状签退的原因")).to_be_hidden()
        phone.get_by_test_id("checked-out").get_by_role("link").click()
        phone.wait_for_url("**/visits/today/")
        assert "已完成 1 / 2 家" in phone.get_by_test_id("progress").inner_text()  # spaced as the dashboard writes it
        assert "已完成" in phone.get_by_test_id("stop").nth(0).inner_text()

        visit = Visit.objects.exclude(checked_in_at__lt=WEDNESDAY - timedelta(days=1)).get()
        assert visit.checked_out_at is not None and visit.rating == "yellow"
        assert visit.rating_reasons == [{"code": "checklist_failed", "params": {"item": "tidy"}}]
        assert list(visit.not_counted.values_list("product__name", flat=True)) == ["乐滋薯片 70g"]
        assert visit.distance_m is not None and visit.distance_m < 50

        # the daily report lists the visit with its suggested order and why it is yellow
        phone.get_by_role("link", name="我的拜访日报").click()
        assert "沃尔玛五角场店" in phone.get_by_test_id("report-visits").inner_text()
        assert "陈列检查不合格：整齐清洁" in phone.get_by_test_id("report-visits").inner_text()
        assert "海川纯生啤酒 500ml" in phone.get_by_test_id("report-orders").inner_text()
        # the rating and the order, what the report is read for, are on the phone's screen
        for cell in phone.locator(
            "[data-testid=report-visits] tbody td:nth-child(4), [data-testid=report-orders] tbody td:last-child"
        ).all():
            in_view(cell, 375)
        phone.screenshot(path="tests/e2e/artifacts/visits-daily-report-phone.png", full_page=True)

        # their visits' list: the store's name on one line, the time with its minutes on one line under it (never
        # "· 25分钟" on a line of its own), the rating on the screen
        phone.goto("/visits/history/")
        store_name = phone.get_by_test_id("visit-store").filter(has_text="沃尔玛五角场店").first
        assert text_lines(store_name) == 1
        when = phone.get_by_test_id("visit-when").first
        checked_in = f"{visit.checked_in_at.astimezone(WEDNESDAY.tzinfo):%H:%M}"
        assert lines_spanned(when, checked_in, f"{visit.minutes_in_store}分钟") == 1
        in_view(store_name, 375)
        in_view(phone.locator("[data-rating=yellow]").first, 375)
        phone.screenshot(path="tests/e2e/artifacts/visits-list-phone.png", full_page=True)
