"""A promoter on a phone (375 × 812), in Chinese, works a shift: signs in and lands on their day, checks in with the
phone's position, reports the sell-out of two products (one in cases and packs), checks out; the server has it all."""

from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from accounts.roles import Role
from promoters.models import SellOutLine, Shift
from tests.factories import KeyAccountFactory, ListingFactory, ProductFactory, StoreFactory, make_user
from tests.promoters.factories_phone import PromoterFactory, SellOutLineFactory, ShiftFactory

from .conftest import MONTH_ROOM, in_view, log_in

pytestmark = pytest.mark.django_db(transaction=True)
WEDNESDAY = datetime(2026, 11, 25, 8, 52, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def promoter_day():
    supervisor = make_user(Role.SUPERVISOR, username="sup1")
    rep = make_user(Role.REP, username="rep1", supervisor=supervisor)
    user = make_user(Role.PROMOTER, username="promoter1", first_name="芳", last_name="李", password="demo-pass-1")
    store = StoreFactory(
        account=KeyAccountFactory(name="沃尔玛"), rep=rep, name="沃尔玛五角场店", address="淞沪路 77 号",
        latitude=Decimal("31.299000"), longitude=Decimal("121.514000"),
    )  # fmt: skip
    beer = ProductFactory(name="海川纯生啤酒 500ml", code="P-BEER", packs_per_case=12)
    chips = ProductFactory(name="乐滋薯片 70g", code="P-CHIPS", packs_per_case=20)
    for product in (beer, chips):
        ListingFactory(store=store, product=product)
    promoter = PromoterFactory(user=user, supervisor=supervisor, name="李芳")
    promoter.stores.add(store)
    shift = ShiftFactory(promoter=promoter, store=store, day=date(2026, 11, 25), starts_at=time(9), ends_at=time(17))
    ShiftFactory(promoter=promoter, store=store, day=date(2026, 11, 26), starts_at=time(9), ends_at=time(17))
    return shift, beer, chips


def test_a_promoter_works_a_shift_on_a_phone(phone, live_server, promoter_day):
    shift, beer, chips = promoter_day
    # yesterday the promoter sold beer here, at 5.90 a pack; chips not lately
    yesterday = ShiftFactory(promoter=shift.promoter, store=shift.store, day=date(2026, 11, 24))
    SellOutLineFactory(shift=yesterday, product=beer, units=9, price_seen=Decimal("5.90"))
    phone.context.grant_permissions(["geolocation"])
    phone.context.set_geolocation({"latitude": 31.2992, "longitude": 121.5141})
    # the phone's clock reads the server's day: its check-in time is taken, and a time ahead of the server refused
    phone.clock.install(time=WEDNESDAY)
    with time_machine.travel(WEDNESDAY, tick=True) as clock:
        # signing in lands on the promoter's day: today's store with its address, tomorrow below
        log_in(phone, "promoter1", "demo-pass-1")
        expect(phone.get_by_role("heading", name="我的今天")).to_be_visible()
        expect(phone.get_by_test_id("shift-store")).to_have_text("沃尔玛五角场店")
        expect(phone.get_by_test_id("shift-address")).to_have_text("淞沪路 77 号")
        expect(phone.get_by_test_id("coming-shifts")).to_contain_text("沃尔玛五角场店")

        # check in with the phone's position
        phone.get_by_test_id("check-in").click()
        expect(phone.get_by_test_id("checked-in")).to_contain_text("08:5")
        expect(phone.get_by_test_id("checked-in")).to_contain_text("米")

        # the day's sell-out: beer in cases and packs, chips in packs; a bad value first, kept and named
        row = f"#id_s{shift.pk}-p{{}}_{{}}"
        # each product folded to its name until tapped; chips, not sold here lately, behind one more line
        expect(phone.locator(row.format(beer.pk, "units_cases"))).to_be_hidden()
        others = phone.get_by_test_id("sell-out-others")
        expect(others.locator("> summary")).to_have_text("其余 1 个产品（近期在本店无销量）")
        expect(phone.locator('[data-product="P-CHIPS"] > summary')).to_be_hidden()
        others.locator("> summary").click()
        for product in (beer, chips):
            phone.locator(f'[data-product="{product.code}"] > summary').click()
        phone.locator(row.format(beer.pk, "units_cases")).fill("2")
        phone.locator(row.format(beer.pk, "units_packs")).fill("5")
        phone.locator(row.format(beer.pk, "shelf_stock_cases")).fill("6")
        phone.get_by_test_id("price-as-last").click()  # yesterday's price, one tap
        expect(phone.locator(row.format(beer.pk, "price_seen"))).to_have_value("5.90")
        phone.locator(row.format(chips.pk, "units_packs")).fill("-3")
        others.locator("> summary").click()  # folded again with a bad value inside
        phone.get_by_test_id("save-sell-out").click()  # the visit page's check stops it before sending
        expect(phone.get_by_test_id("sell-out-refused")).to_contain_text("1处需要修改")
        expect(phone.locator(row.format(chips.pk, "units_packs"))).to_be_focused()
        expect(phone.locator(row.format(chips.pk, "units-error"))).to_contain_text("不能为负数")
        # a value only the server judges (a price with three places) comes back named, the rest kept
        phone.locator(row.format(chips.pk, "units_packs")).fill("3")
        phone.locator(row.format(chips.pk, "price_seen")).fill("1.234")
        phone.get_by_test_id("save-sell-out").click()
        expect(phone.get_by_test_id("sell-out-refused")).to_contain_text("1处需要修改")
        expect(phone.get_by_text("看到的价格请写成金额，例如 12.90。", exact=True)).to_be_visible()
        expect(phone.get_by_test_id("sell-out-problems")).to_contain_text("乐滋薯片")
        expect(phone.locator(row.format(chips.pk, "price_seen"))).to_have_value("1.234")
        expect(phone.locator(row.format(beer.pk, "units_packs"))).to_have_value("5")
        assert not SellOutLine.objects.filter(shift=shift).exists()
        # The refused page is the server's (the field it refused is marked): wait until it has loaded and landed on
        # that field before typing, or the typing may go to the page it replaces.
        expect(phone.locator(row.format(chips.pk, "price_seen"))).to_have_attribute("aria-invalid", "true")
        phone.wait_for_load_state("load")
        phone.locator(row.format(chips.pk, "units_packs")).fill("7")
        phone.locator(row.format(chips.pk, "price_seen")).fill("")
        expect(phone.locator(row.format(chips.pk, "units_packs"))).to_have_value("7")
        phone.get_by_test_id("save-sell-out").click()
        expect(phone.get_by_text("销量已保存。")).to_be_visible()
        expect(phone.get_by_test_id("reported").first).to_contain_text("售出 2 箱 5 包")
        phone.locator(f"#shift-{shift.pk}").scroll_into_view_if_needed()
        phone.screenshot(path="tests/e2e/artifacts/promoter-my-day.png", full_page=True)

        # at the end of the shift, check out
        clock.move_to(datetime(2026, 11, 25, 17, 3, tzinfo=ZoneInfo("Asia/Shanghai")))
        phone.clock.set_system_time(datetime(2026, 11, 25, 17, 3, tzinfo=ZoneInfo("Asia/Shanghai")))
        phone.get_by_test_id("check-out").click()
        expect(phone.get_by_test_id("checked-out")).to_contain_text("17:0")
        expect(phone.get_by_test_id("shift-reading")).to_have_text("出勤")

    # the server has it
    shift = Shift.objects.get(pk=shift.pk)
    assert shift.checked_in_at is not None and shift.check_in_distance_m < 50
    assert shift.checked_out_at is not None
    lines = {line.product_id: line for line in SellOutLine.objects.filter(shift=shift)}
    assert (lines[beer.pk].units, lines[beer.pk].shelf_stock, str(lines[beer.pk].price_seen)) == (29, 72, "5.90")
    assert lines[chips.pk].units == 7 and lines[chips.pk].shelf_stock is None


def test_a_supervisor_checks_the_attendance_on_a_phone(phone, live_server, promoter_day):
    shift, beer, chips = promoter_day
    Shift.objects.filter(pk=shift.pk).update(
        checked_in_at=datetime(2026, 11, 25, 9, 31, tzinfo=ZoneInfo("Asia/Shanghai")),
        checked_out_at=datetime(2026, 11, 25, 17, 0, tzinfo=ZoneInfo("Asia/Shanghai")),
        check_in_distance_m=30,
    )
    absent = ShiftFactory(promoter=shift.promoter, store=shift.store, day=date(2026, 11, 24))
    shift.promoter.supervisor.set_password("demo-pass-1")
    shift.promoter.supervisor.save()
    with time_machine.travel(datetime(2026, 11, 25, 19, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True):
        log_in(phone, "sup1", "demo-pass-1")
        phone.goto("/promoters/attendance/?month=2026-11")
        row = phone.locator(f"[data-testid=promoter-row][data-code='{shift.promoter.code}']")
        expect(row).to_contain_text("李芳")
        phone.screenshot(path="tests/e2e/artifacts/supervisor-attendance.png", full_page=True)
        # the count to confirm, one digit, is a link a thumb can hit
        count = row.locator("[data-count=to_confirm] [data-testid=count-link]")
        expect(count).to_have_text("2")
        box = count.bounding_box()
        assert box["width"] >= 40 and box["height"] >= 40, box
        # and its tap area, in the row's last cell, does not run the table past the screen's edge
        in_view(row, 375)
        row.get_by_role("link", name="李芳").click()  # the promoter's shifts (the count to confirm links too)
        card = phone.locator(f"[data-testid=attendance-shift][data-shift='{absent.pk}']")
        expect(card.get_by_test_id("computed-reading")).to_have_text("缺勤")
        # a correction without a reason is refused; with one it is kept
        card.locator("select[name=attendance]").select_option("leave")
        card.get_by_role("button").click()
        expect(phone.locator(".alert-danger, .alert-error").first).to_contain_text("原因")
        card = phone.locator(f"[data-testid=attendance-shift][data-shift='{absent.pk}']")
        card.locator("select[name=attendance]").select_option("leave")
        # the reason box is found by its label, shown whole above it on the phone
        reason = card.get_by_test_id("reason-label")
        expect(reason).to_be_visible()
        in_view(reason, 375)
        assert reason.evaluate("el => el.scrollWidth <= el.clientWidth")
        card.get_by_label("原因（更正时必填）").fill("病假，已补假条")
        card.get_by_role("button").click()
        expect(card.get_by_test_id("confirmed-reading")).to_contain_text("请假")
        phone.screenshot(path="tests/e2e/artifacts/supervisor-attendance-shifts.png", full_page=True)
    absent.refresh_from_db()
    assert absent.confirmed_attendance == "leave" and absent.correction_reason == "病假，已补假条"


def test_the_attendance_month_reads_whole_on_the_narrowest_phone_in_english(browser, live_server, promoter_day):
    """At 320 px in English the month between its ‹ › and Show buttons read "December 202"."""
    shift, _beer, _chips = promoter_day
    shift.promoter.supervisor.set_password("demo-pass-1")
    shift.promoter.supervisor.save()
    context = browser.new_context(
        viewport={"width": 320, "height": 640}, locale="en-US", timezone_id="Asia/Shanghai", base_url=live_server.url
    )
    try:
        page = context.new_page()
        log_in(page, "sup1", "demo-pass-1")
        page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        page.goto("/promoters/attendance/?month=2026-12")
        month = page.locator("#month")
        assert month.input_value() == "2026-12" and round(month.evaluate(MONTH_ROOM)) >= 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    finally:
        context.close()
